"""Shared fixtures. Every test that uses `app` runs on SQLite, and on PostgreSQL too when
GUESTREL_TEST_DATABASE_URL points at a server: each run gets a database of its own there."""
import os
import uuid

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from guestrel import create_app
from guestrel.auth import service as auth_service
from guestrel.config import testing
from guestrel.extensions import db
from guestrel.properties.models import Property

POSTGRES_URL = os.environ.get("GUESTREL_TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
PASSWORD = "correct horse battery staple"


def _testing_config(url, **overrides):
    config = {key: getattr(testing, key) for key in dir(testing) if key.isupper()}
    config["SQLALCHEMY_DATABASE_URI"] = url
    config.update(overrides)
    return config


def _create_postgres_database() -> str:
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"guestrel_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str):
    name = make_url(url).database
    server = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request, tmp_path_factory):
    """A database migrated to the newest schema, once per test session and database kind."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'guestrel.db'}"
    else:
        url = _create_postgres_database()
    app = create_app(_testing_config(url))
    with app.app_context():
        upgrade()
        REFERENCE_ROWS[url] = _read_reference_rows()
        db.engine.dispose()
    yield url
    if request.param == "postgresql":
        _drop_postgres_database(url)


# Rows that data migrations put in (e.g. default preference categories), per database: every
# test starts from exactly what a freshly migrated installation holds.
REFERENCE_ROWS = {}


def _read_reference_rows():
    with db.engine.connect() as connection:
        return {
            table: connection.execute(table.select()).mappings().all()
            for table in db.metadata.sorted_tables
        }


def _reset_to_migrated_state(url):
    tables = db.metadata.sorted_tables
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(table.name for table in tables)
        # Sequences keep counting, so re-inserted reference rows never collide with new ids.
        db.session.execute(sa.text(f"TRUNCATE {names} CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(table.delete())
    for table in tables:
        rows = REFERENCE_ROWS[url][table]
        if rows:
            db.session.execute(table.insert(), [dict(row) for row in rows])
    db.session.commit()


class FreshContextClient(FlaskClient):
    """Each request gets its own app context, as in production, even while the test holds one
    open: nothing cached on `g` (the signed-in user, the principal, the locale) leaks from one
    request into the next."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def make_app(database_url):
    """Build an app on the test database with extra config; tables are emptied after the test."""
    apps = []

    def factory(**overrides):
        app = create_app(_testing_config(database_url, **overrides))
        app.test_client_class = FreshContextClient
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
            if app is apps[0]:
                _reset_to_migrated_state(database_url)
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def hotels(app):
    """Two hotels of the demo chain: A in Shanghai, B in Hangzhou."""
    a = Property(code="SHA", name="Shanghai Bund", timezone="Asia/Shanghai", currency="CNY")
    b = Property(code="HGH", name="Hangzhou West Lake", timezone="Asia/Shanghai", currency="CNY")
    db.session.add_all([a, b])
    db.session.commit()
    return a, b


@pytest.fixture
def make_staff(app):
    counter = iter(range(1, 10_000))

    def factory(role="front_desk", properties=(), email=None, locale=None):
        staff = auth_service.create_staff(
            email=email or f"{role}{next(counter)}@example.test",
            name=f"{role.replace('_', ' ').title()} Tester",
            password=PASSWORD,
            role=role,
            properties=properties,
            locale=locale,
        )
        db.session.commit()
        return staff

    return factory


@pytest.fixture
def login(client):
    """Sign a staff member in through the real login form."""

    def do_login(staff, password=PASSWORD, test_client=None):
        test_client = test_client or client
        response = test_client.post("/login", data={"email": staff.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return test_client

    return do_login


@pytest.fixture
def make_api_key(app):
    """A bearer key for a new API client with the given scopes and properties."""

    def factory(*scopes, properties=(), name="Test integration"):
        _client, key = auth_service.create_api_client(name=name, scopes=scopes, properties=properties)
        db.session.commit()
        return {"Authorization": f"Bearer {key}"}

    return factory
