"""gunicorn settings for `make run`; production overrides them on the command line or by environment."""
import os
import subprocess
import sys

bind = os.environ.get("GUESTREL_BIND", "127.0.0.1:8000")
# One process keeps the embedded default's in-memory rate limits exact; threads serve the
# concurrent requests. Scaled out (Redis configured), raise the worker count.
workers = int(os.environ.get("GUESTREL_WORKERS", "1"))
threads = int(os.environ.get("GUESTREL_THREADS", "16"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("GUESTREL_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """The embedded default runs its background jobs beside the web server: `make run` is one
    command. Scaled out (Redis configured), workers run on their own (`flask guestrel worker`),
    so none is started here unless GUESTREL_RUN_WORKER=1 asks for it."""
    default = "0" if os.environ.get("GUESTREL_REDIS_URL") else "1"
    if os.environ.get("GUESTREL_RUN_WORKER", default) != "1":
        return
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    server.guestrel_worker = subprocess.Popen([flask, "--app", "wsgi", "guestrel", "worker"])
    server.log.info("Started the background job worker (pid %s)", server.guestrel_worker.pid)


def on_exit(server):
    worker = getattr(server, "guestrel_worker", None)
    if worker is not None and worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
