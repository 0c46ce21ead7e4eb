"""Configuration: environment variables override defaults; the embedded SQLite is set up for
several readers and a writer at once."""
from pathlib import Path

import sqlalchemy as sa

from guestrel import create_app
from guestrel.config import ENVIRONMENT_KEYS
from guestrel.extensions import db


def test_environment_variables_override_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("GUESTREL_DATABASE_URL", f"sqlite:///{tmp_path / 'other.db'}")
    monkeypatch.setenv("GUESTREL_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("GUESTREL_REDIS_URL", "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("GUESTREL_SECURE_COOKIES", "1")
    monkeypatch.setenv("GUESTREL_MAX_CONTENT_LENGTH", "2048")

    app = create_app()

    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'other.db'}"
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/5"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 2048


def test_embedded_sqlite_uses_wal_a_busy_timeout_and_foreign_keys(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() == 5000
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_without_a_configured_key_a_secret_is_generated_once_and_kept(monkeypatch):
    monkeypatch.delenv("GUESTREL_SECRET_KEY", raising=False)
    first = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    second = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["SECRET_KEY"]
    assert first == second and len(first) >= 40


def test_every_environment_variable_is_in_the_readmes_configuration_table():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## Architecture")]
    assert [name for name in ENVIRONMENT_KEYS if f"`{name}`" not in table] == []
