"""gunicorn settings for `make run`; production overrides them on the command line or by environment."""
import os
import signal
import subprocess
import sys
import threading

bind = os.environ.get("GUESTREL_BIND", "127.0.0.1:8000")
# One process keeps the embedded default's in-memory rate limits exact; threads serve the
# concurrent requests. Scaled out (Redis configured), raise the worker count.
workers = int(os.environ.get("GUESTREL_WORKERS", "1"))
# Every open front-desk page holds a thread for its live alerts (at most
# GUESTREL_LIVE_STREAMS_MAX, 200 by default), and the rest serve every other request.
threads = int(os.environ.get("GUESTREL_THREADS", "256"))
# Open live streams would hold a restart for the whole default 30 s; browsers reconnect anyway.
graceful_timeout = 10
accesslog = "-"
forwarded_allow_ips = os.environ.get("GUESTREL_FORWARDED_ALLOW_IPS", "127.0.0.1")

# A worker that fails at once (a bad setting, a database that is down) must not be restarted
# in a tight loop.
WORKER_RESTART_PAUSE_SECONDS = 1.0


def on_starting(server):
    """The embedded default runs its background jobs beside the web server: `make run` is one
    command. Scaled out (Redis configured), workers run on their own (`flask guestrel worker`),
    so none is started here unless GUESTREL_RUN_WORKER=1 asks for it."""
    default = "0" if os.environ.get("GUESTREL_REDIS_URL") else "1"
    if os.environ.get("GUESTREL_RUN_WORKER", default) != "1":
        return
    # Taken to decide "stopping, or else restart" in one step, so on_exit cannot miss a worker
    # the supervisor is starting at that moment.
    server.guestrel_worker_lock = threading.Lock()
    server.guestrel_worker_stopping = threading.Event()
    server.guestrel_worker = _start_worker(server)
    # Nothing else brings back a worker that crashed or was OOM-killed, and the web server would
    # go on answering while jobs pile up unseen.
    threading.Thread(target=_supervise_worker, args=(server,), name="guestrel-worker-supervisor",
                     daemon=True).start()


def when_ready(server):
    if not hasattr(server, "guestrel_worker_lock"):
        return
    master_handler = signal.getsignal(signal.SIGCHLD)

    def collect_worker_status(signum, frame):
        # The master reaps every child it hears of (waitpid(-1)) and drops the status of those
        # it does not know; collected here first, the log can say how the worker ended.
        server.guestrel_worker.poll()
        master_handler(signum, frame)

    signal.signal(signal.SIGCHLD, collect_worker_status)


def on_exit(server):
    lock = getattr(server, "guestrel_worker_lock", None)
    if lock is None:
        return
    with lock:
        server.guestrel_worker_stopping.set()
        worker = server.guestrel_worker
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _start_worker(server):
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    worker = subprocess.Popen([flask, "--app", "wsgi", "guestrel", "worker"])
    server.log.info("Started the background job worker (pid %s)", worker.pid)
    return worker


def _supervise_worker(server):
    stopping = server.guestrel_worker_stopping
    while True:
        worker = server.guestrel_worker
        # Polled, not waited for: a blocking wait would hold the Popen's lock, and the SIGCHLD
        # handler could not collect the status before the master throws it away.
        while worker.poll() is None:
            if stopping.wait(0.5):
                return
        if stopping.wait(WORKER_RESTART_PAUSE_SECONDS):
            return
        with server.guestrel_worker_lock:
            if stopping.is_set():
                return
            code = worker.returncode
            ended = f"signal {-code} ({signal.strsignal(-code)})" if code < 0 else f"exit code {code}"
            server.log.error("The background job worker (pid %s) ended with %s; starting it again", worker.pid, ended)
            try:
                server.guestrel_worker = _start_worker(server)
            except OSError:
                # Out of memory or of processes, as likely as not what ended the last one: the
                # next round tries again.
                server.log.exception("Could not start the background job worker")
