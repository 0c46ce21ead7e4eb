"""Set-based seeding of guests, their external ids, search terms and preferences.

Each table is filled by one INSERT ... SELECT over a generated series of row numbers (PostgreSQL's
generate_series, a recursive CTE on SQLite), joined to small pick tables of weighted names: a
million guests take seconds, not the hours a row-by-row loop through the ORM would.

The search terms of the names are computed once per pair of a given and a family name by
guestrel.guests.search.terms_for (pinyin of the Chinese full names included) into a pick table
that the guests join; those of the e-mail and member number in SQL. tests/bench checks the
result against terms_for.
"""
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bench import names
from bench.dialects import Dialect, pick
from guestrel.guests.search import EMAIL_MARK, terms_for

# Share of guests, in percent, that have each optional attribute.
WITH_EMAIL = 85
WITH_PHONE = 70
WITH_BIRTHDAY = 30
WITH_MEMBER_NUMBER = 30
VIP = 3
# Every guest has an external id: Opera below OPERA_BELOW, Mews from MEWS_FROM; between both.
OPERA_BELOW = 55
MEWS_FROM = 40
WITH_PREFERENCE = 40
WITH_SECOND_PREFERENCE = 12

_PICK_TABLES = ("bench_cultures", "bench_names", "bench_name_terms", "bench_preference_values")


@dataclass(frozen=True)
class SeedResult:
    first_id: int
    last_id: int
    guests: int
    external_ids: int
    search_terms: int
    preferences: int
    seconds: float


def seed(connection: sa.Connection, guests: int, progress=lambda message: None) -> SeedResult:
    """Add `guests` guests with external ids, search terms and preferences, in the connection's
    transaction. Existing rows are kept: the new guests get ids after the highest one."""
    dialect = Dialect(connection.dialect.name)
    started = time.perf_counter()
    first = (connection.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM guests")).scalar_one()) + 1
    last = first + guests - 1

    _create_pick_tables(connection)
    if dialect.name == "postgresql":
        _plan_with_hash_joins(connection)
    steps = (
        ("guests", _insert_guests),
        ("guest_external_ids", _insert_external_ids),
        ("guest_search_terms", _insert_search_terms),
        ("preferences", _insert_preferences),
    )
    counts = {}
    for table, insert in steps:
        step_started = time.perf_counter()
        counts[table] = connection.execute(sa.text(insert(dialect, first, last))).rowcount
        progress(f"{table}: {counts[table]:,} rows in {time.perf_counter() - step_started:.1f} s")
    for table in _PICK_TABLES:
        connection.execute(sa.text(f"DROP TABLE {table}"))
    if dialect.name == "postgresql":
        _advance_sequence(connection, last)
    return SeedResult(
        first_id=first,
        last_id=last,
        guests=counts["guests"],
        external_ids=counts["guest_external_ids"],
        search_terms=counts["guest_search_terms"],
        preferences=counts["preferences"],
        seconds=time.perf_counter() - started,
    )


def maintain(connection: sa.Connection):
    """What autovacuum does to a production PostgreSQL database soon after a bulk load: planner
    statistics, and a visibility map so that index-only scans need not visit the table. Without
    it a name search reads thousands of heap pages and runs several times slower. SQLite needs
    only the statistics. The connection must be in autocommit mode: VACUUM runs outside a
    transaction."""
    connection.execute(sa.text("VACUUM ANALYZE" if connection.dialect.name == "postgresql" else "ANALYZE"))


def _create_pick_tables(connection):
    connection.execute(sa.text(
        "CREATE TEMPORARY TABLE bench_cultures (idx INTEGER PRIMARY KEY, culture VARCHAR(8),"
        " family_first INTEGER, given_count INTEGER, family_count INTEGER, nationality_count INTEGER,"
        " language VARCHAR(8), phone_prefix VARCHAR(4), phone_base BIGINT)"
    ))
    connection.execute(sa.text(
        "CREATE TEMPORARY TABLE bench_names (culture VARCHAR(8), kind VARCHAR(16), idx INTEGER,"
        " name VARCHAR(100), han VARCHAR(20), PRIMARY KEY (culture, kind, idx))"
    ))
    connection.execute(sa.text(
        "CREATE TEMPORARY TABLE bench_name_terms (given VARCHAR(100), family VARCHAR(100), term VARCHAR(120),"
        " PRIMARY KEY (given, family, term))"
    ))
    connection.execute(sa.text(
        "CREATE TEMPORARY TABLE bench_preference_values (idx INTEGER PRIMARY KEY, category_id INTEGER,"
        " value VARCHAR(200), is_allergy BOOLEAN, for_arrival BOOLEAN)"
    ))
    cultures = []
    name_rows = [{"culture": "*", "kind": "domain", "idx": i, "name": d, "han": None}
                 for i, d in enumerate(names.EMAIL_DOMAINS)]
    for culture in names.CULTURES:
        lists = {
            "given": names.weighted(culture.given_names),
            "family": names.weighted(culture.family_names),
            "nationality": culture.nationalities,
        }
        for kind, values in lists.items():
            name_rows += [{"culture": culture.code, "kind": kind, "idx": i, "name": v, "han": names.HAN.get(v)}
                          for i, v in enumerate(values)]
        row = {
            "culture": culture.code, "family_first": int(culture.family_first),
            "given_count": len(lists["given"]), "family_count": len(lists["family"]),
            "nationality_count": len(culture.nationalities), "language": culture.language,
            "phone_prefix": culture.phone_prefix, "phone_base": culture.phone_base,
        }
        # One row per unit of weight: a uniform pick over the rows picks cultures by weight.
        cultures += [dict(row, idx=len(cultures) + i) for i in range(culture.weight)]
    connection.execute(sa.text(
        "INSERT INTO bench_cultures VALUES (:idx, :culture, :family_first, :given_count, :family_count,"
        " :nationality_count, :language, :phone_prefix, :phone_base)"
    ), cultures)
    connection.execute(sa.text("INSERT INTO bench_names VALUES (:culture, :kind, :idx, :name, :han)"), name_rows)
    connection.execute(sa.text("INSERT INTO bench_name_terms VALUES (:given, :family, :term)"), _name_terms())
    connection.execute(
        sa.text("INSERT INTO bench_preference_values VALUES (:idx, :category_id, :value, :is_allergy, :for_arrival)"),
        _preference_values(connection),
    )


def full_name(culture: names.Culture, given: str, family: str) -> str:
    if culture.family_first:
        return names.HAN[family] + names.HAN[given]
    return f"{given} {family}"


def _name_terms() -> list[dict]:
    """The terms of the names of every pair of a given and a family name of a culture."""
    rows = []
    for culture in names.CULTURES:
        for given, _weight in culture.given_names:
            for family, _weight in culture.family_names:
                terms = terms_for(given, family, full_name(culture, given, family), None)
                rows += [{"given": given, "family": family, "term": term} for term in sorted(terms)]
    return rows


def _plan_with_hash_joins(connection):
    """PostgreSQL estimates joins on computed picks a thousand times too small and picks nested
    loops that scan the pick tables once per guest: minutes instead of seconds. Hash joins read
    the series once whatever the estimate. Temporary tables are never analysed automatically."""
    for table in _PICK_TABLES:
        connection.execute(sa.text(f"ANALYZE {table}"))
    connection.execute(sa.text("SET LOCAL enable_nestloop = off"))


def _preference_values(connection) -> list[dict]:
    """The seed's preference categories, created unless a category with the code exists."""
    existing = dict(connection.execute(sa.text("SELECT code, id FROM preference_categories")).all())
    missing = [
        {"code": code, "name": name, "sort_order": 100 + i, "is_allergy": allergy, "active": True}
        for i, (code, name, allergy, _values) in enumerate(names.PREFERENCE_CATEGORIES)
        if code not in existing
    ]
    if missing:
        connection.execute(sa.text(
            "INSERT INTO preference_categories (code, name, sort_order, is_allergy, active)"
            " VALUES (:code, :name, :sort_order, :is_allergy, :active)"
        ), missing)
        existing = dict(connection.execute(sa.text("SELECT code, id FROM preference_categories")).all())
    values = [
        {"category_id": existing[code], "value": value, "is_allergy": allergy, "for_arrival": code in names.ARRIVAL_CATEGORIES}
        for code, _name, allergy, category_values in names.PREFERENCE_CATEGORIES
        for value in category_values
    ]
    return [dict(row, idx=i) for i, row in enumerate(values)]


def _insert_guests(dialect: Dialect, first: int, last: int) -> str:
    n = "s.n"
    local_part = (
        f"CASE WHEN d.name = 'qq.com' THEN CAST(10000 + {n} * 7 AS TEXT)"
        f" ELSE lower(g.name) || '.' || lower(f.name) || CAST({n} AS TEXT) END"
    )
    # Over eight years: a day, then a second of that day.
    created_at = dialect.seconds_after("2018-01-01 00:00:00", f"{pick(n, 9, 2922)} * 86400 + {pick(n, 19, 86400)}")
    return f"""
        INSERT INTO guests (id, given_name, family_name, full_name, email, phone, birthday,
                            nationality, language, vip_code, member_number, version, created_at, updated_at)
        {dialect.with_recursive} {dialect.series(first, last)}
        SELECT {n}, g.name, f.name,
               CASE WHEN c.family_first = 1 THEN f.han || g.han ELSE g.name || ' ' || f.name END,
               CASE WHEN {pick(n, 3, 100)} < {WITH_EMAIL} THEN {local_part} || '@' || d.name END,
               CASE WHEN {pick(n, 4, 100)} < {WITH_PHONE}
                    THEN c.phone_prefix || CAST(c.phone_base + {n} AS TEXT) END,
               CASE WHEN {pick(n, 5, 100)} < {WITH_BIRTHDAY}
                    THEN {dialect.days_after('1950-01-01', pick(n, 6, 18250))} END,
               nat.name, c.language,
               CASE WHEN {pick(n, 7, 100)} < {VIP} THEN 'VIP' || CAST(1 + {pick(n, 8, 3)} AS TEXT) END,
               CASE WHEN {pick(n, 23, 100)} < {WITH_MEMBER_NUMBER} THEN 'GR' || {dialect.zero_padded(n, 8)} END,
               1,
               {created_at}, {created_at}
        -- CROSS JOIN keeps SQLite's join order: each series row looks its picks up by primary key
        -- (PostgreSQL plans it like any inner join).
        FROM series s
        CROSS JOIN bench_cultures c CROSS JOIN bench_names g CROSS JOIN bench_names f
        CROSS JOIN bench_names nat CROSS JOIN bench_names d
        WHERE c.idx = {pick(n, 0, names.culture_weight_total())}
          AND g.culture = c.culture AND g.kind = 'given' AND g.idx = {pick(n, 1, 'c.given_count')}
          AND f.culture = c.culture AND f.kind = 'family' AND f.idx = {pick(n, 2, 'c.family_count')}
          AND nat.culture = c.culture AND nat.kind = 'nationality'
          AND nat.idx = {pick(n, 10, 'c.nationality_count')}
          AND d.culture = '*' AND d.kind = 'domain' AND d.idx = {pick(n, 11, len(names.EMAIL_DOMAINS))}
    """


def _insert_external_ids(dialect: Dialect, first: int, last: int) -> str:
    share = pick("id", 12, 100)
    # (id * 48271) mod (2**31 - 1) is a bijection on 1 .. 2**31 - 2: unique, random-looking ids.
    opera_id = "CAST((CAST(id AS BIGINT) * 48271) % 2147483647 AS TEXT)"
    # UUID-shaped like Mews ids; the last group, the guest id, keeps them unique.
    p, q, r = (pick("id", salt, 2**24) for salt in (20, 21, 22))
    mews_id = (
        f"{dialect.hex(p, 6)} || {dialect.hex(f'{q} % 256', 2)} || '-' || {dialect.hex(f'{q} / 256', 4)}"
        f" || '-4' || {dialect.hex(f'{r} % 4096', 3)} || '-a' || {dialect.hex(f'{r} / 4096', 3)}"
        f" || '-' || {dialect.hex('id', 12)}"
    )
    in_range = f"id BETWEEN {first} AND {last}"
    return f"""
        INSERT INTO guest_external_ids (guest_id, system, external_id, created_at)
        SELECT id, 'opera', {opera_id}, created_at FROM guests WHERE {in_range} AND {share} < {OPERA_BELOW}
        UNION ALL
        SELECT id, 'mews', {mews_id}, created_at FROM guests WHERE {in_range} AND {share} >= {MEWS_FROM}
    """


def _insert_search_terms(dialect: Dialect, first: int, last: int) -> str:
    in_range = f"id BETWEEN {first} AND {last}"
    return f"""
        INSERT INTO guest_search_terms (guest_id, term)
        SELECT g.id, t.term FROM guests g
        JOIN bench_name_terms t ON t.given = g.given_name AND t.family = g.family_name
        WHERE g.{in_range}
        UNION ALL SELECT id, '{EMAIL_MARK}' || lower(email) FROM guests WHERE {in_range} AND email IS NOT NULL
        UNION ALL SELECT id, '{EMAIL_MARK}' || lower({dialect.email_domain('email')}) FROM guests
                  WHERE {in_range} AND email IS NOT NULL
        UNION ALL SELECT id, lower(member_number) FROM guests WHERE {in_range} AND member_number IS NOT NULL
    """


def _insert_preferences(dialect: Dialect, first: int, last: int) -> str:
    in_range = f"g.id BETWEEN {first} AND {last}"
    rows = []
    for salt, share in ((13, WITH_PREFERENCE), (16, WITH_SECOND_PREFERENCE)):
        rows.append(f"""
            SELECT g.id, v.category_id, v.value,
                   CASE WHEN {pick('g.id', salt + 1, 3)} = 0 THEN 'pms' ELSE 'staff' END,
                   v.for_arrival, v.for_arrival,
                   CASE WHEN v.is_allergy THEN 'critical' ELSE 'normal' END,
                   g.created_at, 1
            FROM guests g
            JOIN bench_preference_values v
              ON v.idx = {pick('g.id', salt + 2, names.preference_value_count())}
            WHERE {in_range} AND {pick('g.id', salt, 100)} < {share}
        """)
    return f"""
        INSERT INTO preferences (guest_id, category_id, value, source, alert_at_check_in,
                                 prepare_before_arrival, priority, recorded_at, version)
        {" UNION ALL ".join(rows)}
    """


def _advance_sequence(connection, last: int):
    """Ids were given explicitly: move the sequence past them so the app's next guest fits."""
    sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence('guests', 'id')")).scalar_one()
    current = connection.execute(sa.text(f"SELECT last_value FROM {sequence}")).scalar_one()
    connection.execute(sa.text("SELECT setval(:sequence, :value)"), {"sequence": sequence, "value": max(current, last)})
