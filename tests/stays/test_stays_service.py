"""The stays service: upserts keyed by (property, PMS id), stale and repeated updates ignored,
status commands, the check-in and check-out facts, and property scoping."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError
from guestrel.stays import service, signals
from guestrel.stays.models import Stay
from tests.statements import counted

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def booking(minutes=0, **values):
    return {"source_modified_at": at(minutes), "arrival": date(2026, 12, 1), "departure": date(2026, 12, 3), **values}


@pytest.fixture
def guest(app):
    return guest_service.create_guest(SYSTEM, {
        "given_name": "Wei", "family_name": "Zhang", "external_ids": [{"system": "mews", "external_id": "C-7"}],
    })


@pytest.fixture
def heard(app):
    """The check-in and check-out facts announced during the test, in order."""
    facts = []

    def on_check_in(sender, **kwargs):
        facts.append(("checked_in", kwargs))

    def on_check_out(sender, **kwargs):
        facts.append(("checked_out", kwargs))

    signals.stay_checked_in.connect(on_check_in)
    signals.stay_checked_out.connect(on_check_out)
    yield facts
    signals.stay_checked_in.disconnect(on_check_in)
    signals.stay_checked_out.disconnect(on_check_out)


def stored(pms_id="R-1") -> Stay:
    db.session.expire_all()
    return db.session.scalar(sa.select(Stay).where(Stay.pms_id == pms_id))


def stay_audit_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "stay"))


def test_upsert_creates_a_booked_stay_in_the_hotels_currency_and_audits_it(hotels, guest):
    shanghai, _ = hotels
    result = service.upsert_stay(SYSTEM, "sha", "R-1", booking(guest_id=guest.id, room_type="DLX", channel="Booking_COM"))

    assert result.outcome == "created" and result.ignored is None
    stay = stored()
    assert (stay.property_id, stay.guest_id, stay.status, stay.currency) == (shanghai.id, guest.id, "booked", "CNY")
    assert (stay.room_type, stay.channel, stay.adults, stay.revenue_room) == ("DLX", "booking_com", 1, Decimal("0.00"))
    assert stay.source_modified_at == at(0)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "stay"))
    assert (entry.action, entry.entity_id, entry.property_id, entry.guest_id) == ("create", stay.id, shanghai.id, guest.id)


def test_a_newer_upsert_updates_and_keeps_what_it_leaves_out(hotels, guest):
    service.upsert_stay(SYSTEM, "SHA", "R-1", booking(guest_id=guest.id, room_type="DLX"))
    result = service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(5), "room_number": "1208"})

    assert result.outcome == "updated"
    stay = stored()
    assert (stay.room_type, stay.room_number, stay.guest_id, stay.source_modified_at) == ("DLX", "1208", guest.id, at(5))
    assert stay_audit_count() == 2


def test_a_reservation_may_arrive_before_its_guest_is_known_and_be_linked_later(hotels, guest):
    service.upsert_stay(SYSTEM, "SHA", "R-1", booking())
    assert stored().guest_id is None

    service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(1), "guest_external_id": {"system": "MEWS", "id": "C-7"}})
    assert stored().guest_id == guest.id


def test_a_stale_update_is_ignored_leaves_the_database_unchanged_and_announces_nothing(hotels, heard):
    service.upsert_stay(SYSTEM, "SHA", "R-1", booking(10, room_number="1208"))
    audits = stay_audit_count()

    result = service.upsert_stay(SYSTEM, "SHA", "R-1", booking(5, status="in_house", room_number="0101"))

    assert result.outcome == "ignored_stale" and result.ignored == "stale"
    stay = stored()
    assert (stay.status, stay.room_number, stay.source_modified_at, stay.checked_in_at) == ("booked", "1208", at(10), None)
    assert stay_audit_count() == audits
    assert heard == []


def test_the_same_upsert_twice_has_one_effect(hotels, heard):
    data = booking(status="in_house", room_number="1208")
    assert service.upsert_stay(SYSTEM, "SHA", "R-1", data).outcome == "created"
    second = service.upsert_stay(SYSTEM, "SHA", "R-1", dict(data))

    assert second.outcome == "ignored_duplicate" and second.ignored == "duplicate"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 1
    assert stay_audit_count() == 1
    assert [fact for fact, _ in heard] == ["checked_in"]


def test_a_cancelled_reservation_is_reinstated_by_a_newer_update(hotels):
    service.upsert_stay(SYSTEM, "SHA", "R-1", booking(0))
    service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(1), "status": "cancelled"})
    assert stored().status == "cancelled"

    result = service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(2), "status": "booked"})

    assert result.outcome == "updated"
    assert stored().status == "booked"


def test_reordered_updates_keep_the_newer(hotels):
    service.upsert_stay(SYSTEM, "SHA", "R-1", booking(0))
    service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(20), "status": "cancelled"})
    late = service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(10), "status": "booked", "room_number": "9"})

    assert late.outcome == "ignored_stale"
    stay = stored()
    assert (stay.status, stay.room_number, stay.source_modified_at) == ("cancelled", None, at(20))


def test_check_in_and_out_through_the_pms_announce_each_fact_once_after_commit(hotels, guest, heard):
    shanghai, _ = hotels
    seen_committed = []

    def committed(sender, stay_id, **_facts):
        # Another connection sees only what is committed.
        with db.engine.connect() as connection:
            seen_committed.append(connection.scalar(sa.select(Stay.status).where(Stay.id == stay_id)))

    signals.stay_checked_in.connect(committed)

    service.upsert_stay(SYSTEM, "SHA", "R-1", booking(0, guest_id=guest.id))
    service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(60), "status": "in_house"})
    service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(61), "status": "in_house", "room_number": "1208"})
    service.upsert_stay(SYSTEM, "SHA", "R-1", {
        "source_modified_at": at(120), "status": "checked_out",
        "revenue": {"room": "1800", "food_and_beverage": Decimal("320.50"), "other": 0},
    })
    signals.stay_checked_in.disconnect(committed)

    stay = stored()
    facts = {"stay_id": stay.id, "property_id": shanghai.id, "guest_id": guest.id}
    assert heard == [("checked_in", facts), ("checked_out", facts)]
    assert seen_committed == ["in_house"]
    assert (stay.checked_in_at, stay.checked_out_at) == (at(60), at(120))
    assert (stay.revenue_room, stay.revenue_food_and_beverage, stay.revenue_other) == (
        Decimal("1800.00"), Decimal("320.50"), Decimal("0.00"))


def test_staff_commands_move_a_stay_along_the_allowed_transitions(hotels, heard):
    stay_id = service.upsert_stay(SYSTEM, "SHA", "R-1", booking()).stay.id

    service.check_in(SYSTEM, stay_id, at(30))
    service.check_in(SYSTEM, stay_id)
    with pytest.raises(service.TransitionError):
        service.cancel(SYSTEM, stay_id)
    service.check_out(SYSTEM, stay_id, at(90), revenue={"room": Decimal("999.99"), "currency": "usd"})
    with pytest.raises(service.TransitionError):
        service.check_in(SYSTEM, stay_id)

    stay = stored()
    assert (stay.status, stay.checked_in_at, stay.checked_out_at) == ("checked_out", at(30), at(90))
    assert (stay.revenue_room, stay.currency) == (Decimal("999.99"), "USD")
    assert [fact for fact, _ in heard] == ["checked_in", "checked_out"]
    actions = db.session.scalars(sa.select(AuditEntry.changes).where(AuditEntry.entity_type == "stay")
                                 .order_by(AuditEntry.id)).all()
    assert [changes.get("status") for changes in actions[1:]] == [["booked", "in_house"], ["in_house", "checked_out"]]


def test_cancel_and_no_show_apply_to_booked_stays_only(hotels):
    first = service.upsert_stay(SYSTEM, "SHA", "R-1", booking()).stay.id
    second = service.upsert_stay(SYSTEM, "SHA", "R-2", booking()).stay.id

    assert service.cancel(SYSTEM, first).status == "cancelled"
    with pytest.raises(service.TransitionError):
        service.mark_no_show(SYSTEM, first)
    assert service.mark_no_show(SYSTEM, second).status == "no_show"


def test_a_failing_listener_neither_undoes_the_check_in_nor_silences_the_others(hotels, heard):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    signals.stay_checked_in.connect(broken)
    try:
        stay_id = service.upsert_stay(SYSTEM, "SHA", "R-1", booking()).stay.id
        service.check_in(SYSTEM, stay_id)
    finally:
        signals.stay_checked_in.disconnect(broken)
    assert stored().status == "in_house"
    assert [fact for fact, _ in heard] == ["checked_in"]


@pytest.mark.parametrize("data, field", [
    (booking(departure=date(2026, 12, 1)), "departure"),
    (booking(revenue={"room": "-1"}), "revenue.room"),
    (booking(revenue={"room": "1.005"}), "revenue.room"),
    (booking(revenue={"currency": "XYZ"}), "revenue.currency"),
    (booking(status="gone"), "status"),
    (booking(adults=-1), "adults"),
    (booking(guest_id=999_999), "guest_id"),
    (booking(guest_external_id={"system": "mews", "id": "nobody"}), "guest_external_id"),
    ({**booking(), "source_modified_at": datetime(2026, 11, 20, 8, 0)}, "source_modified_at"),
    ({"source_modified_at": at(0), "arrival": date(2026, 12, 1)}, "departure"),
    (booking(nights=2), "nights"),
])
def test_invalid_values_are_refused_and_nothing_is_written(hotels, data, field):
    with pytest.raises(InvalidDataError) as refused:
        service.upsert_stay(SYSTEM, "SHA", "R-1", data)
    assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Stay)) == 0
    assert stay_audit_count() == 0


def test_a_principal_writes_and_reads_only_the_stays_of_its_hotels(hotels):
    shanghai, hangzhou = hotels
    hgh_stay = service.upsert_stay(SYSTEM, "HGH", "R-9", booking()).stay.id
    sha_stay = service.upsert_stay(SYSTEM, "SHA", "R-1", booking()).stay.id
    sha_desk = Principal(permissions=frozenset({"stays:read", "stays:write"}), property_ids=frozenset({shanghai.id}))

    with pytest.raises(PermissionDeniedError):
        service.upsert_stay(sha_desk, "HGH", "R-9", booking(5, room_number="1"))
    for command in (service.check_in, service.cancel, service.mark_no_show):
        with pytest.raises(NotFoundError):
            command(sha_desk, hgh_stay)
    with pytest.raises(NotFoundError):
        service.get_stay(sha_desk, hgh_stay)
    assert [s.id for s in service.list_stays(sha_desk).items] == [sha_stay]
    with pytest.raises(NotFoundError):
        service.list_stays(sha_desk, property_code="HGH")
    assert stored("R-9").room_number is None and stored("R-9").status == "booked"


def test_list_stays_filters_and_pages_by_id(hotels, guest):
    for number in range(5):
        service.upsert_stay(SYSTEM, "SHA", f"R-{number}", booking(
            arrival=date(2026, 12, 1 + number), departure=date(2026, 12, 10), guest_id=guest.id if number % 2 else None))
    service.upsert_stay(SYSTEM, "HGH", "R-X", booking(guest_id=guest.id))

    first = service.list_stays(SYSTEM, property_code="SHA", limit=2)
    second = service.list_stays(SYSTEM, property_code="SHA", limit=2, after=first.next_after)
    third = service.list_stays(SYSTEM, property_code="SHA", limit=2, after=second.next_after)
    assert [s.pms_id for s in first.items + second.items + third.items] == [f"R-{n}" for n in range(5)]
    assert third.next_after is None
    assert {s.pms_id for s in service.list_stays(SYSTEM, guest_id=guest.id).items} == {"R-1", "R-3", "R-X"}
    window = service.list_stays(SYSTEM, arrival_from=date(2026, 12, 2), arrival_to=date(2026, 12, 3))
    assert [s.pms_id for s in window.items] == ["R-1", "R-2"]
    assert service.list_stays(SYSTEM, status="cancelled").items == []


def test_listing_a_page_of_stays_reads_them_in_one_query(hotels, app):
    for number in range(6):
        service.upsert_stay(SYSTEM, "SHA" if number % 2 else "HGH", f"R-{number}", booking())
    db.session.expire_all()
    with counted() as statements:
        page = service.list_stays(SYSTEM)
        codes = [stay.stay_property.code for stay in page.items]
    assert sorted(set(codes)) == ["HGH", "SHA"]
    assert len(statements) == 1


def test_every_written_change_is_announced_as_changed_before_its_other_facts(hotels, guest):
    heard = []

    def on(name):
        def receiver(sender, stay_id, **_facts):
            heard.append((name, stay_id))
        return receiver

    receivers = {signal: on(name) for name, signal in (("changed", signals.stay_changed),
                                                       ("checked_in", signals.stay_checked_in))}
    for signal, receiver in receivers.items():
        signal.connect(receiver)
    try:
        stay_id = service.upsert_stay(SYSTEM, "SHA", "R-1", booking(0, guest_id=guest.id)).stay.id
        service.upsert_stay(SYSTEM, "SHA", "R-1", booking(0, guest_id=guest.id))
        service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(-5), "room_number": "9"})
        service.upsert_stay(SYSTEM, "SHA", "R-1", {"source_modified_at": at(5), "room_number": "1208"})
        service.check_in(SYSTEM, stay_id)
        service.check_in(SYSTEM, stay_id)
    finally:
        for signal, receiver in receivers.items():
            signal.disconnect(receiver)

    assert heard == [("changed", stay_id), ("changed", stay_id), ("changed", stay_id), ("checked_in", stay_id)]
