"""The guest's stays across the chain on the profile: every hotel's stays (hotel, dates, status,
room) for readers with stays:read, but rates and revenue only at the hotels the reader covers."""
import re
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from guestrel.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, Principal
from guestrel.guests import service as guest_service
from guestrel.service_errors import PermissionDeniedError
from guestrel.stays import service as stay_service

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def book(code, pms_id, guest_id, arrival, departure, **values):
    stay_service.upsert_stay(SYSTEM, code, pms_id, {
        "source_modified_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "guest_id": guest_id,
        "arrival": arrival, "departure": departure, **values})


def revenue(room, food="0.00"):
    return {"room": room, "food_and_beverage": food, "other": "0.00", "currency": "CNY"}


@pytest.fixture
def traveller(hotels):
    guest = guest_service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Zhang"})
    book("SHA", "S-1", guest.id, date(2025, 3, 1), date(2025, 3, 3), room_number="0808", rate_code="BAR",
         status="checked_out", revenue=revenue("1800.00", "320.50"))
    book("HGH", "H-1", guest.id, date(2025, 9, 1), date(2025, 9, 4), room_number="LAKE-806", rate_code="CORP-HGH",
         status="checked_out", revenue=revenue("4321.00"))
    book("HGH", "H-2", guest.id, date(2026, 2, 1), date(2026, 2, 2), status="cancelled")
    return guest


def principal(role, *hotels):
    return Principal(permissions=frozenset(ROLE_PERMISSIONS[role]), property_ids=frozenset(h.id for h in hotels))


def test_a_hotels_reader_gets_every_hotels_stays_with_revenue_only_for_its_own(hotels, traveller):
    shanghai, _ = hotels

    history = stay_service.chain_history(principal("front_desk", shanghai), traveller.id)

    rows = [(s.property_code, s.arrival, s.status, s.room_number, s.shows_revenue, s.rate_code, s.revenue)
            for s in history.stays]
    assert rows == [
        ("HGH", date(2026, 2, 1), "cancelled", None, False, None, None),
        ("HGH", date(2025, 9, 1), "checked_out", "LAKE-806", False, None, None),
        ("SHA", date(2025, 3, 1), "checked_out", "0808", True, "BAR", Decimal("2120.50")),
    ]
    assert (history.visits, history.more) == (2, False)
    assert history.stays[-1].currency == "CNY" and history.stays[0].currency is None


def test_a_chain_wide_reader_gets_every_hotels_revenue(hotels, traveller):
    history = stay_service.chain_history(SYSTEM, traveller.id)

    assert [s.shows_revenue for s in history.stays] == [True, True, True]
    assert history.stays[1].revenue == Decimal("4321.00")


def test_only_the_latest_stays_are_listed_and_the_rest_is_said(hotels, traveller):
    history = stay_service.chain_history(SYSTEM, traveller.id, limit=2)

    assert [s.arrival for s in history.stays] == [date(2026, 2, 1), date(2025, 9, 1)]
    assert history.more and history.visits == 2


def test_readers_without_stays_read_get_nothing(hotels, traveller):
    with pytest.raises(PermissionDeniedError):
        stay_service.chain_history(principal("housekeeping", hotels[0]), traveller.id)


def stays_section(page: str) -> str:
    return re.search(r'<section id="stays">(.*?)</section>', page, re.S).group(1)


@pytest.mark.parametrize("role", ["front_desk", "marketing"])
def test_the_page_shows_where_the_guest_stayed_but_not_what_they_paid_elsewhere(
    client, hotels, traveller, make_staff, login, role
):
    login(make_staff(role, properties=[hotels[0]]))

    section = stays_section(client.get(f"/guests/{traveller.id}").text)

    rows = re.findall(r"<tr>.*?</tr>", section, re.S)[1:]
    hangzhou, shanghai = rows[1], rows[2]
    assert "Hangzhou West Lake" in hangzhou and "LAKE-806" in hangzhou and "checked out" in hangzhou
    assert "Only for that hotel's staff" in hangzhou
    assert "CORP-HGH" not in section and "4,321" not in section
    assert "BAR" in shanghai and "2,120.50" in shanghai
