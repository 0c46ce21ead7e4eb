"""Guests and stays for the alert tests: Li Wei with his carrot juice, his peanut allergy and his
birthday, booked at Shanghai."""
from datetime import date, datetime, timedelta, timezone

from guestrel.auth.service import OPERATOR
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.stays import service as stay_service



def birthday_today() -> date:
    """Asked when a test runs, not when the module is imported: a run may cross midnight."""
    day = date.today()
    return date(1975, day.month, day.day) if (day.month, day.day) != (2, 29) else date(1976, 2, 29)


def li_wei(**fields):
    guest = guest_service.create_guest(OPERATOR, {
        "given_name": "Wei", "family_name": "Li", "full_name": "李伟", "vip_code": "GOLD",
        "member_number": "GR-1208", "birthday": birthday_today(), "notes": "Prefers to be greeted in Mandarin.", **fields})
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice", "detail": "Large glass, in the fridge",
        "alert_at_check_in": True, "prepare_before_arrival": True})
    preference_service.add_preference(OPERATOR, guest.id, {"category": "dietary_and_allergy", "value": "Peanuts"})
    preference_service.add_preference(OPERATOR, guest.id, {"category": "room", "value": "High floor"})
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "room", "value": "Lake view", "property_code": "HGH", "alert_at_check_in": True})
    return guest


def book(guest_id, property_code="SHA", pms_id="R-1", room="1208", arrival=None, nights=2, minutes=0):
    arrival = arrival or date.today()
    moment = datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(minutes=minutes)
    return stay_service.upsert_stay(OPERATOR, property_code, pms_id, {
        "source_modified_at": moment, "guest_id": guest_id, "arrival": arrival,
        "departure": arrival + timedelta(days=nights), "room_number": room}).stay


def check_in(stay_id):
    return stay_service.check_in(OPERATOR, stay_id)
