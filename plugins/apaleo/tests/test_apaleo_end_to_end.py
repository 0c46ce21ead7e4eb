"""apaleo through the whole of guestrel: a connection configured like an admin does, webhooks
posted to its inbound URL, polls, and the stays they leave in the database."""
import json
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from apaleo_fixtures import RESERVATION_PATH, load, reservation, webhook
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.stays.models import Stay
from guestrel.sync import connections, inbox, polling
from guestrel.sync.inbound import signature
from guestrel.sync.models import InboxEvent, InboxMessage

CET = timezone(timedelta(hours=1))
WEBHOOK_SECRET = "relay-signing-secret-0123456789"


@pytest.fixture
def connection(hotels, settings):
    def make(**changes):
        return connections.create_connection(OPERATOR, {
            "adapter": "apaleo", "property_code": "SHA", "name": "apaleo München", "settings": settings | changes,
        }).connection

    return make


def deliver(client, connection, body: bytes, secret: str | None = None):
    headers = {}
    if secret:
        timestamp = str(int(time.time()))
        headers = {"X-Guestrel-Timestamp": timestamp, "X-Guestrel-Signature": signature(secret, timestamp, body)}
    response = client.post(f"/inbound/{connection.id}/{connection.inbound_token}", data=body,
                           content_type="application/json", headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(InboxMessage, response.json["message_id"])


def the_stay() -> Stay:
    return db.session.scalars(sa.select(Stay).where(Stay.pms_id == "XPGMSXGF-1")).one()


def serve(server, *states):
    """apaleo answers each GET of the reservation with the next of `states`."""
    for state in states:
        server.expect_oneshot_request(RESERVATION_PATH, method="GET").respond_with_json(state)


def test_a_check_in_webhook_puts_the_guest_in_house(client, apaleo, connection):
    setup = connection()
    serve(apaleo, reservation("InHouse", "2026-12-01T15:42:10+01:00"))

    message = deliver(client, setup, webhook(kind="checked-in"))

    assert message.status == "applied"
    stay = the_stay()
    assert (stay.status, stay.room_number, stay.room_type, stay.rate_code) == ("in_house", "1208", "DBL", "FLEX")
    assert (stay.arrival, stay.departure, stay.adults, stay.children) == (date(2026, 12, 1), date(2026, 12, 3), 2, 1)
    assert stay.checked_in_at == datetime(2026, 12, 1, 15, 42, 10, tzinfo=CET)
    assert (stay.channel, stay.channel_confirmation) == ("booking.com", "4012345678")
    assert (stay.revenue_room, stay.revenue_other, stay.currency) == (Decimal("360.00"), Decimal("60.00"), "EUR")
    # apaleo has no guest profiles: the guest reaches guestrel as data to match, without an id.
    upsert = db.session.scalars(sa.select(InboxEvent).where(InboxEvent.kind == "ReservationUpserted")).one()
    assert upsert.payload["guest"] | {"birthday": None} == {
        "external_id": None, "given_name": "Wei", "family_name": "Zhang", "full_name": None,
        "email": "zhang.wei@example.com", "phone": "+8613800138000", "member_number": None, "birthday": None,
        "nationality": "CN", "language": "zh"}


def test_the_health_check_is_stored_and_changes_nothing(client, apaleo, connection):
    message = deliver(client, connection(), json.dumps(load("webhook_healthcheck.json")).encode())
    assert message.status == "ignored"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 0
    assert apaleo.log == []


def test_a_stay_goes_from_booked_to_checked_out(client, apaleo, connection):
    setup = connection()
    serve(apaleo, reservation("Confirmed", "2026-11-20T09:15:00+01:00"),
          reservation("InHouse", "2026-12-01T15:42:10+01:00"),
          reservation("CheckedOut", "2026-12-03T10:05:31+01:00"))
    statuses = []
    for kind in ("created", "checked-in", "checked-out"):
        deliver(client, setup, webhook(kind=kind, event_id=f"event-{kind}"))
        statuses.append(the_stay().status)
    assert statuses == ["booked", "in_house", "checked_out"]
    assert the_stay().checked_out_at == datetime(2026, 12, 3, 10, 5, 31, tzinfo=CET)


def test_a_cancelled_reservation_that_is_reinstated_is_booked_again(client, apaleo, connection):
    setup = connection()
    serve(apaleo, reservation("Confirmed", "2026-11-20T09:15:00+01:00"),
          reservation("Canceled", "2026-11-22T18:00:00+01:00"),
          reservation("Confirmed", "2026-11-23T08:30:00+01:00"))

    deliver(client, setup, webhook(kind="created", event_id="e-created"))
    deliver(client, setup, webhook(kind="canceled", event_id="e-canceled"))
    assert the_stay().status == "cancelled"
    deliver(client, setup, webhook(kind="changed", event_id="e-reinstated"))

    stay = the_stay()
    assert stay.status == "booked"
    assert stay.source_modified_at == datetime(2026, 11, 23, 8, 30, tzinfo=CET)


def test_a_cancellation_guestrel_never_saw_booked_is_recorded_as_cancelled(client, apaleo, connection):
    serve(apaleo, reservation("Canceled", "2026-11-22T18:00:00+01:00"))
    assert deliver(client, connection(), webhook(kind="canceled")).status == "applied"
    assert the_stay().status == "cancelled"


def test_a_webhook_delivered_twice_has_one_effect(client, apaleo, connection):
    setup = connection()
    serve(apaleo, reservation("InHouse", "2026-12-01T15:42:10+01:00"),
          reservation("InHouse", "2026-12-01T15:42:10+01:00"))
    body = webhook(kind="checked-in")

    first = deliver(client, setup, body)
    second = deliver(client, setup, body)

    assert (first.status, second.status) == ("applied", "ignored")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxEvent)) == 2
    assert the_stay().status == "in_house"


def test_an_older_state_arriving_after_a_newer_one_changes_nothing(client, apaleo, connection):
    setup = connection()
    newer = reservation("InHouse", "2026-12-01T15:42:10+01:00")
    older = reservation("Confirmed", "2026-11-20T09:15:00+01:00", unit={"id": "MUC-0301", "name": "301"})
    serve(apaleo, newer, older)

    deliver(client, setup, webhook(kind="checked-in", event_id="late-but-new"))
    stale = deliver(client, setup, webhook(kind="unit-assigned", event_id="early-but-delayed"))

    assert stale.status == "ignored"
    stay = the_stay()
    assert (stay.status, stay.room_number) == ("in_house", "1208")
    assert stay.source_modified_at == datetime(2026, 12, 1, 15, 42, 10, tzinfo=CET)


def test_an_event_for_another_apaleo_property_is_kept_as_failed(client, apaleo, connection):
    setup = connection()
    message = deliver(client, setup, webhook(propertyId="BER"))
    assert message.status == "failed"
    assert message.error == "The event is for apaleo property 'BER', not for this connection's MUC."
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 0
    db.session.refresh(setup)
    assert setup.last_error == message.error


def test_a_malformed_delivery_is_kept_with_its_error_and_its_body(client, apaleo, connection):
    message = deliver(client, connection(), b'{"topic": "Reservation"')
    assert message.status == "failed" and message.error.startswith("The webhook is not JSON")
    assert message.body == b'{"topic": "Reservation"'


def test_apaleo_away_keeps_the_webhook_to_try_again_and_it_applies_once_apaleo_is_back(client, apaleo, connection):
    setup = connection()
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_data("", status=503)
    message = deliver(client, setup, webhook(kind="checked-in"))
    assert message.status == "received" and message.next_attempt_at is not None
    assert "apaleo is unavailable (503" in message.error

    serve(apaleo, reservation("InHouse", "2026-12-01T15:42:10+01:00"))
    assert inbox.process(message.id).status == "applied"
    assert the_stay().status == "in_house"


def test_apaleo_asking_to_slow_down_is_tried_again_exactly_after_its_retry_after(client, apaleo, connection):
    setup = connection()
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_data("", status=429, headers={"Retry-After": "120"})
    before = datetime.now(timezone.utc)
    message = deliver(client, setup, webhook(kind="checked-in"))

    assert message.status == "received" and message.attempts == 1
    waited = (message.next_attempt_at - before).total_seconds()
    assert 120 <= waited <= 120 + (datetime.now(timezone.utc) - before).total_seconds()


def test_apaleo_away_for_every_attempt_fails_the_webhook_for_a_replay_once_it_is_back(app, client, apaleo, connection):
    setup = connection()
    app.config["GUESTREL_INBOX_MAX_ATTEMPTS"] = 3
    apaleo.expect_request(RESERVATION_PATH).respond_with_data("", status=503)
    message = deliver(client, setup, webhook(kind="checked-in"))
    for _ in range(2):
        message = inbox.process(message.id)

    assert message.status == "failed" and message.next_attempt_at is None
    assert message.error == ("The source could not be reached after 3 attempts: Reservation XPGMSXGF-1 could not be "
                             "read: apaleo is unavailable (503: SERVICE UNAVAILABLE).")
    apaleo.clear()
    serve(apaleo, reservation("InHouse", "2026-12-01T15:42:10+01:00"))
    assert inbox.replay(OPERATOR, message.id).status == "applied" and the_stay().status == "in_house"


def test_a_signed_delivery_through_a_relay_is_accepted(client, apaleo, connection):
    setup = connection(webhook_secret=WEBHOOK_SECRET)
    serve(apaleo, reservation())
    body = webhook(kind="created")
    unsigned = client.post(f"/inbound/{setup.id}/{setup.inbound_token}", data=body, content_type="application/json")
    assert unsigned.status_code == 401
    assert deliver(client, setup, body, secret=WEBHOOK_SECRET).status == "applied"
    assert the_stay().status == "booked"


def test_the_client_secret_is_stored_encrypted_and_never_shown(client, apaleo, connection, settings):
    setup = connection()
    view = connections.get_connection(OPERATOR, setup.id)
    assert view.secrets_set == ["client_secret"]
    assert settings["client_secret"] not in json.dumps(setup.settings)
    assert settings["client_secret"].encode() not in (setup.secrets or b"")


def test_a_poll_stores_the_page_and_applies_its_reservations(client, apaleo, connection):
    setup = connection()
    apaleo.expect_request("/booking/v1/reservations").respond_with_json(
        {"reservations": [reservation("InHouse", "2026-12-01T15:42:10+01:00")], "count": 1})

    outcome = polling.poll_connection(setup.id)
    message = inbox.process(outcome.message_id)

    assert (message.origin, message.status, outcome.more) == ("poll", "applied", False)
    assert the_stay().status == "in_house"
    db.session.refresh(setup)
    assert json.loads(setup.cursor)["since"]


def test_the_admins_check_names_the_apaleo_property(client, apaleo, connection):
    apaleo.expect_request("/inventory/v1/properties/MUC").respond_with_json(load("property.json"))
    setup = connection()
    check = connections.check_connection(OPERATOR, setup.id)
    assert check == (True, "Connected to apaleo property MUC: Hotel München.")
