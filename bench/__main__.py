"""python -m bench [--guests N] [--db sqlite|postgresql|both]: seed fresh databases, then time
guest look-ups by external id and name searches through the API against their bare SQL."""
import argparse
import json
import os
import random
import signal
import sys
import time

import sqlalchemy as sa

from bench import databases, measure, seed
from guestrel.auth import service as auth_service
from guestrel.extensions import db

STARTED = time.perf_counter()


def say(message: str):
    print(f"[{time.perf_counter() - STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--guests", type=int, default=1_000_000, help="guests to seed (default 1,000,000)")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"),
                        help="default: both when PostgreSQL is reachable at GUESTREL_BENCH_POSTGRES_URL, else sqlite")
    parser.add_argument("--lookups", type=int, default=1000, help="look-ups by external id to time (default 1000)")
    parser.add_argument("--searches", type=int, default=999, help="name searches to time (default 999)")
    parser.add_argument("--warmup", type=int, default=50, help="untimed calls of each kind first (default 50)")
    parser.add_argument("--random-seed", type=int, default=1, help="picks the sampled guests (default 1)")
    args = parser.parse_args(argv)
    if args.guests < 1:
        parser.error("--guests must be at least 1")
    return args


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


def names_of(connection, guest_ids) -> list[tuple[str, str, str]]:
    rows = connection.execute(
        sa.text("SELECT id, given_name, family_name, full_name FROM guests WHERE id IN :ids")
        .bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": guest_ids},
    ).all()
    by_id = {row.id: (row.given_name, row.family_name, row.full_name) for row in rows}
    return [by_id[guest_id] for guest_id in guest_ids]


def run(kind: str, args):
    """Seed a fresh database of this kind and yield one result line per measurement."""
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
            _client, key = auth_service.create_api_client(name="Benchmark", scopes=["guests:read"])
            db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {key}"}
        common = {"db": kind, "guests": result.guests, "seed_s": round(result.seconds, 1)}

        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            guest_ids = sample_guest_ids(result, args.lookups + args.warmup, rng)
            ids = external_ids_of(connection, guest_ids, rng)
            say(f"{kind}: timing {len(ids) - args.warmup} look-ups by external id")
            yield {"bench": "guest_lookup_by_external_id", **common,
                   **measure.lookup_by_external_id(client, headers, connection, ids[args.warmup:], ids[:args.warmup])}

            queries = measure.name_queries(names_of(connection, sample_guest_ids(result, args.searches + args.warmup, rng)))
            say(f"{kind}: timing {len(queries) - args.warmup} name searches")
            yield {"bench": "guest_name_search", **common,
                   **measure.name_search(client, headers, connection, queries[args.warmup:], queries[:args.warmup])}


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
