"""Writing facts to the outbox: in the transaction of the change, once per connection that knows the
guest, the latest profile replacing one that still waits."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from guestrel.auth.service import OPERATOR
from guestrel.database import one_transaction
from guestrel.extensions import db
from guestrel.guests import merge, preference_service
from guestrel.guests import service as guest_service
from guestrel.guests.models import Preference
from guestrel.service_errors import ConflictError
from guestrel.stays import service as stay_service
from guestrel.sync import connections, outbox
from guestrel.sync.models import OutboxMessage
from tests.sync.outbox_support import (  # noqa: F401  (fixtures)
    app,
    make_connection,
    make_guest,
    messages,
    notes_pms,
    prefer,
)

URL = "http://pms.example.com"


def test_a_preference_change_writes_one_outbox_row_that_commits_with_it(hotels):
    connection = make_connection(URL)
    guest = make_guest("C-1")
    assert messages() == []

    prefer(guest.id, "Carrot juice", detail="Large glass, in the fridge before arrival")

    [message] = messages()
    assert (message.connection_id, message.guest_id, message.kind, message.status, message.attempts) == (
        connection.id, guest.id, "guest_profile", "pending", 0)
    assert message.payload == {
        "fact_id": message.fact_id, "guest_external_id": "C-1", "reservation_ids": [],
        "preferences": ["Carrot juice — Large glass, in the fridge before arrival"], "tier_code": None,
    }
    assert message.last_error is None and message.next_attempt_at is not None
    # Seen from another connection to the database: the change and its outbox row are both there.
    with db.engine.connect() as other:
        assert other.execute(sa.select(sa.func.count()).select_from(Preference)).scalar() == 1
        assert other.execute(sa.select(OutboxMessage.fact_id)).scalars().all() == [message.fact_id]


def test_a_change_that_rolls_back_writes_no_outbox_row(hotels):
    make_connection(URL)
    guest = make_guest("C-1")

    with pytest.raises(RuntimeError), one_transaction(db.session):
        prefer(guest.id, "Carrot juice")
        raise RuntimeError("the rest of the unit of work failed")

    assert messages() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Preference)) == 0


def test_a_refused_change_writes_no_outbox_row(hotels):
    make_connection(URL)
    guest = make_guest("C-1")
    preference = prefer(guest.id, "Carrot juice")
    before = [(m.id, m.fact_id, m.payload) for m in messages()]

    with pytest.raises(ConflictError):
        preference_service.update_preference(OPERATOR, guest.id, preference.id, preference.version + 1,
                                             {"value": "Orange juice"})

    assert [(m.id, m.fact_id, m.payload) for m in messages()] == before


def test_the_profile_has_the_chain_and_the_hotels_own_preferences_most_important_first(hotels):
    shanghai_pms, hangzhou_pms = make_connection(URL, "SHA"), make_connection(URL, "HGH")
    guest = make_guest("C-1")
    prefer(guest.id, "Newspaper", priority="low")
    prefer(guest.id, "Bund view", property_code="SHA", priority="high")
    prefer(guest.id, "Carrot juice")
    prefer(guest.id, "Lake view", property_code="HGH")
    prefer(guest.id, "Peanuts", category="dietary_and_allergy")

    sent = {m.connection_id: m.payload["preferences"] for m in messages(status="pending")}
    assert sent == {
        shanghai_pms.id: ["Peanuts", "Bund view", "Carrot juice", "Newspaper"],
        hangzhou_pms.id: ["Peanuts", "Carrot juice", "Lake view", "Newspaper"],
    }
    assert len(messages()) == 2


def test_a_burst_of_edits_leaves_one_waiting_fact_with_the_latest_profile(hotels):
    make_connection(URL)
    guest = make_guest("C-1")
    juice = prefer(guest.id, "Carrot juice")
    first_fact = messages()[0].fact_id

    juice = preference_service.update_preference(OPERATOR, guest.id, juice.id, juice.version,
                                                  {"value": "Carrot juice, no ice"})
    prefer(guest.id, "Feather pillow", category="bed_and_pillow")
    preference_service.retire_preference(OPERATOR, guest.id, juice.id)

    [message] = messages()
    assert message.status == "pending"
    assert message.payload["preferences"] == ["Feather pillow"]
    # Each new profile is a new fact: an earlier try of the old one may have reached the PMS.
    assert message.fact_id != first_fact and message.payload["fact_id"] == message.fact_id


def test_a_change_that_does_not_change_what_is_sent_writes_nothing(hotels):
    make_connection(URL)
    guest = make_guest("C-1")
    juice = prefer(guest.id, "Carrot juice")
    [before] = messages()

    preference_service.confirm_preference(OPERATOR, guest.id, juice.id)
    preference_service.update_preference(OPERATOR, guest.id, juice.id, juice.version, {"alert_at_check_in": True})

    [after] = messages()
    assert (after.id, after.fact_id, after.payload) == (before.id, before.fact_id, before.payload)


def test_nothing_is_written_for_a_guest_no_enabled_connected_pms_knows(hotels):
    shanghai_pms = make_connection(URL, "SHA")
    connections.create_connection(OPERATOR, {"adapter": "jsonpms", "property_code": "HGH", "name": "Other PMS",
                                             "settings": {"url": URL, "api_key": "k"}})
    no_id = make_guest(None, name="Nobody")
    other_system = make_guest("O-9", system="opera", name="Opera")
    prefer(no_id.id, "Carrot juice")
    prefer(other_system.id, "Carrot juice")
    assert messages() == []

    connections.update_connection(OPERATOR, shanghai_pms.id, {"enabled": False})
    known = make_guest("C-1")
    prefer(known.id, "Carrot juice")
    assert messages() == []


def test_linking_the_guest_to_the_pms_queues_the_profile_there(hotels):
    make_connection(URL)
    guest = make_guest(None)
    prefer(guest.id, "Carrot juice")
    assert messages() == []

    guest_service.add_external_id(OPERATOR, guest.id, "NotesPMS", "C-77")
    guest_service.add_external_id(OPERATOR, guest.id, "notespms", "C-77")

    [message] = messages()
    assert (message.payload["guest_external_id"], message.payload["preferences"]) == ("C-77", ["Carrot juice"])


def stay(pms_id, guest_id, property_code="SHA", status="booked", arrival=date(2026, 12, 1)):
    stay_service.upsert_stay(OPERATOR, property_code, pms_id, {
        "source_modified_at": datetime(2026, 11, 1, tzinfo=timezone.utc), "guest_id": guest_id,
        "arrival": arrival, "departure": date(2026, 12, 20), "status": status})


def test_a_pms_without_guest_profiles_gets_the_guests_open_reservations_at_its_hotel(hotels):
    shanghai_pms = make_connection(URL, "SHA")
    make_connection(URL, "HGH")
    guest = make_guest(None)
    stay("R-2", guest.id, arrival=date(2026, 12, 10))
    stay("R-1", guest.id)
    stay("R-0", guest.id, status="checked_out", arrival=date(2026, 1, 5))
    stay("R-9", guest.id, status="cancelled")

    prefer(guest.id, "Carrot juice")

    [message] = messages()
    assert message.connection_id == shanghai_pms.id
    assert (message.payload["guest_external_id"], message.payload["reservation_ids"]) == (None, ["R-1", "R-2"])


def test_a_merge_supersedes_the_merged_guests_waiting_fact_and_queues_the_survivors_whole_profile(hotels):
    connection = make_connection(URL)
    survivor = make_guest(external_id=None, name="Wei")
    prefer(survivor.id, "Carrot juice")
    merged = make_guest("C-9", name="Wei")
    prefer(merged.id, "Peanuts", category="dietary_and_allergy")
    [waiting] = messages()
    assert (waiting.guest_id, waiting.payload["preferences"]) == (merged.id, ["Peanuts"])

    merge.merge_guests(OPERATOR, survivor.id, merged.id, survivor.version, merged.version, {})

    old, new = messages()
    assert (old.id, old.guest_id, old.status, old.next_attempt_at) == (waiting.id, survivor.id, "superseded", None)
    assert (new.connection_id, new.guest_id, new.status) == (connection.id, survivor.id, "pending")
    assert new.payload["guest_external_id"] == "C-9"
    assert new.payload["preferences"] == ["Peanuts", "Carrot juice"]


def test_a_failing_listener_rolls_the_preference_change_back(app, hotels, monkeypatch):
    make_connection(URL)
    guest = make_guest("C-1")

    def broken(guest_id):
        raise RuntimeError("the outbox is broken")

    monkeypatch.setattr(outbox, "guest_profile_changed", broken)
    with pytest.raises(RuntimeError):
        prefer(guest.id, "Carrot juice")

    db.session.rollback()
    assert messages() == [] and db.session.scalar(sa.select(sa.func.count()).select_from(Preference)) == 0
