"""The background worker as `make run` starts it: a separate process taking jobs from the queue.
A worker killed in the middle of a batch and started again applies every event exactly once."""
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from guestrel import jobs
from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.guests.models import Guest
from guestrel.stays.models import Stay
from guestrel.sync import inbox
from guestrel.sync.models import InboxEvent, InboxMessage
from tests.sync.conftest import payload, upsert
from tests.sync.outbox_support import Pms, make_connection, make_guest, messages, notes_pms, prefer  # noqa: F401

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Every check-in this plugin hears of takes a while, as a slow listener would: the batch lasts
# long enough to be killed in the middle, whatever the machine's speed.
SLOW_LISTENER = '''
import time
from guestrel.plugins.plugin_api import hookimpl


@hookimpl
def stay_checked_in(stay_id, property_id, guest_id):
    time.sleep(0.02)
'''

RESERVATIONS = 100
REDIS_URL = os.environ.get("GUESTREL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _checked_in(event_id, reservation):
    return {"id": event_id, "kind": "checked_in", "reservation": reservation,
            "modified": "2026-11-21T10:00:00+00:00", "at": "2026-11-21T10:00:00+00:00", "room": "801"}


def _batch() -> list[dict]:
    """Each reservation booked and checked in, with a fifth of the events sent twice."""
    events = []
    for number in range(RESERVATIONS):
        reservation = f"R{number}"
        events.append(upsert(f"book-{number}", reservation=reservation, guest=f"P{number}"))
        events.append(_checked_in(f"in-{number}", reservation))
    return events + events[::5]


@pytest.fixture(params=["sqlite_queue", "redis_queue"])
def worker_app(request, make_app, hotels, json_pms, install_plugin, tmp_path):
    """An app whose jobs wait for a worker process, in a SQLite file as embedded or in Redis as
    scaled out (its context on top of the suite's usual app, which made the hotels)."""
    install_plugin(SLOW_LISTENER, entry_point="slow_listener")
    queue = {"GUESTREL_JOBS_QUEUE": f"guestrel-test-{uuid.uuid4().hex}"}
    if request.param == "redis_queue":
        queue["GUESTREL_REDIS_URL"] = REDIS_URL
    else:
        queue["GUESTREL_JOBS_SQLITE_PATH"] = str(tmp_path / "jobs.sqlite3")
    app = make_app(GUESTREL_JOBS=None, **queue)
    with app.app_context():
        yield app
    if request.param == "redis_queue":
        app.extensions[jobs.EXTENSION].huey.storage.flush_all()


def _start_worker(app):
    environment = os.environ | {
        "GUESTREL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "GUESTREL_SECRET_KEY": app.config["SECRET_KEY"],
        "GUESTREL_JOBS_QUEUE": app.config["GUESTREL_JOBS_QUEUE"],
        "GUESTREL_JOBS_SQLITE_PATH": app.config["GUESTREL_JOBS_SQLITE_PATH"] or "",
        "GUESTREL_REDIS_URL": app.config["GUESTREL_REDIS_URL"] or "",
        "GUESTREL_INBOX_RECOVER_AFTER_SECONDS": "0",
        # The test's plugins are importable from the test's sys.path only.
        "PYTHONPATH": os.pathsep.join(sys.path),
    }
    return subprocess.Popen([str(PROJECT_ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "guestrel", "worker"],
                            cwd=PROJECT_ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def _count(query) -> int:
    db.session.rollback()
    return db.session.scalar(query)


def _wait_for(condition, timeout=90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _applied_events() -> int:
    return _count(sa.select(sa.func.count()).select_from(InboxEvent).where(InboxEvent.status == "applied"))


def test_a_worker_killed_mid_batch_and_restarted_applies_every_event_exactly_once(worker_app):
    message = inbox.receive(inbox.Source("jsonpms", "SHA"), "application/json", {}, payload(*_batch()))
    jobs.enqueue("sync.process_message", message.id)
    assert _count(sa.select(sa.func.count()).select_from(InboxEvent)) == 0, "queued, not applied in the caller"

    worker = _start_worker(worker_app)
    try:
        assert _wait_for(lambda: _applied_events() >= 40), worker.stderr.read1().decode() if worker.poll() else ""
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    applied_at_kill = _applied_events()
    assert 40 <= applied_at_kill < 2 * RESERVATIONS, "killed in the middle of the batch"
    # What a dead worker leaves is whole events: every claimed event has its effect and no more.
    booked = _count(sa.select(sa.func.count()).select_from(InboxEvent).where(InboxEvent.event_id.like("book-%")))
    assert _count(sa.select(sa.func.count()).select_from(Stay)) == booked
    assert _count(sa.select(sa.func.count()).select_from(InboxMessage).where(InboxMessage.status == "received")) == 1

    worker = _start_worker(worker_app)
    try:
        finished = _wait_for(lambda: _count(sa.select(InboxMessage.status).where(InboxMessage.id == message.id))
                             != "received")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert finished

    assert _count(sa.select(InboxMessage.status).where(InboxMessage.id == message.id)) == "applied"
    assert _count(sa.select(sa.func.count()).select_from(InboxEvent)) == 2 * RESERVATIONS
    assert _applied_events() == 2 * RESERVATIONS
    assert _count(sa.select(sa.func.count()).select_from(Stay)) == RESERVATIONS
    assert _count(sa.select(sa.func.count()).select_from(Stay).where(Stay.status == "in_house")) == RESERVATIONS
    assert _count(sa.select(sa.func.count()).select_from(Guest)) == RESERVATIONS
    # One creation and one check-in per stay in the audit trail: nothing was applied twice.
    stay_entries = sa.select(AuditEntry.action, sa.func.count()).where(AuditEntry.entity_type == "stay").group_by(
        AuditEntry.action)
    db.session.rollback()
    assert dict(db.session.execute(stay_entries).all()) == {"create": RESERVATIONS, "update": RESERVATIONS}


def test_a_webhook_is_answered_before_a_worker_applies_it(worker_app):
    from guestrel.sync import connections
    from guestrel.auth.service import OPERATOR

    connection = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "Shanghai PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection
    response = worker_app.test_client().post(f"/inbound/{connection.id}/{connection.inbound_token}", data=payload(upsert("e1")),
                           content_type="application/json")
    assert response.status_code == 202
    assert response.json["status"] == "received"
    assert _count(sa.select(sa.func.count()).select_from(Stay)) == 0

    worker = _start_worker(worker_app)
    try:
        assert _wait_for(lambda: _count(sa.select(sa.func.count()).select_from(Stay)) == 1)
        # The message is marked applied just after its events' transaction.
        assert _wait_for(lambda: _count(sa.select(InboxMessage.status)) == "applied")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert _count(sa.select(InboxMessage.status)) == "applied"


def test_a_worker_delivers_the_outbox_on_its_own(notes_pms, worker_app, httpserver):
    pms = Pms(httpserver)
    make_connection(pms.url, timeout=5)
    guest = make_guest("C-1")
    prefer(guest.id, "Carrot juice", detail="Large glass")
    assert [message.status for message in messages()] == ["pending"]

    worker = _start_worker(worker_app)
    try:
        delivered = _wait_for(lambda: [message.status for message in messages()] == ["delivered"])
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert delivered, worker.stderr.read1().decode()
    assert pms.customer_ids() == ["C-1"] and pms.notes() == ["Carrot juice — Large glass"]
