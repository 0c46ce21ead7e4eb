"""The pages open at a hotel share the work an alert makes: one read of what is new and one
render of the pop-up per language and set of permissions, however many pages follow, and yet
every page gets a pop-up with its own CSRF token."""
import threading
import time

import pytest
import sqlalchemy as sa
from flask import template_rendered

from guestrel.alerts.live import LiveHub
from guestrel.alerts.models import CheckInAlert, LiveEvent
from guestrel.extensions import db
from tests.alerts.live_support import CSRF_TOKEN, Stream, signed_in
from tests.alerts.support import book, check_in, li_wei
from tests.browser.conftest import live_server  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.statements import counted

THREADS = 20


@pytest.fixture
def app(make_app):
    # Keep-alives would add reads of their own to the ones counted here.
    app = make_app(WTF_CSRF_ENABLED=True, GUESTREL_LIVE_HEARTBEAT_SECONDS=60)
    with app.app_context():
        yield app


def ask_together(hub: LiveHub, key: tuple, make) -> list:
    answers = []
    callers = [threading.Thread(target=lambda: answers.append(hub.once(key, make))) for _ in range(THREADS)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)
    return answers


def test_callers_asking_the_same_at_once_get_one_answer_made_once(app):
    hub, made = LiveHub(app), []
    release = threading.Event()

    def slow_read():
        made.append(1)
        release.wait(5)
        return ["event 7"]

    threading.Timer(0.2, release.set).start()
    answers = ask_together(hub, ("events", (1,), 6, (7,)), slow_read)

    assert len(made) == 1
    assert answers == [["event 7"]] * THREADS


def test_a_different_question_is_answered_on_its_own(app):
    hub = LiveHub(app)
    hub.once(("events", (1,), 6, (7,)), lambda: ["event 7"])

    assert hub.once(("events", (1,), 6, (8,)), lambda: ["event 7", "event 8"]) == ["event 7", "event 8"]
    assert hub.once(("events", (1,), 6, (7,)), lambda: ["read again"]) == ["event 7"]


def test_when_the_shared_read_fails_the_waiting_callers_read_for_themselves(app):
    hub, made = LiveHub(app), []
    lock = threading.Lock()

    def failing_first():
        with lock:
            made.append(1)
            first = len(made) == 1
        if first:
            time.sleep(0.2)
            raise sa.exc.OperationalError("SELECT", {}, Exception("the database went away"))
        return ["event 7"]

    answers = []

    def ask():
        try:
            answers.append(hub.once(("events", (1,), 6, (7,)), failing_first))
        except sa.exc.OperationalError:
            answers.append("failed")

    callers = [threading.Thread(target=ask) for _ in range(THREADS)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)

    assert answers.count("failed") == 1 and answers.count(["event 7"]) == THREADS - 1
    assert len(made) == 2


def events_reads(statements) -> int:
    """The streams' reads of what is new (the hub's own polling groups, and does not order)."""
    return sum(1 for statement in statements if "FROM live_events" in statement and "ORDER BY live_events.id" in statement)


def wait_until_settled(statements):
    """Until the streams have made their first reads: none for a moment."""
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 0.5:
        if events_reads(statements) != seen:
            seen, quiet_since = events_reads(statements), time.monotonic()
        time.sleep(0.05)


def test_pages_of_one_hotel_share_one_read_and_one_render_per_language(live_server, hotels, make_staff):
    newest = db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0
    english, colleague = (signed_in(live_server, make_staff("front_desk", properties=[hotels[0]]).email, PASSWORD)
                          for _ in range(2))
    chinese = signed_in(live_server, make_staff("front_desk", properties=[hotels[0]], locale="zh_Hans_CN").email,
                        PASSWORD)
    desks = [english, english, colleague, chinese]
    for desk in desks:
        # The page that opens the stream, and gives the session its CSRF token.
        assert desk.get(f"{live_server}/alerts").ok
    stay = book(li_wei().id)
    db.session.commit()
    renders = []

    def rendered(_app, template, **_extra):
        if template.name == "alerts/_popup.html":
            renders.append(template.name)

    with counted() as statements:
        streams = [Stream(desk, f"{live_server}/alerts/stream?after={newest}") for desk in desks]
        try:
            wait_until_settled(statements)
            statements.clear()
            template_rendered.connect(rendered)
            try:
                check_in(stay.id)
                events = [stream.next_event() for stream in streams]
            finally:
                template_rendered.disconnect(rendered)
            reads = events_reads(statements)
        finally:
            for stream in streams:
                stream.close()

    assert [event.kind for event in events] == ["alert"] * 4
    assert "Acknowledge" in events[0].data and "Acknowledge" not in events[3].data and "李伟" in events[3].data
    # English once for the three English pages, Chinese once.
    assert len(renders) == 2
    # The read that found the alert, and perhaps the one after it that found nothing: not one a page.
    assert 1 <= reads <= 2

    alert_id = db.session.scalar(sa.select(CheckInAlert.id))
    own_token, colleagues_token = (CSRF_TOKEN.search(events[index].data).group(1) for index in (0, 2))
    refused = english.post(f"{live_server}/alerts/{alert_id}/acknowledge", data={"csrf_token": colleagues_token},
                           allow_redirects=False)
    assert refused.status_code == 400 and "Your form expired" in refused.text
    accepted = english.post(f"{live_server}/alerts/{alert_id}/acknowledge", data={"csrf_token": own_token},
                            allow_redirects=False)
    assert accepted.status_code == 302
    db.session.rollback()
    assert db.session.get(CheckInAlert, alert_id).acknowledged_at is not None
