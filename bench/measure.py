"""Timing of API calls, each next to the bare SQL it stands on, over the same inputs in the same
run: the gap between the two is what the app adds, whatever the machine's speed."""
import math
import time

import sqlalchemy as sa

from guestrel.guests import search

LOOKUP_SQL = sa.text(
    "SELECT guests.* FROM guests JOIN guest_external_ids ON guest_external_ids.guest_id = guests.id"
    " WHERE guest_external_ids.system = :system AND guest_external_ids.external_id = :external_id"
)
SEARCH_LIMIT = 20
QUERY_KINDS = ("full_name", "family_prefix", "two_tokens")


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


def name_queries(guests) -> list[tuple[str, str]]:
    """(kind, query) per guest row (given_name, family_name, full_name), the kinds in turn:
    the full name as stored, the start of the family name, the family name and the start of the
    given name, as front-desk staff type them."""
    queries = []
    for index, (given, family, full_name) in enumerate(guests):
        kind = QUERY_KINDS[index % len(QUERY_KINDS)]
        query = {
            "full_name": full_name,
            "family_prefix": family[:3],
            "two_tokens": f"{family.lower()} {given[:2].lower()}",
        }[kind]
        queries.append((kind, query))
    return queries


def name_search(client, headers, connection, queries, warmup_queries) -> dict:
    """GET /api/v1/guests?q=...&limit=20 against the bare statement the guests service runs."""

    def api_call(kind_query):
        _kind, query = kind_query
        if not _get(client, headers, "/api/v1/guests", q=query, limit=SEARCH_LIMIT)["items"]:
            raise BenchError(f"the search for {query!r} found nobody")

    def baseline_call(kind_query):
        _kind, query = kind_query
        # The statement the guests service runs, one row more than a page to know if more follow.
        statement = search.search_statement(
            connection.dialect.name, tokens=search.query_tokens(query), limit=SEARCH_LIMIT + 1
        )
        if not connection.execute(statement).all():
            raise BenchError(f"the search for {query!r} found nobody")

    api, baseline = timed_pairs(queries, warmup_queries, api_call, baseline_call)
    by_query = {}
    for kind in QUERY_KINDS:
        picked = [i for i, (k, _q) in enumerate(queries) if k == kind]
        by_query[kind] = {
            "examples": sorted({queries[i][1] for i in picked})[:3],
            **figures([api[i] for i in picked]),
            **figures([baseline[i] for i in picked], "baseline_"),
        }
    return {"samples": len(queries), **figures(api), **figures(baseline, "baseline_"),
            "target_p99_ms": 100, "by_query": by_query}
