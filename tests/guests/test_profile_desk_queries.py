"""The profile page and its in-place answers read the database a fixed number of times, however
many preferences, recorders, stays, dates and history entries the guest has."""
from datetime import date, datetime, timedelta, timezone

import pytest

from guestrel.auth import service as auth_service
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.stays import service as stay_service
from tests.guests.desk_support import HTMX
from tests.statements import counted

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def make_guest(hotels, make_staff, size: int) -> tuple[int, int]:
    """A guest with `size` of everything: preferences (by as many recorders, some retired, some
    for one hotel), stays at both hotels, special dates and changes in the history. The guest's
    id and one active preference's."""
    guest = service.create_guest(SYSTEM, {"given_name": f"Guest {size}", "birthday": date(1980, 1, 1),
                                          "notes": "Quiet", "vip_code": "V"})
    recorders = [Principal.for_staff(make_staff("front_desk", properties=[hotels[n % 2]])) for n in range(size)]
    client, _key = auth_service.create_api_client(name=f"PMS {size}", scopes=["guests:write"], properties=[])
    db.session.commit()
    recorders.append(Principal.for_api_client(client))
    preference_ids = []
    for n, recorder in enumerate(recorders):
        preference = preference_service.add_preference(recorder, guest.id, {
            "category": "dietary_and_allergy" if n % 3 == 0 else "room", "value": f"Wish {n}",
            "alert_at_check_in": n % 2 == 0, "property_code": "SHA" if n % 4 == 0 else None})
        preference_ids.append(preference.id)
    preference_service.retire_preference(SYSTEM, guest.id, preference_ids[-1])
    today = date.today()
    for n in range(size):
        code = ("SHA", "HGH")[n % 2]
        arrival = today + timedelta(days=30 - 20 * n)
        stay_service.upsert_stay(SYSTEM, code, f"R-{size}-{n}", {
            "source_modified_at": datetime.now(timezone.utc), "guest_id": guest.id, "arrival": arrival,
            "departure": arrival + timedelta(days=2), "room_number": str(100 + n),
            "status": "booked" if n == 0 else "checked_out"})
        service.add_special_date(SYSTEM, guest.id, {"kind": "other", "date": date(2000 + n, 1 + n % 12, 1),
                                                    "label": f"Occasion {n}"})
    return guest.id, preference_ids[0]


@pytest.mark.parametrize("role", ["front_desk", "housekeeping", "manager"])
def test_the_profile_reads_the_database_a_fixed_number_of_times(client, hotels, make_staff, login, role):
    small, _ = make_guest(hotels, make_staff, 1)
    large, _ = make_guest(hotels, make_staff, 12)
    login(make_staff(role, properties=[hotels[0]]))
    client.get(f"/guests/{small}")

    with counted() as for_small:
        assert client.get(f"/guests/{small}").status_code == 200
    with counted() as for_large:
        page = client.get(f"/guests/{large}")

    assert page.status_code == 200 and "Wish 11" in page.text
    assert len(for_large) == len(for_small), "\n".join(for_large)


def test_the_in_place_answers_read_the_database_a_fixed_number_of_times(client, hotels, make_staff, login):
    small, small_preference = make_guest(hotels, make_staff, 1)
    large, large_preference = make_guest(hotels, make_staff, 12)
    login(make_staff("front_desk", properties=[hotels[0]]))
    client.get(f"/guests/{small}")

    counts = {}
    for name, guest_id, preference_id in (("small", small, small_preference), ("large", large, large_preference)):
        with counted() as confirm:
            confirmed = client.post(f"/guests/{guest_id}/preferences/{preference_id}/confirm", headers=HTMX)
        assert confirmed.status_code == 200
        with counted() as capture:
            captured = client.post(f"/guests/{guest_id}/preferences/quick", headers=HTMX,
                                   data={"category": "room", "value": "Quiet"})
        assert captured.status_code == 200
        counts[name] = (len(confirm), len(capture))

    assert counts["large"] == counts["small"]
