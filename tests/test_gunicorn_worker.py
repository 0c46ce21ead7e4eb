"""The server `make run` starts (gunicorn with gunicorn.conf.py) runs the background job worker
beside itself in the embedded default, brings it back when it dies, and stops it on shutdown."""
import os
import signal
import uuid
from collections import namedtuple
from pathlib import Path

import pytest
from flask_migrate import upgrade

from guestrel import create_app, jobs
from guestrel.extensions import db
from tests.conftest import _testing_config
from tests.servers import TIMEOUT, free_port, gunicorn, wait_for  # noqa: F401  (gunicorn: a fixture)

Stat = namedtuple("Stat", "state parent group")


def _stat(pid) -> Stat | None:
    """A process's state, parent and process group, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name in parentheses may hold spaces: the fields that follow it are plain.
    state, parent, group = stat.rsplit(")", 1)[1].split()[:3]
    return Stat(state, int(parent), int(group))


def _job_workers(parent=None, group=None) -> list[int]:
    """The live `guestrel worker` processes with this parent, or in this process group."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(entry.name)
        if stat is None or stat.state == "Z":
            continue
        if (parent is not None and stat.parent != parent) or (group is not None and stat.group != group):
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if "guestrel worker" in command:
            found.append(int(entry.name))
    return found


def _alive(pid) -> bool:
    stat = _stat(pid)
    return stat is not None and stat.state != "Z"


@pytest.fixture
def server_settings(tmp_path):
    """The environment of a server on a freshly migrated SQLite database of its own, with its
    own job queue."""
    url = f"sqlite:///{tmp_path / 'guestrel.db'}"
    app = create_app(_testing_config(url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return {
        "GUESTREL_BIND": f"127.0.0.1:{free_port()}",
        "GUESTREL_DATABASE_URL": url,
        "GUESTREL_SECRET_KEY": "test-secret-key-not-for-production",
        "GUESTREL_JOBS_SQLITE_PATH": str(tmp_path / "jobs.sqlite3"),
        "GUESTREL_JOBS_QUEUE": f"guestrel-test-{uuid.uuid4().hex}",
        "GUESTREL_THREADS": "2",
    }


@pytest.fixture
def start_server(server_settings, tmp_path, gunicorn):
    """Start `make run`'s gunicorn with extra variables; return it once /healthz answers."""
    log_path = tmp_path / "gunicorn.log"

    def start(**variables):
        return gunicorn(log_path, **server_settings, **variables)

    start.log = log_path
    return start


def _takes_jobs(settings) -> bool:
    """Whether a consumer empties the server's queue of a job put there now."""
    app = create_app(_testing_config(settings["GUESTREL_DATABASE_URL"], GUESTREL_JOBS=None,
                                     GUESTREL_JOBS_SQLITE_PATH=settings["GUESTREL_JOBS_SQLITE_PATH"],
                                     GUESTREL_JOBS_QUEUE=settings["GUESTREL_JOBS_QUEUE"]))
    huey = app.extensions[jobs.EXTENSION].huey
    with app.app_context():
        jobs.enqueue("sync.recover")
        return wait_for(lambda: huey.pending_count() == 0) is not None


def test_the_server_runs_the_job_worker_restarts_it_when_killed_and_stops_it_on_shutdown(
        start_server, server_settings):
    server = start_server()

    # on_starting starts the worker before the server listens: it is there once /healthz answers.
    workers = _job_workers(server.pid)
    assert len(workers) == 1, start_server.log.read_text()
    first = workers[0]
    assert _takes_jobs(server_settings), start_server.log.read_text()

    os.kill(first, signal.SIGKILL)
    replaced = wait_for(lambda: [pid for pid in _job_workers(server.pid) if pid != first])
    assert replaced and len(replaced) == 1, start_server.log.read_text()
    assert not _alive(first)
    assert _takes_jobs(server_settings), start_server.log.read_text()
    assert "ended with signal 9" in start_server.log.read_text()

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=TIMEOUT) == 0, start_server.log.read_text()
    # An orphan would have a new parent: its process group is still the server's session's.
    assert wait_for(lambda: not _job_workers(group=server.pid)), "a worker outlived the server"
    assert not _alive(replaced[0])


def test_the_server_starts_no_job_worker_when_told_not_to(start_server):
    server = start_server(GUESTREL_RUN_WORKER="0")

    # on_starting would have started it before the server listened: none is coming.
    assert _job_workers(server.pid) == []

    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=TIMEOUT) == 0, start_server.log.read_text()
