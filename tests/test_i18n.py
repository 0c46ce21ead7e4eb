"""Times appear on the clock of the staff member's hotel; chain-wide staff read UTC."""
from datetime import datetime, timezone

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def test_staff_read_times_on_their_hotels_clock(app, client, hotels, make_staff, login):
    shanghai, _hangzhou = hotels
    guest = guest_service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Li"})
    preference = preference_service.add_preference(SYSTEM, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice"})
    preference.recorded_at = datetime(2026, 7, 1, 12, 0, tzinfo=timezone.utc)
    db.session.commit()

    login(make_staff("front_desk", properties=[shanghai]))
    assert "7/1/26, 8:00\u202fPM" in client.get(f"/guests/{guest.id}").text

    client.post("/logout")
    login(make_staff("admin"))
    assert "7/1/26, 12:00\u202fPM" in client.get(f"/guests/{guest.id}").text
