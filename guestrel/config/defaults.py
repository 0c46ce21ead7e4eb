"""Defaults for the embedded set-up: SQLite under instance/, everything in one process."""

SQLALCHEMY_DATABASE_URI = None  # filled with instance/guestrel.db when unset
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
SQLALCHEMY_TRACK_MODIFICATIONS = False
SQLITE_BUSY_TIMEOUT_MS = 5000

SECRET_KEY = None  # generated once into instance/secret_key when unset
# Encrypts connection secrets at rest; SECRET_KEY is used when unset.
GUESTREL_SECRETS_KEY = None
GUESTREL_REDIS_URL = None
# Where background jobs wait: None picks Redis when GUESTREL_REDIS_URL is set, else a SQLite
# file (GUESTREL_JOBS_SQLITE_PATH, default instance/jobs.sqlite3); "immediate" runs them at once.
GUESTREL_JOBS = None
GUESTREL_JOBS_SQLITE_PATH = None
# The queue's name: installations sharing one Redis keep their jobs apart by it.
GUESTREL_JOBS_QUEUE = "guestrel"
# Fetching from a PMS that is away is retried with exponential backoff and jitter, starting at
# the base and growing to the cap; after the attempts the payload fails and waits for a replay.
GUESTREL_RETRY_BASE_SECONDS = 30
GUESTREL_RETRY_CAP_SECONDS = 3600
GUESTREL_INBOX_MAX_ATTEMPTS = 12
# A payload whose job was lost (a worker killed) is queued again after this long.
GUESTREL_INBOX_RECOVER_AFTER_SECONDS = 300
# Outbox deliveries that fail are tried again after exponential backoff with full jitter (a
# random wait up to base * 2^(tries-1), at most the cap; a vendor's Retry-After is kept exactly)
# and become dead letters, retried only by staff, after this many tries.
GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS = 30
GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS = 3600
GUESTREL_OUTBOX_MAX_ATTEMPTS = 8
GUESTREL_SECURE_COOKIES = False
# Names of installed plugins (their entry point names) to leave unloaded, e.g. a broken one.
GUESTREL_PLUGINS_BLOCKED = ()

# Browser session cookies: never readable from scripts, never sent on cross-site requests.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
PERMANENT_SESSION_LIFETIME = 12 * 3600

# Request bodies above this size are refused with 413 before they are read.
MAX_CONTENT_LENGTH = 1024 * 1024
# Files uploaded for import (a legacy system's export of 100,000 rows is some tens of MB).
GUESTREL_IMPORT_MAX_CONTENT_LENGTH = 64 * 1024 * 1024

RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
GUESTREL_LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
GUESTREL_LOGIN_LIMIT_PER_ADDRESS = "30 per 15 minutes"

# Phone numbers written without a country code are read in this region.
GUESTREL_DEFAULT_PHONE_REGION = "CN"

BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"
GUESTREL_LANGUAGES = {"en": "English", "zh_Hans_CN": "简体中文"}

API_TITLE = "guestrel"
API_VERSION = "v1"
OPENAPI_VERSION = "3.1.0"
OPENAPI_URL_PREFIX = "/api"
OPENAPI_JSON_PATH = "v1/openapi.json"
OPENAPI_SWAGGER_UI_PATH = None  # served by guestrel.web from vendored assets instead of a CDN
API_SPEC_OPTIONS = {
    "info": {"description": "Guest profiles, preferences and special dates for hotel integrations."},
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "API key"}}
    },
    "security": [{"bearer": []}],
}

# API clients record when they were last used, at most this often, to keep reads cheap.
GUESTREL_API_CLIENT_TOUCH_SECONDS = 60

# Live push of check-in alerts to the front-desk pages (guestrel.alerts.live). Each open page
# holds a server thread while it waits, so a process keeps at most GUESTREL_LIVE_STREAMS_MAX
# streams, fewer than its threads (gunicorn.conf.py); a page over the limit tries again later.
GUESTREL_LIVE_STREAMS_MAX = 200
# Without Redis, how often each process looks for events raised by another (the job worker).
GUESTREL_LIVE_POLL_SECONDS = 0.5
# A comment keeps idle streams open through proxies and finds browsers that went away.
GUESTREL_LIVE_HEARTBEAT_SECONDS = 15
# A stream ends after this long; the browser reconnects at once, its session checked again.
GUESTREL_LIVE_STREAM_SECONDS = 300
GUESTREL_LIVE_RETRY_MS = 3000
