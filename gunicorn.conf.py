"""gunicorn settings for `make run`; production overrides them on the command line or by environment."""
import os

bind = os.environ.get("GUESTREL_BIND", "127.0.0.1:8000")
# One process keeps the embedded default's in-memory rate limits exact; threads serve the
# concurrent requests. Scaled out (Redis configured), raise the worker count.
workers = int(os.environ.get("GUESTREL_WORKERS", "1"))
threads = int(os.environ.get("GUESTREL_THREADS", "16"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("GUESTREL_FORWARDED_ALLOW_IPS", "127.0.0.1")
