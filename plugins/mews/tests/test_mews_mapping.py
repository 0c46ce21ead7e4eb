import json
from datetime import date, datetime, timezone

import pytest

from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    PayloadError,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
    TimeoutSession,
)
from guestrel_mews import MewsAdapter
from mews_fake import load, settings

RESERVATION_ID = "0f515589-99b4-423d-b83a-b237009f0509"
CUSTOMER_ID = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"


def adapter(**changes):
    # Parsing a page makes no call: an address nothing listens on proves it.
    return MewsAdapter(settings("http://127.0.0.1:9") | changes, TimeoutSession(timeout=0.5))


def page(reservations=None, customers=None) -> bytes:
    return json.dumps({
        "reservations": {"Reservations": [load("reservation.json")] if reservations is None else reservations,
                         "Cursor": None},
        "customers": {"Customers": [load("customer.json")] if customers is None else customers},
        "resources": load("resources.json"),
        "resourceCategories": load("resource_categories.json"),
        "rates": load("rates.json"),
        "ageCategories": load("age_categories.json"),
    }).encode()


def reservation(**changes) -> dict:
    return load("reservation.json") | changes


def events_of(*reservations, **settings_changes):
    return adapter(**settings_changes).parse_page(page(list(reservations)))


def reservation_events(*reservations, **settings_changes):
    return [event for event in events_of(*reservations, **settings_changes) if not isinstance(event, ProfileUpdated)]


@pytest.mark.parametrize("state", ["Inquired", "Enquired", "Requested", "Optional", "Confirmed"])
def test_a_booked_state_is_only_the_reservation_itself(state):
    events = reservation_events(reservation(State=state))
    assert [type(event) for event in events] == [ReservationUpserted]


def test_a_started_reservation_is_checked_in_at_its_actual_start_into_its_room():
    events = reservation_events(reservation(State="Started", ActualStartUtc="2026-12-01T05:42:10Z"))
    assert [type(event) for event in events] == [ReservationUpserted, CheckedIn]
    assert events[1].at == datetime(2026, 12, 1, 5, 42, 10, tzinfo=timezone.utc)
    assert (events[1].room_number, events[1].reservation_id) == ("1208", RESERVATION_ID)


def test_a_started_reservation_without_an_actual_start_is_checked_in_at_its_start():
    events = reservation_events(reservation(State="Started", StartUtc="2026-12-01T04:00:00Z"))
    assert events[1].at == datetime(2026, 12, 1, 4, 0, tzinfo=timezone.utc)


def test_a_processed_reservation_is_checked_out_at_its_actual_end():
    events = reservation_events(reservation(State="Processed", ActualStartUtc="2026-12-01T05:42:10Z",
                                            ActualEndUtc="2026-12-03T03:15:00Z"))
    assert [type(event) for event in events] == [ReservationUpserted, CheckedOut]
    assert events[1].at == datetime(2026, 12, 3, 3, 15, tzinfo=timezone.utc)


def test_a_canceled_reservation_is_cancelled_and_one_canceled_as_no_show_is_a_no_show():
    cancelled = reservation_events(reservation(State="Canceled", CancellationReason="RequestedByGuest"))
    no_show = reservation_events(reservation(State="Canceled", CancellationReason="NoShow"))
    assert [type(event) for event in cancelled] == [ReservationUpserted, ReservationCancelled]
    assert [type(event) for event in no_show] == [ReservationUpserted, NoShow]


def test_the_reservation_carries_what_mews_knows_of_it():
    upsert = reservation_events(reservation())[0]
    assert upsert == ReservationUpserted(
        event_id=f"reservation:{RESERVATION_ID}:2026-11-20T10:00:00+00:00:upserted",
        source_modified_at=datetime(2026, 11, 20, 10, tzinfo=timezone.utc), reservation_id=RESERVATION_ID,
        channel_confirmation="TW48ZP", arrival=date(2026, 12, 1), departure=date(2026, 12, 3), room_type="DLK",
        room_number="1208", rate_code="FF", channel="Booking.com", adults=2, children=1,
        guest=GuestData(external_id=CUSTOMER_ID, given_name="Wei", family_name="Zhang",
                        email="zhang.wei@example.com", phone="+86 138 0013 8000", member_number="LL810213",
                        birthday=date(1983, 12, 31), nationality="CN", language="zh-CN"),
    )


def test_arrival_and_departure_are_dates_on_the_hotels_clock():
    late = reservation(ScheduledStartUtc="2026-11-30T17:30:00Z", StartUtc="2026-11-30T17:30:00Z",
                       ScheduledEndUtc="2026-12-02T16:30:00Z", EndUtc="2026-12-02T16:30:00Z")
    in_shanghai = reservation_events(late)[0]
    in_utc = reservation_events(late, timezone="UTC")[0]
    assert (in_shanghai.arrival, in_shanghai.departure) == (date(2026, 12, 1), date(2026, 12, 3))
    assert (in_utc.arrival, in_utc.departure) == (date(2026, 11, 30), date(2026, 12, 2))


def test_the_same_version_of_a_reservation_is_the_same_event_and_a_newer_one_is_not():
    first = reservation_events(reservation(State="Started"))
    again = reservation_events(reservation(State="Started", UpdatedUtc="2026-11-20T10:00:00+00:00"))
    newer = reservation_events(reservation(State="Started", UpdatedUtc="2026-11-20T10:05:00Z"))
    assert [event.event_id for event in first] == [event.event_id for event in again]
    assert not {event.event_id for event in first} & {event.event_id for event in newer}


def test_each_customer_is_a_profile_update_before_the_reservations():
    events = events_of(reservation())
    assert isinstance(events[0], ProfileUpdated) and isinstance(events[1], ReservationUpserted)
    assert events[0].guest == events[1].guest
    assert events[0].event_id == f"customer:{CUSTOMER_ID}:2026-11-02T08:00:00+00:00"


def test_an_ota_relay_address_is_not_kept_and_the_preferred_language_wins():
    customer = load("customer.json") | {"Email": "zwei.38@guest.booking.com", "HasOtaEmail": True,
                                        "PreferredLanguageCode": "en-GB", "LanguageCode": "zh-CN"}
    profile = adapter().parse_page(page(customers=[customer]))[0]
    assert (profile.guest.email, profile.guest.language) == (None, "en-GB")


def test_a_reservation_of_a_company_or_of_an_unknown_customer_has_no_guest():
    company = reservation(AccountType="Company", AccountId="c6f5c82d-621a-4c8a-903b-1b0a9a23b71f")
    unknown = reservation(Id="9b59b50d-bd32-4ce5-add8-09ea0e1300e7", AccountId="b22bf671-ccdf-40aa-a7e6-b20a4f91d79a")
    events = reservation_events(company, unknown)
    assert [event.guest for event in events] == [None, None]


def test_a_reservation_without_an_assigned_room_or_person_counts_still_maps():
    upsert = reservation_events(reservation(AssignedResourceId=None, PersonCounts=[]))[0]
    assert (upsert.room_number, upsert.adults, upsert.children) == (None, 0, 0)


def with_reservation(**changes) -> bytes:
    return page([reservation(**changes)])


MALFORMED = {
    "not JSON": b"{not json",
    "a list": b"[]",
    "too deeply nested": b"[" * 100000 + b"]" * 100000,
    "a number of 5000 digits": b'{"reservations": ' + b"9" * 5000 + b"}",
    "reservations not an object": json.dumps({"reservations": [1, 2]}).encode(),
    "Reservations not a list": json.dumps({"reservations": {"Reservations": "all"}}).encode(),
    "a reservation that is not an object": json.dumps({"reservations": {"Reservations": [7]}}).encode(),
    "no Id": with_reservation(Id=None),
    "an Id that is not text": with_reservation(Id=12),
    "an endless Id": with_reservation(Id="x" * 5000),
    "no State": with_reservation(State=None),
    "an unknown State": with_reservation(State="Teleported"),
    "an UpdatedUtc that is no time": with_reservation(UpdatedUtc="next Tuesday"),
    "no start": with_reservation(ScheduledStartUtc=None, StartUtc=None),
    "departure before arrival": with_reservation(ScheduledEndUtc="2026-11-20T04:00:00Z"),
    "a huge person count": with_reservation(PersonCounts=[{"AgeCategoryId": "x", "Count": 10 ** 30}]),
    "a negative person count": with_reservation(PersonCounts=[{"AgeCategoryId": "x", "Count": -1}]),
    "a person count that is true": with_reservation(PersonCounts=[{"AgeCategoryId": "x", "Count": True}]),
    "a person count that is a float": with_reservation(PersonCounts=[{"AgeCategoryId": "x", "Count": 2.5}]),
    "person counts not a list": with_reservation(PersonCounts="two"),
    "a customer first name that is not text": page(customers=[load("customer.json") | {"FirstName": ["Wei"]}]),
    "a customer birth date that is no date": page(customers=[load("customer.json") | {"BirthDate": "31/12/1983"}]),
    "a customer without UpdatedUtc": page(customers=[load("customer.json") | {"UpdatedUtc": None}]),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_or_hostile_page_is_a_payload_error(body):
    with pytest.raises(PayloadError) as refused:
        adapter().parse_page(body)
    assert str(refused.value) and len(str(refused.value)) < 600


def test_a_page_cannot_be_read_without_the_connections_settings():
    with pytest.raises(PayloadError, match="settings are incomplete or wrong: access_token, client_token"):
        MewsAdapter({}, TimeoutSession()).parse_page(page())
