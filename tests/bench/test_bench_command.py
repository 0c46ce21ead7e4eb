"""The benchmark command runs end to end on small databases and prints one JSON line per
measurement with its figures and baseline (a correctness test, not a timing test)."""
import json
import os

import pytest

from bench.__main__ import main

KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("GUESTREL_TEST_DATABASE_URL") else [])
SMALL = ["--guests", "500", "--lookups", "20", "--searches", "20", "--warmup", "2",
         "--events", "200", "--reservations", "100", "--streams", "3", "--check-ins", "3"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_bench_command_prints_each_measurement_with_its_baseline(kind, capsys, monkeypatch):
    if kind == "postgresql":
        monkeypatch.setenv("GUESTREL_BENCH_POSTGRES_URL", os.environ["GUESTREL_TEST_DATABASE_URL"])
    main([*SMALL, "--db", kind])

    lines = {line["bench"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert list(lines) == ["guest_lookup_by_external_id", "guest_search", "sync_burst", "reservation_import",
                           "alert_latency"]
    assert all(line["db"] == kind for line in lines.values())
    for name in ("guest_lookup_by_external_id", "guest_search"):
        assert lines[name]["guests"] == 500
        for figure in ("p50_ms", "p99_ms", "per_s", "baseline_p50_ms", "baseline_p99_ms"):
            assert lines[name][figure] > 0, (name, figure)
    burst = lines["sync_burst"]
    assert burst["events"] == 200 and burst["duplicates_sent"] == 40
    assert burst["duplicate_effects"] == 0 and burst["missing_effects"] == 0
    assert burst["events_per_s"] > 0 and burst["baseline_events_per_s"] > 0
    imported = lines["reservation_import"]
    assert imported["reservations"] == 100 and imported["rows"] > imported["reservations"]
    assert imported["rows_per_s"] > 0 and imported["baseline_rows_per_s"] > 0 and imported["ratio"] > 0
    alerts = lines["alert_latency"]
    assert alerts["streams"] == 3 and alerts["check_ins"] == 3
    for figure in ("p50_ms", "p99_ms", "first_page_p50_ms", "baseline_p50_ms", "baseline_p99_ms"):
        assert alerts[figure] > 0, figure


def test_only_runs_the_named_benchmarks(capsys):
    main([*SMALL, "--db", "sqlite", "--only", "sync_burst"])

    assert [json.loads(line)["bench"] for line in capsys.readouterr().out.splitlines()] == ["sync_burst"]


def test_an_unknown_benchmark_name_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--only", "sync_burst,nonsense"])

    assert exited.value.code == 2 and "nonsense" in capsys.readouterr().err
