"""The guest profile page: creating and editing a guest, optimistic concurrency, who sees
what, external ids and special dates."""
from datetime import date

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.guests.models import Guest, GuestExternalId, SpecialDate

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)

NEW_GUEST = {
    "salutation": "Ms.", "given_name": "Anna", "family_name": "Müller", "full_name": "",
    "email": "Anna.Mueller@Example.DE", "phone": "138 0013 8000", "birthday": "1980-05-17",
    "anniversary": "", "nationality": "DE", "language": "de", "company": "Nordlicht GmbH",
    "vip_code": "GOLD", "notes": "Travels with a small dog.", "account_owner_id": "",
}


def stored(guest_id) -> Guest:
    db.session.expire_all()
    return db.session.get(Guest, guest_id)


def guest_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Guest))


@pytest.fixture
def li_wei(app):
    guest = service.create_guest(SYSTEM, {
        "salutation": "Mr.", "given_name": "伟", "family_name": "李", "full_name": "李伟",
        "email": "li.wei@example.com", "phone": "+86 139 1234 5678", "birthday": date(1975, 3, 8),
        "company": "Bund Capital", "vip_code": "PLATINUM", "language": "zh-CN", "notes": "Likes the GM.",
    })
    preference_service.add_preference(SYSTEM, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice", "detail": "A large glass in the fridge",
        "prepare_before_arrival": True,
    })
    service.add_special_date(SYSTEM, guest.id, {"kind": "other", "date": date(2015, 10, 1),
                                                "label": "First stay with us"})
    return guest


def profile_form(guest: Guest, **changes) -> dict:
    values = {field: getattr(guest, field) for field in NEW_GUEST}
    values = {field: "" if value is None else str(value) for field, value in values.items()}
    return {**values, "version": guest.version, **changes}


def test_front_desk_adds_a_guest_through_the_form(client, hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)

    assert client.get("/guests/new").status_code == 200
    response = client.post("/guests/new", data={**NEW_GUEST, "account_owner_id": str(staff.id)},
                           follow_redirects=True)

    assert response.status_code == 200
    assert "Guest Anna Müller added." in response.get_data(as_text=True)
    guest = db.session.scalars(sa.select(Guest)).one()
    assert response.request.path == f"/guests/{guest.id}"
    assert guest.email == "anna.mueller@example.de"
    assert (guest.phone, guest.birthday) == ("+8613800138000", date(1980, 5, 17))
    assert (guest.nationality, guest.language, guest.vip_code, guest.account_owner_id) == ("DE", "de", "GOLD", staff.id)
    assert guest.full_name is None and guest.anniversary is None
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(entity_type="guest", action="create")).one()
    assert (entry.staff_id, entry.guest_id) == (staff.id, guest.id)


def test_add_form_shows_each_refusal_next_to_its_field_and_keeps_what_was_typed(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post("/guests/new", data={
        **NEW_GUEST, "email": "anna at example", "phone": "12", "birthday": "2999-01-01",
    })

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This is not a valid e-mail address." in html
    assert "This is not a valid phone number." in html
    assert "This date is in the future." in html
    assert html.count('aria-invalid="true"') == 3
    assert 'value="anna at example"' in html and 'value="Nordlicht GmbH"' in html
    assert guest_count() == 0


def test_a_guest_needs_a_name(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post("/guests/new", data={**NEW_GUEST, "given_name": "", "family_name": ""})

    assert "Enter the guest&#39;s name." in response.get_data(as_text=True)
    assert guest_count() == 0


def test_front_desk_edits_the_profile(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))
    version = li_wei.version

    response = client.post(f"/guests/{li_wei.id}", data=profile_form(li_wei, vip_code="GOLD", phone="138 0013 8000"),
                           follow_redirects=True)

    assert "The profile is saved." in response.get_data(as_text=True)
    guest = stored(li_wei.id)
    assert (guest.vip_code, guest.phone, guest.version) == ("GOLD", "+8613800138000", version + 1)
    assert (guest.email, guest.company, guest.notes) == ("li.wei@example.com", "Bund Capital", "Likes the GM.")


def test_edit_refused_by_the_service_keeps_the_input_and_changes_nothing(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post(f"/guests/{li_wei.id}", data=profile_form(li_wei, vip_code="GOLD", language="not a tag!"))

    html = response.get_data(as_text=True)
    assert "Use a language tag such as en or zh-CN." in html
    assert 'value="not a tag!"' in html and 'value="GOLD"' in html
    assert '<details id="edit-profile" open>' in html
    assert stored(li_wei.id).vip_code == "PLATINUM"


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_other_change(
    client, hotels, make_staff, login, li_wei
):
    login(make_staff("front_desk", properties=[hotels[0]]))
    form = profile_form(li_wei, company="Old Company Ltd")
    version = li_wei.version
    service.update_guest(SYSTEM, li_wei.id, version, {"company": "Jade Pharma"})

    response = client.post(f"/guests/{li_wei.id}", data=form)

    html = response.get_data(as_text=True)
    assert ("Someone else changed this guest while you were editing. "
            "Your changes were not saved; here is the current version.") in html
    assert 'id="company" name="company" type="text" value="Jade Pharma"' in html
    assert f'name="version" type="hidden" value="{version + 1}"' in html
    assert "Company: Old Company Ltd" in html
    guest = stored(li_wei.id)
    assert (guest.company, guest.version) == ("Jade Pharma", version + 1)


def test_viewing_a_profile_is_recorded_in_the_audit_trail(client, hotels, make_staff, login, li_wei):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)

    client.get(f"/guests/{li_wei.id}")

    views = db.session.scalars(sa.select(AuditEntry).filter_by(action="view", guest_id=li_wei.id)).all()
    assert [entry.staff_id for entry in views] == [staff.id]


def test_front_desk_sees_everything_and_the_forms(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get(f"/guests/{li_wei.id}").get_data(as_text=True)

    for shown in ("李伟", "PLATINUM", "li.wei@example.com", "+8613912345678", "Bund Capital", "Likes the GM.",
                  "First stay with us", "Carrot juice", f'action="/guests/{li_wei.id}"'):
        assert shown in html
    assert f"/audit/guests/{li_wei.id}" not in html


def test_housekeeping_sees_names_vip_language_and_preferences_but_no_contact_details(
    client, hotels, make_staff, login, li_wei
):
    login(make_staff("housekeeping", properties=[hotels[0]]))

    response = client.get(f"/guests/{li_wei.id}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for shown in ("李伟", "PLATINUM", "Chinese (Simplified, China)", "Carrot juice", "A large glass in the fridge"):
        assert shown in html
    for hidden in ("li.wei@example.com", "+86139", "1975", "Bund Capital", "Likes the GM.", "First stay with us",
                   "Special dates", 'method="post" action="/guests/'):
        assert hidden not in html


def test_marketing_reads_the_profile_without_any_form(client, hotels, make_staff, login, li_wei):
    login(make_staff("marketing", properties=[hotels[0]]))

    html = client.get(f"/guests/{li_wei.id}").get_data(as_text=True)

    assert "li.wei@example.com" in html and "Carrot juice" in html
    assert f'action="/guests/{li_wei.id}' not in html
    assert "/edit" not in html and "/retire" not in html


@pytest.mark.parametrize("path", [
    "/guests/new", "/guests/{id}", "/guests/{id}/preferences", "/guests/{id}/external-ids",
    "/guests/{id}/special-dates",
])
def test_marketing_cannot_change_anything(client, hotels, make_staff, login, li_wei, path):
    login(make_staff("marketing", properties=[hotels[0]]))

    response = client.post(path.format(id=li_wei.id), data={**profile_form(li_wei, vip_code="NONE"),
                                                            "category": "room", "value": "Quiet"})

    assert response.status_code == 403
    assert stored(li_wei.id).vip_code == "PLATINUM"


def test_managers_get_a_link_to_the_guests_audit_trail(client, hotels, make_staff, login, li_wei):
    login(make_staff("manager", properties=[hotels[0]]))

    html = client.get(f"/guests/{li_wei.id}").get_data(as_text=True)

    assert f'href="/audit/guests/{li_wei.id}"' in html


def test_an_unknown_guest_is_a_friendly_404(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.get("/guests/999999")

    assert response.status_code == 404
    assert "There is no guest with this id." in response.get_data(as_text=True)


def test_external_ids_are_added_and_removed_after_confirmation(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))

    added = client.post(f"/guests/{li_wei.id}/external-ids", data={"system": "Opera", "external_id": "OP-1"},
                        follow_redirects=True)
    row = db.session.scalars(sa.select(GuestExternalId).filter_by(guest_id=li_wei.id)).one()
    question = client.get(f"/guests/{li_wei.id}/external-ids/{row.id}/remove")
    removed = client.post(f"/guests/{li_wei.id}/external-ids/{row.id}/remove", follow_redirects=True)

    assert "The external id is added." in added.get_data(as_text=True)
    assert (row.system, row.external_id) == ("opera", "OP-1")
    assert "Remove the opera id OP-1?" in question.get_data(as_text=True)
    assert "The external id is removed." in removed.get_data(as_text=True)
    assert db.session.scalars(sa.select(GuestExternalId).filter_by(guest_id=li_wei.id)).all() == []


def test_an_external_id_of_another_guest_is_refused_next_to_the_field(client, hotels, make_staff, login, li_wei):
    service.create_guest(SYSTEM, {"full_name": "王芳", "external_ids": [{"system": "opera", "external_id": "OP-1"}]})
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post(f"/guests/{li_wei.id}/external-ids", data={"system": "opera", "external_id": "OP-1"})

    html = response.get_data(as_text=True)
    assert "The opera id OP-1 already belongs to another guest." in html
    assert 'value="OP-1"' in html
    assert db.session.scalars(sa.select(GuestExternalId).filter_by(guest_id=li_wei.id)).all() == []


def test_special_dates_are_added_edited_and_deleted(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))

    client.post(f"/guests/{li_wei.id}/special-dates",
                data={"kind": "anniversary", "date": "2001-06-09", "label": "Wedding anniversary"})
    special_date = db.session.scalars(sa.select(SpecialDate).filter_by(label="Wedding anniversary")).one()
    special_date_id = special_date.id
    edit_page = client.get(f"/guests/{li_wei.id}/special-dates/{special_date.id}/edit").get_data(as_text=True)
    client.post(f"/guests/{li_wei.id}/special-dates/{special_date.id}/edit",
                data={"kind": "anniversary", "date": "2001-06-10", "label": "Wedding day"})
    db.session.expire_all()
    edited = (special_date.date, special_date.label)
    client.post(f"/guests/{li_wei.id}/special-dates/{special_date.id}/delete")
    db.session.expire_all()

    assert 'value="2001-06-09"' in edit_page
    assert edited == (date(2001, 6, 10), "Wedding day")
    assert db.session.get(SpecialDate, special_date_id) is None


def test_a_birthday_in_the_future_is_refused(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post(f"/guests/{li_wei.id}/special-dates", data={"kind": "birthday", "date": "2999-01-01"})

    assert "This date is in the future." in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(SpecialDate).filter_by(kind="birthday")).all() == []


def test_the_pages_speak_chinese_to_staff_who_chose_it(client, hotels, make_staff, login, li_wei):
    login(make_staff("front_desk", properties=[hotels[0]], locale="zh_Hans_CN"))

    listing = client.get("/guests")
    profile = client.get(f"/guests/{li_wei.id}")

    assert listing.status_code == profile.status_code == 200
    assert "宾客" in listing.text and "李伟" in profile.text
