"""Real server processes for tests: `make run`'s gunicorn (gunicorn.conf.py, wsgi:app) on a
free port of 127.0.0.1, started with the environment a test gives and killed with its whole
process group afterwards."""
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 30.0
# Variables of the test run that must not leak into a server unless a test sets them.
NOT_INHERITED = {"GUESTREL_REDIS_URL", "GUESTREL_RUN_WORKER", "GUESTREL_JOBS"}


def wait_for(condition, timeout=TIMEOUT):
    """The condition's first truthy value, or None when `timeout` seconds pass without one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthy(port) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn(log_path, **variables): start a server with these environment variables (one of
    them GUESTREL_BIND) and return it once /healthz answers."""
    servers = []

    def start(log_path, **variables):
        environment = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        # Not the control socket in $HOME: that one may be a developer's `make run`.
        environment |= {"GUNICORN_CMD_ARGS": "--no-control-socket"} | variables
        with open(log_path, "ab") as log:
            server = subprocess.Popen(
                [str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        servers.append(server)
        port = int(variables["GUESTREL_BIND"].rsplit(":", 1)[1])
        assert wait_for(lambda: server.poll() is not None or healthy(port)), Path(log_path).read_text()
        assert server.poll() is None, Path(log_path).read_text()
        return server

    yield start
    for server in servers:
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=TIMEOUT)
