"""The benchmark command runs end to end on a small database and prints one JSON line per
measurement with its figures and baseline (a correctness test, not a timing test)."""
import json
import os

import pytest

from bench.__main__ import main

KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("GUESTREL_TEST_DATABASE_URL") else [])


@pytest.mark.parametrize("kind", KINDS)
def test_the_bench_command_prints_each_measurement_with_its_baseline(kind, capsys, monkeypatch):
    if kind == "postgresql":
        monkeypatch.setenv("GUESTREL_BENCH_POSTGRES_URL", os.environ["GUESTREL_TEST_DATABASE_URL"])
    main(["--guests", "500", "--db", kind, "--lookups", "20", "--searches", "20", "--warmup", "2"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["bench"] for line in lines] == ["guest_lookup_by_external_id", "guest_name_search"]
    for line in lines:
        assert line["db"] == kind and line["guests"] == 500
        for figure in ("p50_ms", "p99_ms", "per_s", "baseline_p50_ms", "baseline_p99_ms"):
            assert line[figure] > 0, figure
