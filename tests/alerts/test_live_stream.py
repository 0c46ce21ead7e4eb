"""The live stream of a real server: an alert raised after a page opened reaches it without a
reload, a page that reconnects with Last-Event-ID misses nothing, another hotel's staff hear
nothing, and a process over its stream limit says when to come back."""
import time

import pytest
import sqlalchemy as sa

from guestrel.alerts.models import CheckInAlert, LiveEvent
from guestrel.extensions import db
from tests.alerts.live_support import Stream, signed_in
from tests.alerts.support import book, check_in, li_wei
from tests.browser.conftest import live_server  # noqa: F401  (fixture)
from tests.conftest import PASSWORD


@pytest.fixture
def app(make_app):
    app = make_app(GUESTREL_LIVE_HEARTBEAT_SECONDS=1, GUESTREL_LIVE_STREAMS_MAX=2)
    with app.app_context():
        yield app


@pytest.fixture
def desk(live_server, hotels, make_staff):
    """A front-desk browser session at Shanghai."""
    staff = make_staff("front_desk", properties=[hotels[0]])
    return signed_in(live_server, staff.email, PASSWORD)


def newest_event() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0


def test_an_alert_raised_after_the_page_opened_reaches_it_live(live_server, desk):
    stream = Stream(desk, f"{live_server}/alerts/stream?after={newest_event()}")
    try:
        stay = book(li_wei().id)
        check_in(stay.id)
        event = stream.next_event()
    finally:
        stream.close()

    alert = db.session.scalar(sa.select(CheckInAlert))
    assert event.kind == "alert" and event.id == str(newest_event())
    assert f'data-alert-id="{alert.id}"' in event.data
    assert "李伟" in event.data and "Peanuts" in event.data and "Carrot juice" in event.data
    assert f'hx-post="/alerts/{alert.id}/acknowledge"' in event.data and 'name="csrf_token"' in event.data


def test_a_page_reconnecting_with_last_event_id_gets_what_it_missed_in_order(live_server, desk, hotels):
    first = book(li_wei().id)
    check_in(first.id)
    seen = newest_event()
    second, third = book(None, pms_id="R-2", room="806"), book(None, pms_id="R-3", room="807")
    check_in(second.id)
    check_in(third.id)

    stream = Stream(desk, f"{live_server}/alerts/stream", headers={"Last-Event-ID": str(seen)})
    try:
        events = [stream.next_event(), stream.next_event()]
    finally:
        stream.close()

    assert [event.kind for event in events] == ["alert", "alert"]
    assert int(events[0].id) == seen + 1 and int(events[1].id) == seen + 2
    assert "Room 806" in events[0].data and "Room 807" in events[1].data


def test_an_acknowledgement_closes_the_pop_up_on_every_open_page(live_server, desk, hotels, make_staff):
    stay = book(li_wei().id)
    check_in(stay.id)
    alert_id = db.session.scalar(sa.select(CheckInAlert.id))
    other_desk = signed_in(live_server, make_staff("front_desk", properties=[hotels[0]]).email, PASSWORD)
    stream = Stream(other_desk, f"{live_server}/alerts/stream?after={newest_event()}")
    try:
        assert desk.post(f"{live_server}/alerts/{alert_id}/acknowledge", headers={"HX-Request": "true"}).ok
        event = stream.next_event()
    finally:
        stream.close()

    assert (event.kind, event.data) == ("acknowledged", str(alert_id))


def test_staff_of_another_hotel_receive_nothing_of_this_ones_check_ins(live_server, hotels, make_staff):
    hangzhou = signed_in(live_server, make_staff("front_desk", properties=[hotels[1]]).email, PASSWORD)
    stream = Stream(hangzhou, f"{live_server}/alerts/stream?after={newest_event()}")
    try:
        check_in(book(li_wei().id, "SHA").id)
        check_in(book(None, "HGH", pms_id="H-1", room="502").id)
        event = stream.next_event()
    finally:
        stream.close()

    assert event.kind == "alert" and "Room 502" in event.data and "李伟" not in event.data


def test_an_alert_raised_by_another_process_reaches_the_page_through_the_database(live_server, desk, make_app):
    stream = Stream(desk, f"{live_server}/alerts/stream?after={newest_event()}")
    # Another app on the same database, as the job worker is: its hub is not this server's.
    worker = make_app()
    try:
        with worker.app_context():
            check_in(book(None, pms_id="R-7", room="1701").id)
        event = stream.next_event()
    finally:
        stream.close()

    assert event.kind == "alert" and "Room 1701" in event.data


def test_a_process_over_its_stream_limit_asks_the_page_to_come_back_later(live_server, desk):
    open_streams = [Stream(desk, f"{live_server}/alerts/stream") for _ in range(2)]
    try:
        refused = Stream(desk, f"{live_server}/alerts/stream")
        assert refused.response.status_code == 503 and refused.response.headers["Retry-After"] == "15"
    finally:
        for stream in open_streams:
            stream.close()
    assert all(stream.response.status_code == 200 for stream in open_streams)
    # A page that went away gives its place back (noticed at the next keep-alive).
    deadline = time.monotonic() + 15
    while True:
        again = Stream(desk, f"{live_server}/alerts/stream")
        again.close()
        if again.response.status_code == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert again.response.status_code == 200


def test_a_page_opening_without_a_start_follows_from_now_in_its_own_language(live_server, hotels, make_staff):
    desk = signed_in(live_server, make_staff("front_desk", properties=[hotels[0]], locale="zh_Hans_CN").email,
                     PASSWORD)
    check_in(book(None, pms_id="R-0", room="501").id)
    stream = Stream(desk, f"{live_server}/alerts/stream")
    try:
        check_in(book(li_wei().id).id)
        event = stream.next_event()
    finally:
        stream.close()

    assert event.kind == "alert" and "李伟" in event.data and "501" not in event.data
    # In the staff member's language, though the stream outlives the request's database session.
    assert "Acknowledge" not in event.data
