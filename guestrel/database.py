"""Column types and engine settings shared by every domain's models."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """Timestamps are stored and returned in UTC, aware, on SQLite (which drops the zone) too."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def prefix_string(length: int) -> sa.types.TypeEngine:
    """A string compared byte-wise, so `term >= :p AND term < :p_end` is an indexed prefix scan
    on PostgreSQL whatever the database's collation."""
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


def configure_sqlite(engine, busy_timeout_ms: int):
    """WAL lets readers and a writer work at once; the busy timeout makes writers wait, not fail."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
