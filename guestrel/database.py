"""Column types and engine settings shared by every domain's models."""
from contextlib import contextmanager
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session


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


DEFERRED_KEY = "guestrel.after_commit"


def after_commit(session: Session, callback):
    """Run `callback` once what `session` holds is really committed: at once when the caller
    committed it already, at the end of the enclosing one_transaction otherwise (discarded when
    that rolls back). Facts announced to listeners outside the database (hooks, live pushes)
    must not reach them before the change is durable, nor twice when a block is retried."""
    deferred = session.info.get(DEFERRED_KEY)
    if deferred is None:
        callback()
    else:
        deferred.append(callback)


@contextmanager
def one_transaction(scoped: scoped_session, *, dry_run: bool = False):
    """Run the block in one database transaction although the services it calls commit on their
    own: inside, `scoped` (db.session) is a session joined to an outer transaction, so a
    service's commit releases a savepoint and its rollback returns to one; the outer transaction
    commits when the block ends, or rolls back entirely on an exception or with `dry_run`.

    This is what makes an inbound event and its effects one unit (a worker killed half-way
    leaves neither) and an imported row all-or-nothing. On SQLite the block holds the write lock
    from the start (BEGIN IMMEDIATE): it writes anyway, and taking the lock late could fail
    without waiting when another writer got in between.

    Inside another one_transaction the block is a savepoint of it (see _savepoint): it is kept
    or rolled back on its own, and the outer block still decides what is finally committed, so
    a dry run of many all-or-nothing units is one outer block with `dry_run` around them."""
    previous = scoped.registry() if scoped.registry.has() else None
    if previous is not None and DEFERRED_KEY in previous.info:
        with _savepoint(scoped, previous, dry_run=dry_run) as session:
            yield session
        return
    engine = scoped.get_bind()
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # pysqlite otherwise opens and ends transactions itself, which breaks savepoints.
            saved_isolation, driver.isolation_level = driver.isolation_level, None
        try:
            outer = connection.begin()
            if sqlite:
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            session = Session(bind=connection, join_transaction_mode="create_savepoint")
            session.info[DEFERRED_KEY] = deferred = []
            scoped.registry.set(session)
            try:
                yield session
                session.flush()
                if dry_run:
                    outer.rollback()
                else:
                    outer.commit()
            except BaseException:
                outer.rollback()
                raise
            finally:
                session.close()
                if previous is None:
                    scoped.registry.clear()
                else:
                    scoped.registry.set(previous)
        finally:
            if sqlite:
                driver.isolation_level = saved_isolation
    if not dry_run:
        for callback in deferred:
            callback()


@contextmanager
def _savepoint(scoped: scoped_session, enclosing: Session, *, dry_run: bool):
    """The nested block: a savepoint on the enclosing block's connection, with a session of its
    own above it, so the services' commits and rollbacks inside stay above the savepoint and a
    failure rolls back to it, leaving the enclosing block's work as it was. The block's
    after_commit callbacks join the enclosing block's once the savepoint is kept. Inside, use
    db.session only: objects loaded by the enclosing session must not be loaded or changed
    meanwhile."""
    enclosing.flush()
    connection = enclosing.bind
    savepoint = connection.begin_nested()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    session.info[DEFERRED_KEY] = deferred = []
    scoped.registry.set(session)
    try:
        try:
            yield session
            if dry_run:
                session.close()
                savepoint.rollback()
            else:
                session.commit()
                session.close()
                savepoint.commit()
                enclosing.info[DEFERRED_KEY].extend(deferred)
        except BaseException:
            session.close()
            if savepoint.is_active:
                savepoint.rollback()
            raise
    finally:
        scoped.registry.set(enclosing)


def refresh_planner_statistics(scoped: scoped_session):
    """Have PostgreSQL sample the tables again: a bulk load into a young database outgrows the
    statistics its plans are made from (autovacuum analyzes after the fact, or is off), and a
    plan made for ten rows reads a table of a hundred thousand once per row. SQLite's planner
    works from its indexes and needs nothing."""
    if scoped.get_bind().dialect.name == "postgresql":
        with one_transaction(scoped):
            scoped.execute(sa.text("ANALYZE"))
