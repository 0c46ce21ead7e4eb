"""The guest profile page lists the guest's stays at every hotel of the chain, newest first; rates
and revenue only at the hotels the staff member works for."""
import re
from datetime import date, datetime, timezone

import pytest

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.guests import service as guest_service
from guestrel.stays import service as stay_service

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def book(code, pms_id, guest_id, arrival, **values):
    stay_service.upsert_stay(SYSTEM, code, pms_id, {
        "source_modified_at": datetime(2026, 11, 1, tzinfo=timezone.utc), "guest_id": guest_id,
        "arrival": arrival, "departure": date(arrival.year, arrival.month, arrival.day + 2), **values})


@pytest.fixture
def traveller(hotels):
    guest = guest_service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Zhang"})
    other = guest_service.create_guest(SYSTEM, {"given_name": "Other", "family_name": "Guest"})
    book("SHA", "S-OLD", guest.id, date(2025, 3, 1), room_number="0808", status="checked_out")
    book("SHA", "S-NEW", guest.id, date(2026, 12, 1), room_number="1208", room_type="DLX")
    book("HGH", "H-1", guest.id, date(2026, 6, 1), room_number="LAKE-806")
    book("SHA", "S-OTHER", other.id, date(2026, 7, 1), room_number="5555")
    return guest


def stays_section(page: str) -> str:
    match = re.search(r'<section id="stays">(.*?)</section>', page, re.S)
    assert match, "the page has a stays section"
    return match.group(1)


def test_shanghai_front_desk_sees_the_guests_stays_at_every_hotel_newest_first(
    client, hotels, traveller, make_staff, login
):
    shanghai, _ = hotels
    login(make_staff("front_desk", properties=[shanghai]))
    section = stays_section(client.get(f"/guests/{traveller.id}").text)

    assert "Shanghai Bund" in section and "Hangzhou West Lake" in section
    assert "5555" not in section
    assert section.index("1208") < section.index("LAKE-806") < section.index("0808")
    assert "checked out" in section and "booked" in section


def test_an_admin_sees_the_guests_stays_at_every_hotel(client, hotels, traveller, make_staff, login):
    login(make_staff("admin"))
    section = stays_section(client.get(f"/guests/{traveller.id}").text)
    assert section.index("1208") < section.index("LAKE-806") < section.index("0808")


def test_housekeeping_sees_no_stays_section(client, hotels, traveller, make_staff, login):
    shanghai, _ = hotels
    login(make_staff("housekeeping", properties=[shanghai]))
    page = client.get(f"/guests/{traveller.id}")
    assert page.status_code == 200 and 'id="stays"' not in page.text


def test_a_guest_without_stays_says_so(client, hotels, make_staff, login):
    _, hangzhou = hotels
    guest = guest_service.create_guest(SYSTEM, {"given_name": "New"})
    login(make_staff("front_desk", properties=[hangzhou]))
    assert "No stays in the chain yet." in stays_section(client.get(f"/guests/{guest.id}").text)
