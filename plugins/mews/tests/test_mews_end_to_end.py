"""Through the app: a Mews connection receiving Mews's webhooks at its inbound URL, and polled
by the job, with Mews played by pytest-httpserver."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from guestrel import jobs
from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.stays.models import Stay
from guestrel.sync import connections, polling
from guestrel.sync.models import Connection, InboxEvent, InboxMessage
from guestrel_mews import MewsAdapter
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


def reservation_changed() -> bytes:
    """Mews's general webhook saying only that the reservation changed."""
    return json.dumps(load("webhook.json") | {
        "Events": [{"Discriminator": "ServiceOrderUpdated", "Value": {"Id": RESERVATION_ID}}]}).encode()


def reservation_outcomes() -> list[tuple[str, str]]:
    """(kind, status) of each reservation event guestrel took in, in the order it took them."""
    rows = db.session.scalars(sa.select(InboxEvent).where(InboxEvent.kind != "ProfileUpdated")
                              .order_by(InboxEvent.id).execution_options(populate_existing=True))
    return [(row.kind, row.status) for row in rows]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def clock(monkeypatch):
    """Mews's side of time for polls: each window ends a little before clock["now"]."""
    now = {"now": datetime.now(timezone.utc)}
    monkeypatch.setattr(MewsAdapter, "_now", staticmethod(lambda: now["now"]))
    return now


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


def test_a_reservation_mews_cancels_then_reinstates_is_booked_again(client, mews, connection):
    mews.add_customer()
    reservation = mews.add_reservation(Id=RESERVATION_ID)
    assert deliver(client, connection, reservation_changed()).json["status"] == "applied"

    reservation.update(State="Canceled", CancellationReason="RequestedByGuest", CancelledUtc="2026-11-22T09:30:00Z",
                       UpdatedUtc="2026-11-22T09:30:00Z")
    assert deliver(client, connection, reservation_changed()).json["status"] == "applied"
    db.session.expire_all()
    assert stay(RESERVATION_ID).status == "cancelled"

    reservation.update(State="Confirmed", CancellationReason=None, CancelledUtc=None,
                       UpdatedUtc="2026-11-23T08:30:00Z")
    reinstated = deliver(client, connection, reservation_changed())
    # The same webhook delivered twice: the copy reads the same version of the reservation.
    repeated = deliver(client, connection, reservation_changed())

    assert (reinstated.json["status"], repeated.json["status"]) == ("applied", "ignored")
    db.session.expire_all()
    booked = stay(RESERVATION_ID)
    assert (booked.status, booked.room_number, booked.departure) == ("booked", "1208", date(2026, 12, 3))
    assert booked.source_modified_at == datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    assert booked.guest_id == guest_of(CUSTOMER_ID).id
    assert reservation_outcomes() == [
        ("ReservationUpserted", "applied"),
        ("ReservationUpserted", "applied"), ("ReservationCancelled", "applied"),
        ("ReservationUpserted", "applied"),
    ]
    assert count(Stay) == 1


def test_a_poll_page_older_than_the_cancellation_changes_nothing_and_the_next_poll_reinstates(
        client, mews, connection, clock):
    mews.add_customer()
    reservation = mews.add_reservation(Id=RESERVATION_ID)
    assert deliver(client, connection, reservation_changed()).json["status"] == "applied"
    # The guest stays a night longer; the poll reads that version, but its page waits in the
    # queue behind other work while Mews cancels the reservation and says so by webhook.
    reservation.update(EndUtc="2026-12-04T04:00:00Z", ScheduledEndUtc="2026-12-04T04:00:00Z",
                       UpdatedUtc="2026-11-21T15:00:00Z")
    clock["now"] = datetime(2026, 11, 21, 16, 0, tzinfo=timezone.utc)
    delayed = polling.poll_connection(connection.id).message_id
    assert delayed is not None
    reservation.update(State="Canceled", CancellationReason="RequestedByGuest", CancelledUtc="2026-11-22T09:30:00Z",
                       UpdatedUtc="2026-11-22T09:30:00Z")
    assert deliver(client, connection, reservation_changed()).json["status"] == "applied"
    audited = count(AuditEntry)

    jobs.enqueue("sync.process_message", delayed)

    db.session.expire_all()
    assert db.session.get(InboxMessage, delayed).status == "ignored"
    cancelled = stay(RESERVATION_ID)
    assert (cancelled.status, cancelled.departure) == ("cancelled", date(2026, 12, 4))
    assert cancelled.source_modified_at == datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)
    assert count(AuditEntry) == audited

    reservation.update(State="Confirmed", CancellationReason=None, CancelledUtc=None,
                       UpdatedUtc="2026-11-23T08:30:00Z")
    clock["now"] = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    jobs.enqueue("sync.poll_connection", connection.id)

    db.session.expire_all()
    booked = stay(RESERVATION_ID)
    assert (booked.status, booked.departure) == ("booked", date(2026, 12, 4))
    assert booked.source_modified_at == datetime(2026, 11, 23, 8, 30, tzinfo=timezone.utc)
    assert reservation_outcomes() == [
        ("ReservationUpserted", "applied"),
        ("ReservationUpserted", "applied"), ("ReservationCancelled", "applied"),
        ("ReservationUpserted", "ignored"),
        ("ReservationUpserted", "applied"),
    ]
