"""Configuration: defaults, then a mapping or object given to create_app, then GUESTREL_* variables."""
import os
import secrets
from pathlib import Path

from guestrel.config import defaults

# Environment variable -> config key. Variables win over everything else so an operator can
# always change a deployed server without editing files.
ENVIRONMENT_KEYS = {
    "GUESTREL_DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
    "GUESTREL_SECRET_KEY": "SECRET_KEY",
    "GUESTREL_SECRETS_KEY": "GUESTREL_SECRETS_KEY",
    "GUESTREL_REDIS_URL": "GUESTREL_REDIS_URL",
    "GUESTREL_DEFAULT_PHONE_REGION": "GUESTREL_DEFAULT_PHONE_REGION",
    "GUESTREL_LOGIN_LIMIT_PER_ACCOUNT": "GUESTREL_LOGIN_LIMIT_PER_ACCOUNT",
    "GUESTREL_LOGIN_LIMIT_PER_ADDRESS": "GUESTREL_LOGIN_LIMIT_PER_ADDRESS",
    "GUESTREL_SECURE_COOKIES": "GUESTREL_SECURE_COOKIES",
    "GUESTREL_MAX_CONTENT_LENGTH": "MAX_CONTENT_LENGTH",
    "GUESTREL_IMPORT_MAX_CONTENT_LENGTH": "GUESTREL_IMPORT_MAX_CONTENT_LENGTH",
    "GUESTREL_PLUGINS_BLOCKED": "GUESTREL_PLUGINS_BLOCKED",
    "GUESTREL_JOBS": "GUESTREL_JOBS",
    "GUESTREL_JOBS_SQLITE_PATH": "GUESTREL_JOBS_SQLITE_PATH",
    "GUESTREL_JOBS_QUEUE": "GUESTREL_JOBS_QUEUE",
    "GUESTREL_RETRY_BASE_SECONDS": "GUESTREL_RETRY_BASE_SECONDS",
    "GUESTREL_RETRY_CAP_SECONDS": "GUESTREL_RETRY_CAP_SECONDS",
    "GUESTREL_INBOX_MAX_ATTEMPTS": "GUESTREL_INBOX_MAX_ATTEMPTS",
    "GUESTREL_INBOX_RECOVER_AFTER_SECONDS": "GUESTREL_INBOX_RECOVER_AFTER_SECONDS",
    "GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS": "GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS",
    "GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS": "GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS",
    "GUESTREL_OUTBOX_MAX_ATTEMPTS": "GUESTREL_OUTBOX_MAX_ATTEMPTS",
    "GUESTREL_LIVE_STREAMS_MAX": "GUESTREL_LIVE_STREAMS_MAX",
    "GUESTREL_LIVE_POLL_SECONDS": "GUESTREL_LIVE_POLL_SECONDS",
}
INTEGER_KEYS = {
    "MAX_CONTENT_LENGTH", "GUESTREL_RETRY_BASE_SECONDS", "GUESTREL_RETRY_CAP_SECONDS", "GUESTREL_INBOX_MAX_ATTEMPTS",
    "GUESTREL_INBOX_RECOVER_AFTER_SECONDS", "GUESTREL_IMPORT_MAX_CONTENT_LENGTH", "GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS",
    "GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS", "GUESTREL_OUTBOX_MAX_ATTEMPTS", "GUESTREL_LIVE_STREAMS_MAX",
}
FLOAT_KEYS = {"GUESTREL_LIVE_POLL_SECONDS"}
BOOLEAN_KEYS = {"GUESTREL_SECURE_COOKIES"}
LIST_KEYS = {"GUESTREL_PLUGINS_BLOCKED"}


def configure(app, config=None):
    app.config.from_object(defaults)
    if config is not None:
        if isinstance(config, dict):
            app.config.update(config)
        else:
            app.config.from_object(config)
    for variable, key in ENVIRONMENT_KEYS.items():
        value = os.environ.get(variable)
        if value is None or value == "":
            continue
        if key in INTEGER_KEYS:
            value = int(value)
        elif key in FLOAT_KEYS:
            value = float(value)
        elif key in BOOLEAN_KEYS:
            value = value.lower() in {"1", "true", "yes", "on"}
        elif key in LIST_KEYS:
            value = tuple(item.strip() for item in value.split(",") if item.strip())
        app.config[key] = value

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'guestrel.db'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(instance)
    if app.config.get("GUESTREL_REDIS_URL") and app.config.get("RATELIMIT_STORAGE_URI") == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["GUESTREL_REDIS_URL"]
    if app.config.get("GUESTREL_SECURE_COOKIES"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _instance_secret_key(instance: Path) -> str:
    """The embedded default keeps a generated key under instance/ so sessions survive a restart."""
    path = instance / "secret_key"
    try:
        # O_EXCL: when several processes start at once, exactly one writes the key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as key_file:
        key_file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
