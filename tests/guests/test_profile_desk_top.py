"""The top of the guest's profile, what matters at check-in: VIP code and member number,
allergies first, preferences flagged for check-in, occasions of the next 30 days or of the
stay, the stay in house or the next one; and what each role sees of it."""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.guests import preference_service, service
from guestrel.stays import service as stay_service

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def today() -> date:
    """Today on the demo hotels' clock, which their staff read dates on. Asked when a test runs,
    not when the module is imported: a run may cross midnight in Shanghai."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def in_days(days: int, year: int = 1980) -> date:
    """A date of `year` that comes round `days` from today (a birthday, say)."""
    day = today() + timedelta(days=days)
    return day.replace(year=year) if not (day.month == 2 and day.day == 29) else date(year, 2, 28)


def book(code, pms_id, guest_id, arrival, departure, **values):
    return stay_service.upsert_stay(SYSTEM, code, pms_id, {
        "source_modified_at": datetime.now(timezone.utc), "guest_id": guest_id,
        "arrival": arrival, "departure": departure, **values}).stay


def top(page: str) -> str:
    match = re.search(r'<section id="at-check-in".*?</section>', page, re.S)
    assert match, "the page starts with what matters at check-in"
    return match.group(0)


@pytest.fixture
def guest(hotels):
    guest = service.create_guest(SYSTEM, {
        "full_name": "李伟", "given_name": "伟", "family_name": "李", "vip_code": "V1", "member_number": "M-1208",
        "email": "li.wei@example.com", "birthday": in_days(10, 1975), "notes": "Likes the GM.",
    })
    preference_service.add_preference(SYSTEM, guest.id, {"category": "room", "value": "High floor"})
    preference_service.add_preference(SYSTEM, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice", "detail": "A large glass in the fridge",
        "alert_at_check_in": True})
    preference_service.add_preference(SYSTEM, guest.id, {
        "category": "dietary_and_allergy", "value": "Peanuts", "detail": "Carries an EpiPen"})
    preference_service.add_preference(SYSTEM, guest.id, {
        "category": "service", "value": "Wheelchair access", "priority": "critical"})
    return guest


def test_front_desk_sees_vip_member_number_allergies_first_then_flagged_preferences(
    client, hotels, guest, make_staff, login
):
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}").text
    section = top(page)

    assert page.index('id="at-check-in"') < page.index('id="preferences"')
    assert "V1" in section and "M-1208" in section
    allergies = re.search(r'<div class="desk-allergies has-allergies" role="alert">.*?</div>', section, re.S).group(0)
    assert "Peanuts" in allergies and "Carries an EpiPen" in allergies and "Wheelchair access" in allergies
    assert "Carrot juice" not in allergies
    assert section.index("Peanuts") < section.index("Flagged for check-in") < section.index("Carrot juice")
    assert "High floor" not in section
    assert "Likes the GM." in section


def test_without_allergies_the_top_says_so(client, hotels, make_staff, login):
    guest = service.create_guest(SYSTEM, {"given_name": "Anna"})
    login(make_staff("front_desk", properties=[hotels[0]]))

    section = top(client.get(f"/guests/{guest.id}").text)

    assert "No allergies recorded." in section and "has-allergies" not in section
    assert "No stay in house or booked." in section
    assert "None in the next 30 days or during the stay." in section


def test_a_birthday_within_30_days_is_shown_with_how_soon_and_one_further_away_is_not(
    client, hotels, make_staff, login
):
    soon = service.create_guest(SYSTEM, {"given_name": "Soon", "birthday": in_days(10, 1975)})
    later = service.create_guest(SYSTEM, {"given_name": "Later", "birthday": in_days(45, 1975)})
    service.add_special_date(SYSTEM, soon.id, {"kind": "anniversary", "date": in_days(0, 2001), "label": "Wedding"})
    login(make_staff("front_desk", properties=[hotels[0]]))

    soon_top = top(client.get(f"/guests/{soon.id}").text)
    later_top = top(client.get(f"/guests/{later.id}").text)

    assert "Birthday" in soon_top and "in 10 days" in soon_top
    assert "Anniversary: Wedding" in soon_top and "today" in soon_top
    assert soon_top.index("Wedding") < soon_top.index("in 10 days")
    assert "Birthday" not in later_top


def test_an_occasion_during_the_next_stay_is_shown_even_beyond_30_days(client, hotels, make_staff, login):
    guest = service.create_guest(SYSTEM, {"given_name": "Traveller", "anniversary": in_days(61, 2001)})
    book("HGH", "H-1", guest.id, today() + timedelta(days=60), today() + timedelta(days=63), room_number="806")
    login(make_staff("front_desk", properties=[hotels[0]]))

    section = top(client.get(f"/guests/{guest.id}").text)

    assert "Anniversary" in section and "during the stay" in section and "in 61 days" in section
    assert "Next stay" in section and "Hangzhou West Lake" in section and "room 806" in section


def test_the_stay_in_house_comes_before_a_later_booking(client, hotels, make_staff, login):
    guest = service.create_guest(SYSTEM, {"given_name": "Staying"})
    book("HGH", "H-2", guest.id, today() + timedelta(days=20), today() + timedelta(days=22), room_number="900")
    book("SHA", "S-1", guest.id, today() - timedelta(days=1), today() + timedelta(days=2), room_number="1208",
         status="in_house")
    book("SHA", "S-0", guest.id, today() - timedelta(days=400), today() - timedelta(days=398), status="checked_out")
    login(make_staff("front_desk", properties=[hotels[1]]))

    section = top(client.get(f"/guests/{guest.id}").text)

    assert "In house" in section and "Shanghai Bund" in section and "room 1208" in section
    assert "900" not in section
    stays_in_chain = re.search(r"Stays in the chain</small><strong>(\d+)</strong>", section).group(1)
    assert stays_in_chain == "2"


def test_a_guest_due_yesterday_and_not_yet_checked_in_is_still_expected(client, hotels, make_staff, login):
    guest = service.create_guest(SYSTEM, {"given_name": "Late"})
    book("SHA", "S-2", guest.id, today() - timedelta(days=1), today() + timedelta(days=2), room_number="1501")
    book("SHA", "S-3", guest.id, today() - timedelta(days=5), today(), room_number="1502")
    login(make_staff("front_desk", properties=[hotels[0]]))

    section = top(client.get(f"/guests/{guest.id}").text)

    assert "room 1501" in section and "1502" not in section


def test_housekeeping_sees_allergies_and_flags_but_no_dates_notes_stays_or_contact(
    client, hotels, guest, make_staff, login
):
    book("SHA", "S-1", guest.id, today(), today() + timedelta(days=2), room_number="0707")
    login(make_staff("housekeeping", properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}").text
    section = top(page)

    for shown in ("V1", "M-1208", "Peanuts", "Carrot juice"):
        assert shown in section
    for hidden in ("Birthday", "1975", "Likes the GM.", "li.wei@example.com", "Occasions", "Stays in the chain",
                   "0707", "Next stay"):
        assert hidden not in page
    assert 'id="stays"' not in page and 'id="history"' not in page


def test_marketing_sees_the_top_with_stays_and_occasions_but_no_forms(client, hotels, guest, make_staff, login):
    book("SHA", "S-1", guest.id, today() + timedelta(days=3), today() + timedelta(days=5), room_number="1208")
    login(make_staff("marketing", properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}").text
    section = top(page)

    assert "Next stay" in section and "room 1208" in section and "in 10 days" in section
    assert 'id="quick-capture"' not in page and 'id="history"' not in page
