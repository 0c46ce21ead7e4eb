"""Settings for the test suite: fast password hashing, no CSRF on the test client unless asked."""

TESTING = True
SECRET_KEY = "test-secret-key-not-for-production"
WTF_CSRF_ENABLED = False
GUESTREL_ARGON2_FAST = True
RATELIMIT_STORAGE_URI = "memory://"
# Jobs run in the caller, so a test sees their effect at once; tests of the worker override it.
GUESTREL_JOBS = "immediate"
# Streams in tests see other processes' events quickly and end soon.
GUESTREL_LIVE_POLL_SECONDS = 0.1
