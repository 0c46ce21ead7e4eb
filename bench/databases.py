"""Throw-away databases for a benchmark run: a SQLite file in a temporary directory, or a
PostgreSQL database `guestrel_bench_<random>` created on the server and dropped afterwards. The
benchmark never writes to, nor drops, any database it did not create."""
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from guestrel import create_app
from guestrel.extensions import db

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_server_url() -> sa.URL:
    """The server to create benchmark databases on; its own database is only used to connect."""
    url = os.environ.get("GUESTREL_BENCH_POSTGRES_URL") or DEFAULT_POSTGRES_URL
    return make_url(url).set(drivername="postgresql+psycopg")


def postgres_reachable() -> bool:
    engine = sa.create_engine(postgres_server_url(), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@contextlib.contextmanager
def fresh_database(kind: str):
    """The URL of a new, empty database of the given kind, removed when the block ends."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="guestrel_bench_") as directory:
            yield f"sqlite:///{Path(directory) / 'bench.db'}"
        return
    server = postgres_server_url()
    name = f"guestrel_bench_{secrets.token_hex(6)}"
    _on_server(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _on_server(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _on_server(server: sa.URL, statement: str):
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@contextlib.contextmanager
def migrated_app(url: str, config: dict | None = None):
    """The app on `url` with `config` added, migrated to the newest schema. No app context is
    left pushed: each request through the test client gets its own, and its own session, as in
    production."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secrets.token_urlsafe(32), **(config or {})})
    if app.config["SQLALCHEMY_DATABASE_URI"] != url:
        # An environment variable overrode the URL: seeding there would fill a real database.
        raise RuntimeError("the app ignored the benchmark database URL; unset GUESTREL_DATABASE_URL")
    try:
        with app.app_context():
            upgrade()
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
