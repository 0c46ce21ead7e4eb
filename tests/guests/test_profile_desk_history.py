"""The history on the guest's profile: who changed what (creates, changes, retirements, merges;
not views), newest first, 20 at a time with older pages in place; for staff who change profiles
or read the audit trail, scoped to their hotels like the trail."""
import re

import pytest

from guestrel.audit import service as audit_service
from guestrel.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, Principal
from guestrel.guests import merge, preference_service, service
from guestrel.service_errors import PermissionDeniedError
from tests.guests.desk_support import HTMX, part

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def lines(html: str) -> list[str]:
    """The history's entries as read, one line each."""
    entries = re.split(r"(?=<li>\s*<time)", html)[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", entry.split('<li id="history-more"')[0]).split()) for entry in entries]


def staff_principal(staff) -> Principal:
    return Principal.for_staff(staff)


@pytest.fixture
def guest(app):
    return service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Li", "email": "li.wei@example.com"})


@pytest.fixture
def desk(hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)
    return staff


def test_the_history_tells_who_changed_what_newest_first_without_views(client, hotels, guest, desk):
    writer = staff_principal(desk)
    pillow = preference_service.add_preference(writer, guest.id, {"category": "room", "value": "Soft pillow"})
    preference_service.update_preference(writer, guest.id, pillow.id, pillow.version,
                                         {"value": "Feather-free pillow", "alert_at_check_in": True})
    preference_service.confirm_preference(writer, guest.id, pillow.id)
    service.update_guest(writer, guest.id, guest.version, {"vip_code": "GOLD"})
    service.add_special_date(writer, guest.id, {"kind": "anniversary", "date": "2001-06-09", "label": "Wedding"})
    preference_service.retire_preference(writer, guest.id, pillow.id)
    client.get(f"/guests/{guest.id}")

    history = lines(part(client.get(f"/guests/{guest.id}").text, "history"))

    name = desk.name
    assert f"{name}: Retired the preference “Feather-free pillow”" in history[0]
    assert f"{name}: Added the date “Wedding”" in history[1]
    assert f"{name}: Changed the profile" in history[2] and "VIP code: — → GOLD" in history[2]
    assert f"{name}: Confirmed “Feather-free pillow” is still true" in history[3]
    assert "Changed the preference “Feather-free pillow”" in history[4]
    assert "Preference: Soft pillow → Feather-free pillow" in history[4]
    assert "Alert at check-in: no → yes" in history[4]
    assert f"{name}: Recorded the preference “Soft pillow”" in history[5]
    assert "Created the profile" in history[6]
    assert len(history) == 7, "views are not changes"


def test_a_merge_is_in_the_survivors_history(client, hotels, guest, make_staff, login):
    twin = service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Li", "phone": "+86 139 1234 5678"})
    merge.merge_guests(SYSTEM, guest.id, twin.id, guest.version, twin.version, {})
    login(make_staff("manager", properties=[hotels[0]]))

    history = lines(part(client.get(f"/guests/{guest.id}").text, "history"))

    assert f"Merged profile #{twin.id} into this one" in history[0]
    assert "Phone: — → +8613912345678" in history[0]


def test_twenty_at_a_time_and_older_ones_come_in_place(client, guest, desk):
    for number in range(24):
        preference_service.add_preference(SYSTEM, guest.id, {"category": "room", "value": f"Wish {number}"})

    page = client.get(f"/guests/{guest.id}").text
    first = part(page, "history")
    older_url = re.search(r'hx-get="([^"]+)" hx-target="#history-more"', first).group(1).replace("&amp;", "&")
    older = client.get(older_url, headers=HTMX)
    older_page = client.get(older_url)

    assert len(lines(first)) == 20 and "Wish 23" in lines(first)[0] and "Wish 4" in lines(first)[-1]
    assert older.status_code == 200 and "<html" not in older.text
    rest = lines(older.text)
    assert len(rest) == 5
    assert ["Wish 3" in rest[0], "Wish 0" in rest[3], "Created the profile" in rest[4]] == [True] * 3
    assert 'id="history-more"' not in older.text
    assert older_page.status_code == 200 and "<html" in older_page.text and "Wish 0" in older_page.text


def test_a_front_desk_does_not_read_another_hotels_preference_in_the_history(client, hotels, guest, desk):
    for value, code in (("Lake view", "HGH"), ("Bund view", "SHA")):
        preference_service.add_preference(SYSTEM, guest.id, {"category": "room", "value": value, "property_code": code})

    history = " ".join(lines(part(client.get(f"/guests/{guest.id}").text, "history")))

    assert "Bund view" in history and "Lake view" not in history


def test_managers_get_a_link_to_the_full_trail_and_the_front_desk_does_not(client, hotels, guest, make_staff, login):
    login(make_staff("manager", properties=[hotels[0]]))
    manager_history = part(client.get(f"/guests/{guest.id}").text, "history")
    client.post("/logout")
    login(make_staff("front_desk", properties=[hotels[0]]))
    desk_history = part(client.get(f"/guests/{guest.id}").text, "history")

    assert f'href="/audit/guests/{guest.id}"' in manager_history
    assert "/audit/" not in desk_history and "Created the profile" in desk_history


@pytest.mark.parametrize("role", ["housekeeping", "marketing"])
def test_staff_who_neither_change_profiles_nor_read_the_trail_see_no_history(
    client, hotels, guest, make_staff, login, role
):
    login(make_staff(role, properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}")
    older = client.get(f"/guests/{guest.id}/history")

    assert page.status_code == 200 and 'id="history"' not in page.text
    assert older.status_code == 403


def test_the_history_of_an_unknown_guest_is_a_404(client, desk):
    assert client.get("/guests/999999/history").status_code == 404


def test_the_service_refuses_readers_without_guests_write_or_audit_read(app, hotels, guest):
    housekeeping = Principal(permissions=frozenset(ROLE_PERMISSIONS["housekeeping"]),
                             property_ids=frozenset({hotels[0].id}))
    auditor = Principal(permissions=frozenset({"audit:read"}), property_ids=frozenset({hotels[0].id}))

    with pytest.raises(PermissionDeniedError):
        audit_service.profile_history(housekeeping, guest.id)
    page = audit_service.profile_history(auditor, guest.id)
    assert [(item.entry.action, item.entry.entity_type) for item in page.items] == [("create", "guest")]
