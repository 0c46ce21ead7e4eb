import hashlib
import random
from decimal import Decimal

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.service_errors import InvalidDataError, NotFoundError
from guestrel.stays.models import Stay
from guestrel.sync import inbox
from guestrel.sync.models import InboxEvent, InboxMessage
from tests.sync.conftest import deliver, payload, upsert


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stay(pms_id="R1"):
    return db.session.scalar(sa.select(Stay).where(Stay.pms_id == pms_id))


def test_the_same_payload_delivered_twice_makes_one_stay_and_one_guest(hotels):
    body = payload(upsert("e1", room="1208"))
    first, second = deliver(body), deliver(body)
    assert (first.status, second.status) == ("applied", "ignored")
    assert count(Stay) == 1 and count(Guest) == 1
    guest = db.session.scalar(sa.select(Guest))
    assert (guest.given_name, guest.family_name) == ("Wei", "Zhang")
    link = db.session.scalar(sa.select(GuestExternalId))
    assert (link.system, link.external_id, link.guest_id) == ("jsonpms", "P1", guest.id)
    assert stay().guest_id == guest.id and stay().property_id == hotels[0].id and stay().room_number == "1208"
    # Both payloads are kept; the event is recorded once, under the first.
    assert count(InboxMessage) == 2
    assert [(e.message_id, e.status) for e in inbox.events_of(first.id)] == [(first.id, "applied")]
    assert inbox.events_of(second.id) == []


def test_an_event_in_two_different_deliveries_applies_once(hotels):
    first = deliver(payload(upsert("e1"), upsert("e2", reservation="R2")))
    second = deliver(payload(upsert("e2", reservation="R2"), upsert("e3", reservation="R3")))
    assert (first.status, second.status) == ("applied", "applied")
    assert [e.event_id for e in inbox.events_of(second.id)] == ["e3"]
    assert count(Stay) == 3 and count(InboxEvent) == 3
    # One guest (P1) for all three reservations: matched by its external id.
    assert count(Guest) == 1


def test_reordered_updates_leave_the_newest(hotels):
    updates = [upsert(f"e{hour}", modified=f"2026-11-20T{hour:02d}:00:00+00:00", room=f"{hour}01")
               for hour in range(10, 16)]
    random.Random(3).shuffle(updates)
    for update in updates:
        deliver(payload(update))
    assert stay().room_number == "1501"
    assert count(Stay) == 1 and count(Guest) == 1
    statuses = db.session.scalars(sa.select(InboxEvent.status)).all()
    assert set(statuses) <= {"applied", "ignored"} and len(statuses) == 6


def test_status_events_move_the_stay_and_stale_ones_are_ignored(hotels):
    deliver(payload(upsert("e1")))
    deliver(payload({"id": "e3", "kind": "checked_out", "reservation": "R1", "modified": "2026-12-03T03:00:00+00:00",
                     "at": "2026-12-03T03:00:00+00:00", "revenue": "1880.00"}))
    late = deliver(payload({"id": "e2", "kind": "checked_in", "reservation": "R1",
                            "modified": "2026-12-01T07:00:00+00:00", "at": "2026-12-01T07:00:00+00:00",
                            "room": "1208"}))
    assert late.status == "ignored"
    assert stay().status == "checked_out" and stay().revenue_room == Decimal("1880.00")
    assert [e.status for e in inbox.events_of(late.id)] == ["ignored"]


def test_a_cancelled_reservation_is_reinstated_by_a_newer_update(hotels):
    deliver(payload(upsert("e1")))
    deliver(payload({"id": "e2", "kind": "cancelled", "reservation": "R1", "modified": "2026-11-21T10:00:00+00:00"}))
    assert stay().status == "cancelled"
    deliver(payload(upsert("e3", modified="2026-11-22T10:00:00+00:00")))
    assert stay().status == "booked"


def test_a_malformed_payload_is_kept_with_its_error_and_applies_on_replay_after_a_fix(hotels, adapter_module):
    body = payload(upsert("e1"), version=2)
    message = deliver(body)
    assert message.status == "failed" and message.error == "unknown payload version 2"
    assert message.attempts == 1 and message.applied_at is None
    assert count(InboxEvent) == 0 and count(Stay) == 0 and count(Guest) == 0
    assert db.session.get(InboxMessage, message.id).body == body

    adapter_module.ACCEPTED_VERSIONS.add(2)
    replayed = inbox.replay(OPERATOR, message.id)
    assert replayed.status == "applied" and replayed.error is None and replayed.attempts == 2
    assert count(Stay) == 1 and count(Guest) == 1


def test_a_payload_that_is_not_json_or_crashes_the_adapter_is_kept_failed(hotels):
    not_json = deliver(b"<xml>surprise</xml>")
    assert not_json.status == "failed" and not_json.error.startswith("not JSON")
    # A KeyError inside the adapter (no "events") is an adapter bug: kept with its name.
    crashed = deliver(payload(version=1).replace(b'"events": [], ', b""))
    assert crashed.status == "failed" and crashed.error == "KeyError: 'events'"
    assert count(InboxEvent) == 0 and count(Stay) == 0


def test_one_bad_event_fails_alone_and_a_replay_applies_the_rest_once(hotels):
    nameless = upsert("e2", reservation="R2", guest=None) | {"guest": {"external_id": "P2"}}
    cancel_unknown = {"id": "e3", "kind": "cancelled", "reservation": "R9", "modified": "2026-11-20T10:00:00+00:00"}
    message = deliver(payload(upsert("e1"), nameless, cancel_unknown, upsert("e4", reservation="R4")))
    assert message.status == "failed" and message.error == "2 of 4 events failed to apply."
    events = {e.event_id: e for e in inbox.events_of(message.id)}
    assert {key: e.status for key, e in events.items()} == {"e1": "applied", "e2": "failed", "e3": "failed",
                                                           "e4": "applied"}
    assert "name" in events["e2"].error
    assert events["e3"].error.startswith("arrival:")
    assert sorted(db.session.scalars(sa.select(Stay.pms_id))) == ["R1", "R4"]

    # R9 arrives in the meantime; the replay cancels it, and applies nothing twice.
    deliver(payload(upsert("e5", reservation="R9", modified="2026-11-19T10:00:00+00:00")))
    audit_entries = count(AuditEntry)
    replayed = inbox.replay(OPERATOR, message.id)
    assert replayed.status == "failed" and replayed.error == "1 of 4 events failed to apply."
    assert {e.event_id: e.status for e in inbox.events_of(message.id)}["e3"] == "applied"
    assert stay("R9").status == "cancelled"
    assert count(Stay) == 3 and count(Guest) == 1
    # The cancellation is the only change: e1 and e4 were not applied again.
    assert count(AuditEntry) == audit_entries + 1


def test_an_event_that_failed_is_applied_when_the_source_sends_it_again(hotels):
    cancel_unknown = {"id": "e1", "kind": "cancelled", "reservation": "R9", "modified": "2026-11-20T10:00:00+00:00"}
    first = deliver(payload(cancel_unknown))
    assert first.status == "failed"

    again = deliver(payload(cancel_unknown))
    assert again.status == "failed" and again.error == "1 of 1 events failed to apply."
    [event] = inbox.events_of(again.id)
    assert (event.event_id, event.status) == ("e1", "failed") and inbox.events_of(first.id) == []

    # R9 arrives in the meantime; the source's third try cancels it, once.
    deliver(payload(upsert("e2", reservation="R9", modified="2026-11-19T10:00:00+00:00")))
    third = deliver(payload(cancel_unknown))
    assert third.status == "applied" and stay("R9").status == "cancelled"
    assert [(e.event_id, e.status) for e in inbox.events_of(third.id)] == [("e1", "applied")]
    assert deliver(payload(cancel_unknown)).status == "ignored"
    assert count(InboxEvent) == 2


def test_the_raw_body_is_stored_byte_for_byte_and_headers_without_credentials(hotels):
    body = b'{"events": []}\r\n\xff\xfe trailing bytes that are not UTF-8 \x00'
    message = inbox.receive(inbox.Source("jsonpms", "SHA"), "application/json; charset=gbk", {
        "Authorization": "Bearer pms-secret", "Cookie": "session=abc", "X-Api-Token": "t0ken",
        "X-Signature": "sha256=abcd", "User-Agent": "PMS/1.0",
    }, body)
    db.session.expire_all()
    stored = db.session.get(InboxMessage, message.id)
    assert stored.body == body and stored.body_sha256 == hashlib.sha256(body).hexdigest()
    assert stored.headers == {"X-Signature": "sha256=abcd", "User-Agent": "PMS/1.0"}
    assert (stored.status, stored.content_type, stored.attempts) == ("received", "application/json; charset=gbk", 0)


def test_events_are_applied_for_the_source_property_only(hotels):
    deliver(payload(upsert("e1")), property_code="HGH")
    deliver(payload(upsert("e1")), property_code="SHA")
    # The same event id from two hotels' PMSs are two events.
    assert sorted(db.session.scalars(sa.select(Stay.property_id))) == sorted(h.id for h in hotels)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "stay").limit(1))
    assert entry.staff_id is None and entry.api_client_id is None


def test_receive_refuses_an_unknown_adapter_or_property_and_stores_nothing(hotels):
    with pytest.raises(InvalidDataError) as refused:
        inbox.receive(inbox.Source("opera", "SHA"), "application/json", {}, b"{}")
    assert refused.value.field == "adapter"
    with pytest.raises(NotFoundError):
        inbox.receive(inbox.Source("jsonpms", "NOPE"), "application/json", {}, b"{}")
    assert count(InboxMessage) == 0


def test_only_a_failed_message_is_replayed(hotels):
    message = deliver(payload(upsert("e1")))
    with pytest.raises(inbox.NotReplayableError):
        inbox.replay(OPERATOR, message.id)
    with pytest.raises(NotFoundError):
        inbox.replay(OPERATOR, message.id + 100)
