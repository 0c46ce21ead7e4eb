"""python -m bench [--guests N] [--events N] [--reservations N] [--db sqlite|postgresql|both]
[--only NAME,...]: on fresh databases, time guest look-ups by external id and the search box
(names, pinyin, typos, phones, member numbers) through the API against their bare SQL (on
--guests seeded guests), a burst of PMS webhooks
through the inbound endpoint and a CSV import of a hotel's past reservations, each against plain
executemany inserts of the rows it leaves."""
import argparse
import json
import os
import random
import signal
import sys
import tempfile
import time

import sqlalchemy as sa

from bench import alert_latency, burst, databases, measure, reservation_import, search_queries, seed, webhook_pms
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import Principal
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.properties import service as property_service
from guestrel.sync import connections

SEARCHES = ("guest_lookup_by_external_id", "guest_search")
BENCHES = (*SEARCHES, "sync_burst", "reservation_import", "alert_latency")
# The new benchmarks' databases: jobs run in the request that queues them, as a worker would run them.
IMMEDIATE_JOBS = {"GUESTREL_JOBS": "immediate"}

STARTED = time.perf_counter()


def say(message: str):
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--guests", type=int, default=1_000_000, help="guests to seed (default 1,000,000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"),
                        help="default: both when PostgreSQL is reachable at GUESTREL_BENCH_POSTGRES_URL, else sqlite")
    parser.add_argument("--lookups", type=int, default=1000, help="look-ups by external id to time (default 1000)")
    parser.add_argument("--searches", type=int, default=1000,
                        help="searches in the search box to time, of each kind alike (default 1000)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls of each kind first (default 50)")
    parser.add_argument("--random-seed", type=int, default=1,
                        help="picks the sampled guests and draws the events and the file (default 1)")
    parser.add_argument("--events", type=int, default=10_000,
                        help="PMS events in the sync burst, duplicates included (default 10,000)")
    parser.add_argument("--reservations", type=int, default=100_000,
                        help="past reservations in the imported file (default 100,000)")
    parser.add_argument("--streams", type=int, default=200,
                        help="open front-desk pages following live alerts (default 200)")
    parser.add_argument("--check-ins", type=int, default=200, help="check-ins to time for the alerts (default 200)")
    parser.add_argument("--redis-url", default=os.environ.get("GUESTREL_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="the Redis the alert benchmark's servers share (default redis://127.0.0.1:6379/0)")
    parser.add_argument("--only", type=_names, default=BENCHES, metavar="NAME,...",
                        help=f"run only these benchmarks, of {', '.join(BENCHES)} (default all)")
    args = parser.parse_args(argv)
    for option in ("guests", "events", "reservations", "streams", "check_ins"):
        if getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1")
    return args


def _names(text: str) -> tuple:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = sorted(set(names) - set(BENCHES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose among {', '.join(BENCHES)}; not {', '.join(unknown) or 'nothing'}")
    return names


def database_kinds(choice: str | None) -> list[str]:
    if choice == "both":
        return ["sqlite", "postgresql"]
    if choice is not None:
        return [choice]
    if databases.postgres_reachable():
        return ["sqlite", "postgresql"]
    say(f"PostgreSQL is not reachable at {databases.postgres_server_url().render_as_string()}: SQLite only")
    return ["sqlite"]


def sample_guest_ids(result: seed.SeedResult, count: int, rng: random.Random) -> list[int]:
    return rng.sample(range(result.first_id, result.last_id + 1), min(count, result.guests))


def external_ids_of(connection, guest_ids, rng: random.Random) -> list[tuple[str, str]]:
    """One external id of each guest, in the order of guest_ids."""
    rows = connection.execute(
        sa.text("SELECT guest_id, system, external_id FROM guest_external_ids WHERE guest_id IN :ids")
        .bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": guest_ids},
    ).all()
    by_guest = {}
    for guest_id, system, external_id in sorted(rows):
        by_guest.setdefault(guest_id, []).append((system, external_id))
    return [rng.choice(by_guest[guest_id]) for guest_id in guest_ids]


def run_searches(kind: str, args):
    """Seed a fresh database of this kind and yield one result line per selected search."""
    rng = random.Random(args.random_seed)
    with databases.fresh_database(kind) as url, databases.migrated_app(url) as app:
        with app.app_context():
            engine = db.engine
            say(f"{kind}: seeding {args.guests:,} guests")
            with engine.begin() as connection:
                result = seed.seed(connection, args.guests, progress=lambda message: say(f"{kind}: {message}"))
            maintenance_started = time.perf_counter()
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                seed.maintain(connection)
            say(f"{kind}: seeded in {result.seconds:.1f} s; ANALYZE (and VACUUM on PostgreSQL) took"
                f" {time.perf_counter() - maintenance_started:.1f} s")
            # As a front desk's integration: guests with their contact details, and the rooms of in-house guests.
            api_client, key = auth_service.create_api_client(name="Benchmark", scopes=["guests:read", "stays:read"])
            db.session.commit()
            principal = Principal.for_api_client(api_client)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        common = {"db": kind, "guests": result.guests, "seed_s": round(result.seconds, 1)}

        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            guest_ids = sample_guest_ids(result, args.lookups + args.warmup, rng)
            ids = external_ids_of(connection, guest_ids, rng)
            if "guest_lookup_by_external_id" in args.only:
                say(f"{kind}: timing {len(ids) - args.warmup} look-ups by external id")
                yield {"bench": "guest_lookup_by_external_id", **common, **measure.lookup_by_external_id(
                    client, headers, connection, ids[args.warmup:], ids[:args.warmup])}

            if "guest_search" in args.only:
                # A larger sample than needed: not every guest has a phone, a member number or a Chinese name.
                guests = search_queries.guests_of(connection, sample_guest_ids(result, 4 * (args.searches + args.warmup), rng))
                queries = search_queries.queries(guests, args.searches + args.warmup, rng)
                statements = {query: search_queries.statements_of(app, principal, query, measure.SEARCH_LIMIT)
                              for _kind, query in queries}
                say(f"{kind}: timing {len(queries) - args.warmup} searches")
                yield {"bench": "guest_search", **common, **measure.search_box(
                    client, headers, connection, queries[args.warmup:], queries[:args.warmup], statements)}


def _hotel_and_baseline_hotel() -> tuple[int, int]:
    """The property whose source is measured, and another one the baseline writes into."""
    ids = [property_service.create_property(OPERATOR, code=code, name=name, timezone="Asia/Shanghai",
                                            currency="CNY").id
           for code, name in (("BEN", "Benchmark Hotel"), ("BSL", "Baseline Hotel"))]
    return ids[0], ids[1]


def run_sync_burst(kind: str, args):
    events = burst.generate(args.events, random.Random(args.random_seed))
    with (webhook_pms.installed(), databases.fresh_database(kind) as url,
          databases.migrated_app(url, IMMEDIATE_JOBS) as app):
        with app.app_context():
            hotel_id, baseline_hotel_id = _hotel_and_baseline_hotel()
            view = connections.create_connection(OPERATOR, {
                "adapter": webhook_pms.NAME, "property_code": "BEN", "name": "Benchmark PMS"})
            inbound = f"/inbound/{view.connection.id}/{view.connection.inbound_token}"
            engine = db.engine
        say(f"{kind}: delivering {events.events:,} PMS events ({events.duplicates:,} duplicates)"
            f" in {len(events.deliveries)} deliveries")
        seconds = burst.deliver(app.test_client(), inbound, events)
        with engine.connect() as connection:
            effects = burst.duplicate_effects(connection, hotel_id, events)
            missing = burst.missing_effects(connection, hotel_id, events)
        say(f"{kind}: delivered in {seconds:.1f} s; duplicate effects by kind {effects}; writing the baseline")
        baseline_seconds = burst.baseline(engine, baseline_hotel_id, events)
    yield {"bench": "sync_burst", "db": kind, "events": events.events, "batch": burst.BATCH,
           "deliveries": len(events.deliveries), "duplicates_sent": events.duplicates,
           "reservations": len(events.final), "guests": len(events.people),
           "normalised_events": len(events.normalised), "s": round(seconds, 2),
           "events_per_s": round(events.events / seconds, 1),
           "duplicate_effects": sum(effects.values()), "missing_effects": missing,
           "baseline_s": round(baseline_seconds, 3), "baseline_events_per_s": round(events.events / baseline_seconds, 1)}


def run_reservation_import(kind: str, args):
    export = reservation_import.generate(args.reservations, random.Random(args.random_seed))
    with (databases.fresh_database(kind) as url, databases.migrated_app(url, IMMEDIATE_JOBS) as app,
          tempfile.NamedTemporaryFile(prefix="guestrel_bench_", suffix=".csv") as file):
        file.write(export.body)
        file.flush()
        with app.app_context():
            hotel_id, baseline_hotel_id = _hotel_and_baseline_hotel()
            connection_id = connections.create_connection(OPERATOR, {
                "adapter": "csv_import", "property_code": "BEN", "name": "Legacy CRM export",
                "settings": {"timezone": "Asia/Shanghai"}}).connection.id
            engine = db.engine
        say(f"{kind}: importing {export.rows:,} rows ({len(export.stays):,} past stays of"
            f" {len(export.people):,} guests, {len(export.body) / 1e6:.1f} MB)")
        # As `flask guestrel import` runs it: in an app context of its own.
        with app.app_context():
            started = time.perf_counter()
            result = app.test_cli_runner().invoke(args=["guestrel", "import", str(connection_id), file.name])
            seconds = time.perf_counter() - started
        if result.exit_code != 0:
            raise measure.BenchError(f"the import failed: {result.output[-2000:]}") from result.exception
        with engine.connect() as connection:
            reservation_import.check(connection, hotel_id, export)
        say(f"{kind}: imported in {seconds:.1f} s; writing the baseline")
        baseline_seconds = reservation_import.baseline(engine, baseline_hotel_id, export)
    rows_per_s, baseline_rows_per_s = export.rows / seconds, export.rows / baseline_seconds
    yield {"bench": "reservation_import", "db": kind, "rows": export.rows, "reservations": len(export.stays),
           "guests": len(export.people), "s": round(seconds, 1), "rows_per_s": round(rows_per_s, 1),
           "baseline_s": round(baseline_seconds, 2), "baseline_rows_per_s": round(baseline_rows_per_s, 1),
           "ratio": round(baseline_rows_per_s / rows_per_s, 1)}


def run(kind: str, args):
    """Yield one result line per selected measurement, each group on fresh databases."""
    if set(SEARCHES) & set(args.only):
        yield from run_searches(kind, args)
    if "sync_burst" in args.only:
        yield from run_sync_burst(kind, args)
    if "reservation_import" in args.only:
        yield from run_reservation_import(kind, args)
    if "alert_latency" in args.only:
        yield from run_alert_latency(kind, args)


def run_alert_latency(kind: str, args):
    warmup = max(1, args.check_ins // 10)
    with databases.fresh_database(kind) as url, databases.migrated_app(url) as app:
        say(f"{kind}: {args.check_ins:,} check-ins, each to {args.streams} open pages on another server")
        timings = alert_latency.measure(app, url, args.redis_url, args.streams, args.check_ins, warmup)
    yield {"bench": "alert_latency", "db": kind, "streams": args.streams, "check_ins": args.check_ins, **timings,
           **alert_latency.baseline(args.redis_url, args.check_ins)}


def main(argv=None):
    args = parse_args(argv)
    # A stopped run still drops its PostgreSQL database: SIGTERM unwinds like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda _signal, _frame: sys.exit(143))
    # The benchmark only ever works on the databases it creates, never on a configured one.
    os.environ.pop("GUESTREL_DATABASE_URL", None)
    for kind in database_kinds(args.db):
        for line in run(kind, args):
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
