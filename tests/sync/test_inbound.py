import time

import pytest
import sqlalchemy as sa

from guestrel.extensions import db
from guestrel.stays.models import Stay
from guestrel.sync.inbound import signature
from guestrel.sync.models import Connection, InboxMessage
from tests.sync.conftest import payload, upsert

WEBHOOK_SECRET = "whsec-shanghai"


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def make_connection(client, hotels, make_api_key):
    admin = make_api_key("integrations:admin")

    def make(**settings):
        body = {"adapter": "jsonpms", "property_code": "SHA", "name": "Shanghai PMS",
                "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"} | settings}
        response = client.post("/api/v1/connections", json=body, headers=admin)
        assert response.status_code == 201, response.json
        return db.session.get(Connection, response.json["id"])

    return make


def post(client, connection, body, token=None, headers=None):
    return client.post(f"/inbound/{connection.id}/{token or connection.inbound_token}", data=body,
                       content_type="application/json", headers=headers or {})


def signed(body, secret=WEBHOOK_SECRET, at=None):
    timestamp = str(int(time.time() if at is None else at))
    return {"X-Guestrel-Timestamp": timestamp, "X-Guestrel-Signature": signature(secret, timestamp, body)}


def test_an_accepted_delivery_is_stored_and_creates_the_stay(client, make_connection):
    connection = make_connection()
    body = payload(upsert("e1", reservation="R-77", room="1208"))
    response = post(client, connection, body, headers={"X-Guestrel-Delivery": "d-1"})
    assert response.status_code == 202, response.json
    message = db.session.get(InboxMessage, response.json["message_id"])
    assert response.json == {"message_id": message.id, "status": "applied"}
    assert (message.body, message.delivery_id, message.adapter) == (body, "d-1", "jsonpms")
    stay = db.session.scalar(sa.select(Stay).where(Stay.pms_id == "R-77"))
    assert stay.room_number == "1208"
    db.session.refresh(connection)
    assert connection.last_success_at is not None and connection.last_error is None


def test_a_wrong_token_is_refused_and_nothing_is_stored(client, make_connection):
    connection = make_connection()
    response = post(client, connection, payload(upsert("e1")), token="x" * len(connection.inbound_token))
    assert response.status_code == 401
    assert response.json["message"] == "The address of this connection is wrong."
    assert count(InboxMessage) == 0 and count(Stay) == 0


def test_an_unknown_or_disabled_connection_is_not_found(client, make_connection, make_api_key):
    connection = make_connection()
    unknown = client.post(f"/inbound/{connection.id + 1}/{connection.inbound_token}", data=payload(upsert("e1")))
    assert unknown.status_code == 404 and unknown.json["message"]
    disabling = client.patch(f"/api/v1/connections/{connection.id}", json={"enabled": False},
                             headers={**make_api_key("integrations:admin", name="disabler"), "If-Match": '"1"'})
    assert disabling.status_code == 200
    disabled = post(client, connection, payload(upsert("e1")))
    assert disabled.status_code == 404
    assert disabled.json["message"] == "There is no enabled connection at this address."
    assert count(InboxMessage) == 0


def test_a_connection_with_a_webhook_secret_requires_a_valid_signature(client, make_connection):
    connection = make_connection(webhook_secret=WEBHOOK_SECRET)
    body = payload(upsert("e1"))
    unsigned = post(client, connection, body)
    assert unsigned.status_code == 401
    assert unsigned.json["message"] == "This connection requires signed deliveries."
    wrong_key = post(client, connection, body, headers=signed(body, secret="another secret"))
    assert wrong_key.status_code == 401 and wrong_key.json["message"] == "The delivery's signature is wrong."
    tampered = post(client, connection, payload(upsert("e1", room="9999")), headers=signed(body))
    assert tampered.status_code == 401
    assert count(InboxMessage) == 0

    good = post(client, connection, body, headers=signed(body))
    assert good.status_code == 202 and good.json["status"] == "applied"
    assert count(InboxMessage) == 1


# Well away from the 5-minute edge: the test's clock and the request's are read at different times.
@pytest.mark.parametrize("offset", [-600, 600])
def test_a_signature_outside_five_minutes_is_refused(client, make_connection, offset):
    connection = make_connection(webhook_secret=WEBHOOK_SECRET)
    body = payload(upsert("e1"))
    response = post(client, connection, body, headers=signed(body, at=time.time() + offset))
    assert response.status_code == 401
    assert response.json["message"] == "The delivery's timestamp is missing or too far from the current time."
    assert count(InboxMessage) == 0
    a_little_late = post(client, connection, body, headers=signed(body, at=time.time() - 120))
    assert a_little_late.status_code == 202


def test_a_replayed_delivery_id_is_stored_once(client, make_connection):
    connection = make_connection()
    first = post(client, connection, payload(upsert("e1")), headers={"X-Guestrel-Delivery": "d-1"})
    assert first.status_code == 202
    again = post(client, connection, payload(upsert("e2", room="9")), headers={"X-Guestrel-Delivery": "d-1"})
    assert again.status_code == 200 and again.json == {"duplicate": True}
    other = post(client, connection, payload(upsert("e2")), headers={"X-Guestrel-Delivery": "d-2"})
    assert other.status_code == 202
    assert [m.delivery_id for m in db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id))] == [
        "d-1", "d-2"]


def test_a_malformed_payload_is_kept_as_failed_and_accepted(client, make_connection):
    connection = make_connection()
    response = post(client, connection, b"{not json")
    assert response.status_code == 202
    message = db.session.get(InboxMessage, response.json["message_id"])
    assert (response.json["status"], message.status, message.body) == ("failed", "failed", b"{not json")
    assert response.json["error"] == message.error and message.error.startswith("not JSON")
    db.session.refresh(connection)
    assert connection.last_error == message.error and connection.last_success_at is None


def test_an_oversized_body_is_refused_with_413(app, client, make_connection):
    connection = make_connection()
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = post(client, connection, b"x" * 1001)
    assert response.status_code == 413
    assert response.json["message"] == "What you sent is too large."
    assert count(InboxMessage) == 0
