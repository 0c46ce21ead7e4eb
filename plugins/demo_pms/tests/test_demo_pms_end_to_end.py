"""The demo PMS through the whole of guestrel: a connection configured as the demo seed does,
pages polled into the inbox and processed, and the stays and guests they leave behind."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from demo_pms_helpers import KNOWN_GUESTS, LI_WEI, NOW, settings

from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.stays.models import Stay
from guestrel.sync import connections, inbox, polling
from guestrel.sync.models import Connection, InboxEvent, InboxMessage
from guestrel_demo_pms import DemoPmsAdapter

TOMORROW = date(2026, 11, 26)


@pytest.fixture
def clock(monkeypatch):
    """The simulated hotel's clock, at NOW until the test moves it."""
    moment = {"now": NOW}
    monkeypatch.setattr(DemoPmsAdapter, "now", lambda self: moment["now"])
    return moment


@pytest.fixture
def li_wei(app, hotels):
    """Mr. Li Wei, known to guestrel by his id in the demo PMS."""
    return guest_service.create_guest(OPERATOR, {
        "given_name": "伟", "family_name": "李", "full_name": "李伟", "email": LI_WEI["email"],
        "external_ids": [{"system": "demo_pms", "external_id": LI_WEI["external_id"]}],
    })


@pytest.fixture
def connection(hotels, li_wei):
    guests = [LI_WEI | {"arrival": TOMORROW.isoformat()}, *KNOWN_GUESTS[1:]]
    return connections.create_connection(OPERATOR, {
        "adapter": "demo_pms", "property_code": "HGH", "name": "Demo PMS Hangzhou",
        "settings": settings(arrivals_per_day=5, guests=guests),
    }).connection


def poll_and_process(connection_id) -> list[InboxMessage]:
    """Poll page after page until caught up, processing each page as the worker would."""
    messages = []
    while True:
        outcome = polling.poll_connection(connection_id)
        assert outcome.error is None
        if outcome.message_id is not None:
            messages.append(inbox.process(outcome.message_id))
        if not outcome.more:
            return messages


def stays() -> dict:
    return {stay.pms_id: stay for stay in db.session.scalars(sa.select(Stay))}


def snapshot() -> tuple:
    rows = db.session.execute(sa.select(Stay.pms_id, Stay.status, Stay.guest_id, Stay.updated_at)).all()
    return (sorted(rows), db.session.scalar(sa.select(sa.func.count()).select_from(Guest)),
            db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)))


def test_polled_pages_become_stays_and_guests_and_li_wei_is_expected_tomorrow(clock, connection, li_wei, hotels):
    messages = poll_and_process(connection.id)

    assert messages and all(message.status == "applied" for message in messages)
    assert {message.origin for message in messages} == {"poll"}
    found = stays()
    assert {stay.property_id for stay in found.values()} == {hotels[1].id}
    assert {"booked", "in_house", "checked_out"} <= {stay.status for stay in found.values()}
    for stay in found.values():
        if stay.status == "checked_out":
            assert stay.checked_in_at < stay.checked_out_at and stay.currency == "CNY"
            assert stay.revenue_room > Decimal(0)
        assert stay.guest_id is not None
    [his] = [stay for stay in found.values() if stay.guest_id == li_wei.id and stay.arrival == TOMORROW]
    assert his.status == "booked" and his.departure == TOMORROW + timedelta(days=2)
    # He is linked by his id in the demo PMS, not created again.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest).where(Guest.full_name == "李伟")) == 1
    invented = db.session.scalars(sa.select(GuestExternalId.external_id).where(
        GuestExternalId.system == "demo_pms", GuestExternalId.external_id.like("DEMO-GHGH%"))).all()
    assert len(invented) > 5
    stored = db.session.get(Connection, connection.id)
    assert stored.cursor == NOW.isoformat() and stored.last_error is None


def test_the_next_day_li_wei_checks_in_at_hangzhou(clock, connection, li_wei):
    poll_and_process(connection.id)
    clock["now"] = NOW + timedelta(days=1)

    messages = poll_and_process(connection.id)

    assert all(message.status == "applied" for message in messages)
    [his] = [stay for stay in stays().values() if stay.guest_id == li_wei.id and stay.arrival == TOMORROW]
    assert his.status == "in_house" and his.room_number and his.checked_in_at is not None


def test_processing_the_same_interval_again_adds_nothing(clock, connection):
    cursors = [None]
    while True:
        outcome = polling.poll_connection(connection.id)
        if outcome.message_id is not None:
            inbox.process(outcome.message_id)
        cursors.append(db.session.get(Connection, connection.id).cursor)
        if not outcome.more:
            break
    before = snapshot()

    adapter = connections.adapter_instance(db.session.get(Connection, connection.id))
    again = []
    for cursor in cursors[:-1]:
        body = adapter.poll(cursor).body
        if body is not None:
            message = inbox.receive(inbox.Source("demo_pms", "HGH"), "application/json", {}, body, origin="poll")
            again.append(inbox.process(message.id))

    assert again and all(message.status == "ignored" for message in again)
    assert snapshot() == before


def test_the_poll_command_fills_the_hotel_without_the_worker(app, clock, connection):
    result = app.test_cli_runner().invoke(args=["guestrel", "poll", str(connection.id)])

    assert result.exit_code == 0, result.output
    assert f"Connection {connection.id} is caught up;" in result.output
    stored = db.session.scalars(sa.select(InboxMessage.status)).all()
    assert stored and set(stored) == {"applied"} and f"{len(stored)} pages were stored" in result.output
    assert stays()


def test_the_poll_command_refuses_a_connection_that_does_not_exist(app, clock, connection):
    result = app.test_cli_runner().invoke(args=["guestrel", "poll", str(connection.id + 1)])

    assert result.exit_code == 1 and "There is no enabled connection with this id." in result.output
    assert not stays()
