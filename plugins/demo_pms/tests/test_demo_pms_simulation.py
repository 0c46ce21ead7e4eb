"""The simulated hotel, polled: the same hours give the same events, every kind of event
happens, guests come and go at the hotel's hours on its clock, known guests come back."""
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from demo_pms_helpers import KNOWN_GUESTS, LI_WEI, NOW, adapter, by_reservation, events_of, poll_all

from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    NoShow,
    ReservationCancelled,
    ReservationUpserted,
)

WEEK = timedelta(days=7)


def simulated_week(weeks=1, **settings):
    """Every event of the weeks after a connection's first poll at NOW; the adapter used."""
    made = adapter(**settings)
    results, cursor = poll_all(made)
    made.now = lambda: NOW + weeks * WEEK
    later, _cursor = poll_all(made, cursor)
    return made, events_of(made, results + later)


def test_polling_the_same_interval_twice_gives_the_same_pages_and_event_ids():
    first_results, first_cursor = poll_all(adapter())
    second_results, second_cursor = poll_all(adapter())

    assert first_results == second_results and first_cursor == second_cursor
    events = events_of(adapter(), first_results)
    assert events == events_of(adapter(), second_results)
    assert len({event.event_id for event in events}) == len(events)


def test_polling_every_few_minutes_or_catching_up_at_once_gives_the_same_events():
    stepping = adapter()
    results, cursor = poll_all(stepping)
    catching_up = adapter(now=NOW + timedelta(hours=30))
    at_once = events_of(catching_up, poll_all(catching_up, cursor)[0])

    stepped = []
    for minutes in range(7, 30 * 60 + 1, 7):
        stepping.now = lambda moment=NOW + timedelta(minutes=minutes): moment
        results, cursor = poll_all(stepping, cursor)
        stepped += events_of(stepping, results)
    stepping.now = lambda: NOW + timedelta(hours=30)
    results, cursor = poll_all(stepping, cursor)
    stepped += events_of(stepping, results)

    assert sorted(stepped, key=lambda e: e.event_id) == sorted(at_once, key=lambda e: e.event_id)


def test_a_simulated_week_has_bookings_check_ins_check_outs_cancellations_and_no_shows():
    _made, events = simulated_week()

    kinds = Counter(type(event) for event in events)
    assert set(kinds) == {ReservationUpserted, CheckedIn, CheckedOut, ReservationCancelled, NoShow}
    # About 8 arrivals a day, most of whom come.
    assert 40 <= kinds[CheckedIn] <= 90
    assert kinds[ReservationCancelled] + kinds[NoShow] < kinds[CheckedIn] / 3


def test_guests_check_in_on_their_arrival_day_around_the_check_in_hour_on_the_hotels_clock():
    # New York changes its clocks on 1 November 2026: the hours stay the hotel's across it.
    zone = ZoneInfo("America/New_York")
    made = adapter(now=datetime(2026, 10, 29, 12, 0, tzinfo=timezone.utc), timezone="America/New_York",
                   currency="USD", check_in_hour=15, check_out_hour=11)
    results, cursor = poll_all(made)
    made.now = lambda: datetime(2026, 11, 5, 12, 0, tzinfo=timezone.utc)
    later, _cursor = poll_all(made, cursor)

    reservations = by_reservation(events_of(made, results + later))
    check_ins = [(stay["reservation"], stay["CheckedIn"][0]) for stay in reservations.values() if stay["CheckedIn"]]
    assert len(check_ins) > 30
    for reservation, check_in in check_ins:
        local = check_in.at.astimezone(zone)
        assert local.date() == reservation.arrival, reservation.reservation_id
        assert 14 <= local.hour <= 19, (reservation.reservation_id, local)
        assert check_in.room_number == reservation.room_number


def test_guests_check_out_after_checking_in_on_their_departure_day_with_revenue_in_the_hotels_currency():
    made, events = simulated_week(currency="EUR", nightly_rate="150.00", check_out_hour=11)

    check_outs = 0
    for reservation_id, stay in by_reservation(events).items():
        for check_out in stay["CheckedOut"]:
            check_outs += 1
            [check_in] = stay["CheckedIn"]
            reservation = stay["reservation"]
            local = check_out.at.astimezone(ZoneInfo("Asia/Shanghai"))
            assert check_in.at < check_out.at, reservation_id
            assert local.date() == reservation.departure and 8 <= local.hour <= 11, (reservation_id, local)
            revenue = check_out.revenue
            nights = (reservation.departure - reservation.arrival).days
            assert revenue.currency == "EUR"
            assert revenue.room >= nights * Decimal("120.00") and revenue.food_and_beverage >= 0 and revenue.other >= 0
    assert check_outs > 30


def test_cancelled_and_missed_reservations_never_see_their_guest():
    _made, events = simulated_week()

    for reservation_id, stay in by_reservation(events).items():
        if stay["ReservationCancelled"] or stay["NoShow"]:
            assert not stay["CheckedIn"] and not stay["CheckedOut"], reservation_id
        if stay["NoShow"]:
            [no_show] = stay["NoShow"]
            day_after = stay["reservation"].arrival + timedelta(days=1)
            assert no_show.source_modified_at.astimezone(ZoneInfo("Asia/Shanghai")).date() == day_after
        if stay["ReservationCancelled"]:
            [cancelled] = stay["ReservationCancelled"]
            assert stay["ReservationUpserted"][0].source_modified_at < cancelled.source_modified_at


def test_the_cursor_walks_one_simulated_hour_per_page_until_now():
    made = adapter()

    results, cursor = poll_all(made)

    start = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    hours = [start + timedelta(hours=n) for n in range(1, 49)]
    assert [result.cursor for result in results] == [m.isoformat() for m in [start, *hours, NOW]]
    assert [result.more for result in results] == [True] * 49 + [False]
    # Nothing happens at night: those hours have no page, only a cursor that moves on.
    assert any(result.body is None for result in results) and results[0].body is not None
    caught_up = made.poll(cursor)
    assert caught_up == (None, cursor, False)


def test_the_first_page_hands_over_the_reservations_open_two_days_ago():
    made = adapter()
    first = made.poll(None)

    start = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
    reservations = by_reservation(made.parse_page(first.body))
    assert reservations
    for stay in reservations.values():
        assert all(event.source_modified_at <= start for kind in ("ReservationUpserted", "CheckedIn")
                   for event in stay[kind])
        assert not (stay["CheckedOut"] or stay["ReservationCancelled"] or stay["NoShow"])
        assert stay["reservation"].departure >= date(2026, 11, 23)
    assert any(stay["CheckedIn"] for stay in reservations.values()), "guests in house then"
    assert any(stay["reservation"].arrival > date(2026, 11, 25) for stay in reservations.values()), "future bookings"


def test_every_change_carries_the_reservation_so_a_stay_booked_before_the_first_poll_is_complete():
    _made, events = simulated_week()

    by_id = {event.event_id: event for event in events}
    for event in events:
        if not isinstance(event, ReservationUpserted):
            snapshot = by_id[f"{event.event_id}/reservation"]
            assert snapshot.reservation_id == event.reservation_id
            assert snapshot.source_modified_at == event.source_modified_at
            assert events.index(snapshot) < events.index(event)


def test_known_guests_come_back_and_never_stay_twice_at_once():
    _made, events = simulated_week(weeks=4)

    stays = {}
    for reservation in (stay["reservation"] for stay in by_reservation(events).values()):
        stays.setdefault(reservation.guest.external_id, []).append(reservation)
    for guest in KNOWN_GUESTS:
        visits = sorted(stays[guest["external_id"]], key=lambda r: r.arrival)
        assert len(visits) >= 2, guest
        assert all(earlier.departure <= later.arrival for earlier, later in zip(visits, visits[1:])), guest
        assert visits[0].guest.given_name == guest["given_name"]


def test_a_known_guest_given_an_arrival_is_booked_for_it_ahead_and_checks_in_that_day():
    li_wei = LI_WEI | {"arrival": "2026-11-26", "nights": 3}
    made, events = simulated_week(guests=[li_wei, *KNOWN_GUESTS[1:]])

    [stay] = [stay for stay in by_reservation(events).values()
              if stay["reservation"].guest.external_id == "DEMO-00000"
              and stay["reservation"].arrival == date(2026, 11, 26)]
    assert stay["reservation"].departure == date(2026, 11, 29)
    assert stay["ReservationUpserted"][0].source_modified_at < NOW, "on the arrivals board at once"
    assert stay["CheckedIn"] and stay["CheckedOut"] and not stay["ReservationCancelled"]
    assert stay["reservation"].guest.email == "li.wei@example.com"
    his = sorted((s["reservation"] for s in by_reservation(events).values()
                  if s["reservation"].guest.external_id == "DEMO-00000"), key=lambda r: r.arrival)
    assert all(earlier.departure <= later.arrival for earlier, later in zip(his, his[1:]))


def test_new_guests_are_invented_with_demo_ids_chinese_and_western_names_and_real_looking_contacts():
    _made, events = simulated_week()

    known = {guest["external_id"] for guest in KNOWN_GUESTS}
    guests = {event.guest.external_id: event.guest for event in events
              if isinstance(event, ReservationUpserted) and event.guest.external_id not in known}
    assert len(guests) > 40 and all(guest_id.startswith("DEMO-GHGH") for guest_id in guests)
    names = [guest.family_name for guest in guests.values()]
    assert any("\u4e00" <= name[0] <= "\u9fff" for name in names) and any(name.isascii() for name in names)
    for guest in guests.values():
        if guest.phone:
            assert phonenumbers.is_valid_number(phonenumbers.parse(guest.phone)), guest.phone
        if guest.email:
            assert guest.email.isascii() and guest.email.split("@")[1].startswith("example."), guest.email
    assert all(guest.full_name == guest.family_name + guest.given_name
               for guest in guests.values() if guest.nationality == "CN")


def test_another_seed_or_hotel_plays_another_week():
    _made, events = simulated_week()
    _made, reseeded = simulated_week(seed=8)
    _made, elsewhere = simulated_week(hotel_code="SHA", hotel_name="Shanghai Bund Hotel")

    def arrivals(found):
        return {(e.arrival, e.guest.external_id) for e in found if isinstance(e, ReservationUpserted)}

    assert arrivals(events) != arrivals(reseeded)
    assert all(e.reservation_id.startswith("SHA-") for e in elsewhere)
    assert not {e.guest.external_id for e in elsewhere if isinstance(e, ReservationUpserted)} & {
        e.guest.external_id for e in events if isinstance(e, ReservationUpserted)} - {
        g["external_id"] for g in KNOWN_GUESTS}
