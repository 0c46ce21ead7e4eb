"""Through the app: a Mews connection receiving Mews's webhooks at its inbound URL, and polled
by the job, with Mews played by pytest-httpserver."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from guestrel import jobs
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.stays.models import Stay
from guestrel.sync import connections
from guestrel.sync.models import Connection, InboxMessage
from mews_fake import ACCESS_TOKEN, CLIENT_TOKEN, error, iso, load, settings

RESERVATION_ID = "0f515589-99b4-423d-b83a-b237009f0509"
CUSTOMER_ID = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"


@pytest.fixture
def connection(mews, hotels):
    created = connections.create_connection(OPERATOR, {
        "adapter": "mews", "property_code": "SHA", "name": "Mews Shanghai", "settings": settings(mews.url),
    })
    return created.connection


def deliver(client, connection, body: bytes):
    return client.post(f"/inbound/{connection.id}/{connection.inbound_token}", data=body,
                       content_type="application/json")


def guest_of(customer_id: str) -> Guest:
    return db.session.scalar(sa.select(Guest).join(GuestExternalId).where(
        GuestExternalId.system == "mews", GuestExternalId.external_id == customer_id))


def stay(pms_id: str) -> Stay:
    return db.session.scalar(sa.select(Stay).where(Stay.pms_id == pms_id))


def test_a_mews_webhook_creates_the_guest_and_the_stay_then_checks_it_in(client, mews, connection):
    mews.add_customer()
    reservation = mews.add_reservation(Id=RESERVATION_ID)

    response = deliver(client, connection, json.dumps(load("webhook.json")).encode())

    assert response.status_code == 202 and response.json["status"] == "applied", response.json
    guest = guest_of(CUSTOMER_ID)
    assert (guest.given_name, guest.family_name, guest.nationality) == ("Wei", "Zhang", "CN")
    booked = stay(RESERVATION_ID)
    assert (booked.status, booked.guest_id, booked.room_number) == ("booked", guest.id, "1208")
    assert (booked.arrival, booked.departure, booked.adults, booked.children) == (date(2026, 12, 1),
                                                                                  date(2026, 12, 3), 2, 1)

    reservation.update(State="Started", UpdatedUtc="2026-12-01T06:10:00Z", ActualStartUtc="2026-12-01T06:05:00Z")
    changed = load("webhook.json") | {
        "Events": [{"Discriminator": "ServiceOrderUpdated", "Value": {"Id": RESERVATION_ID}}]}
    assert deliver(client, connection, json.dumps(changed).encode()).json["status"] == "applied"

    db.session.expire_all()
    checked_in = stay(RESERVATION_ID)
    assert checked_in.status == "in_house"
    assert checked_in.checked_in_at == datetime(2026, 12, 1, 6, 5, tzinfo=timezone.utc)


def test_a_webhook_of_another_hotel_is_kept_as_failed_and_changes_nothing(client, mews, connection):
    other = load("webhook.json") | {"EnterpriseId": "4d0201db-36f5-428b-8d11-4f0a65e960cc"}
    response = deliver(client, connection, json.dumps(other).encode())
    assert response.status_code == 202 and response.json["status"] == "failed"
    assert "not this connection's" in response.json["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 0
    assert mews.requests == []


def test_a_webhook_while_mews_is_down_waits_and_no_token_is_stored(client, mews, connection):
    mews.add_customer()
    mews.add_reservation(Id=RESERVATION_ID)
    mews.script("reservations/getAll/2023-06-06", error(503))

    response = deliver(client, connection, json.dumps(load("webhook.json")).encode())

    assert response.status_code == 202 and response.json["status"] == "received"
    message = db.session.get(InboxMessage, response.json["message_id"])
    assert message.next_attempt_at is not None and stay(RESERVATION_ID) is None
    stored = db.session.get(Connection, connection.id)
    assert CLIENT_TOKEN not in json.dumps(stored.settings) and ACCESS_TOKEN not in json.dumps(stored.settings)


def test_polling_a_mews_connection_brings_in_its_reservations(app, mews, connection):
    mews.add_customer()
    mews.add_reservation(Id=RESERVATION_ID, State="Canceled", CancellationReason="NoShow",
                         UpdatedUtc=iso(datetime.now(timezone.utc) - timedelta(days=2)))

    jobs.enqueue("sync.poll_connection", connection.id)

    assert stay(RESERVATION_ID).status == "no_show"
    assert guest_of(CUSTOMER_ID).family_name == "Zhang"
    db.session.expire_all()
    polled = db.session.get(Connection, connection.id)
    assert json.loads(polled.cursor)["since"] and polled.last_error is None
