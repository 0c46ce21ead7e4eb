"""Timing of API calls, each next to the bare SQL it stands on, over the same inputs in the same
run: the gap between the two is what the app adds, whatever the machine's speed."""
import math
import time

import sqlalchemy as sa

LOOKUP_SQL = sa.text(
    "SELECT guests.* FROM guests JOIN guest_external_ids ON guest_external_ids.guest_id = guests.id"
    " WHERE guest_external_ids.system = :system AND guest_external_ids.external_id = :external_id"
)
SEARCH_LIMIT = 20


class BenchError(RuntimeError):
    """An answer the benchmark cannot time honestly (an error, or nothing found)."""


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest rank: the smallest sample that at least `fraction` of all samples do not exceed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def figures(samples_ms: list[float], prefix: str = "") -> dict:
    return {
        f"{prefix}p50_ms": round(percentile(samples_ms, 0.50), 3),
        f"{prefix}p99_ms": round(percentile(samples_ms, 0.99), 3),
        f"{prefix}per_s": round(1000 * len(samples_ms) / sum(samples_ms), 1),
    }


def timed_pairs(items, warmup_items, api_call, baseline_call) -> tuple[list[float], list[float]]:
    """Milliseconds of api_call and baseline_call per item, interleaved so that other work on the
    machine slows both alike; which one goes first alternates."""
    for item in warmup_items:
        api_call(item)
        baseline_call(item)
    api, baseline = [], []
    for index, item in enumerate(items):
        pair = [(api, api_call), (baseline, baseline_call)]
        for samples, call in pair if index % 2 == 0 else reversed(pair):
            started = time.perf_counter()
            call(item)
            samples.append((time.perf_counter() - started) * 1000)
    return api, baseline


def _get(client, headers, url, **query):
    response = client.get(url, headers=headers, query_string=query)
    if response.status_code != 200:
        raise BenchError(f"{response.request.url} answered {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return response.get_json()


def lookup_by_external_id(client, headers, connection, ids, warmup_ids) -> dict:
    """GET /api/v1/guests/by-external-id/<system>/<id> against the join on guest_external_ids."""

    def api_call(pair):
        system, external_id = pair
        _get(client, headers, f"/api/v1/guests/by-external-id/{system}/{external_id}")

    def baseline_call(pair):
        system, external_id = pair
        if connection.execute(LOOKUP_SQL, {"system": system, "external_id": external_id}).first() is None:
            raise BenchError(f"no guest has the external id {system}/{external_id}")

    api, baseline = timed_pairs(ids, warmup_ids, api_call, baseline_call)
    return {"samples": len(ids), **figures(api), **figures(baseline, "baseline_"), "target_p99_ms": 20}


def search_box(client, headers, connection, queries, warmup_queries, statements) -> dict:
    """GET /api/v1/guests?q=...&limit=20, the search box, against the bare SQL statements it
    runs for the same query (`statements`: query -> [(SQL, parameters)], as sent to the driver)."""

    def api_call(kind_query):
        _kind, query = kind_query
        if not _get(client, headers, "/api/v1/guests", q=query, limit=SEARCH_LIMIT)["items"]:
            raise BenchError(f"the search for {query!r} found nobody")

    def baseline_call(kind_query):
        _kind, query = kind_query
        for statement, parameters in statements[query]:
            connection.exec_driver_sql(statement, parameters).all()

    api, baseline = timed_pairs(queries, warmup_queries, api_call, baseline_call)
    by_query = {}
    for kind in dict.fromkeys(kind for kind, _query in queries):
        picked = [i for i, (k, _q) in enumerate(queries) if k == kind]
        by_query[kind] = {
            "examples": sorted({queries[i][1] for i in picked})[:3],
            "statements": max(len(statements[queries[i][1]]) for i in picked),
            **figures([api[i] for i in picked]),
            **figures([baseline[i] for i in picked], "baseline_"),
        }
    return {"samples": len(queries), **figures(api), **figures(baseline, "baseline_"),
            "target_p99_ms": 100, "by_query": by_query}
