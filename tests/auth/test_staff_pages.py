"""Staff administration in the browser: who may, the list, creating, editing, audit."""
import pytest

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.extensions import db

NEW_MEMBER = {
    "email": "Li.Na@Example.test",
    "name": "李娜",
    "role": "front_desk",
    "properties": ["SHA"],
    "locale": "zh_Hans_CN",
    "password": "welcome to the bund",
}


def _by_email(email):
    db.session.expire_all()
    return db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one_or_none()


def _staff_count():
    return db.session.execute(db.select(db.func.count()).select_from(StaffUser)).scalar()


def _audit(action):
    db.session.expire_all()
    return db.session.execute(
        db.select(AuditEntry).filter_by(action=action, entity_type="staff").order_by(AuditEntry.id)
    ).scalars().all()


def _edit_data(staff, **changes):
    data = {
        "name": staff.name,
        "role": staff.role,
        "properties": [p.code for p in staff.properties],
        "locale": staff.locale or "",
        "active": "y" if staff.active else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


@pytest.mark.parametrize("url", ["/admin/staff", "/admin/staff/new"])
def test_staff_pages_are_for_admins_only(client, make_staff, login, url):
    assert client.get(url).headers["Location"].startswith("/login")
    login(make_staff("manager"))

    response = client.get(url)

    assert response.status_code == 403
    assert "You do not have permission" in response.text


def test_the_staff_list_shows_each_members_details(client, hotels, make_staff, login):
    admin = make_staff("admin", email="boss@example.test")
    desk = make_staff("front_desk", properties=hotels, email="desk@example.test")
    desk.active = False
    db.session.commit()
    login(admin)

    page = client.get("/admin/staff").text

    assert "boss@example.test" in page and "desk@example.test" in page
    assert "Front desk" in page and "Administrator" in page
    assert '<span class="badge">HGH</span>' in page and '<span class="badge">SHA</span>' in page
    assert "No, disabled" in page
    assert "Never" in page  # the desk has never signed in; the admin just did


def test_an_admin_adds_a_staff_member_who_can_then_sign_in(app, client, hotels, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    response = client.post("/admin/staff/new", data=NEW_MEMBER)

    assert response.status_code == 302
    member = _by_email("li.na@example.test")
    assert (member.name, member.role, member.locale) == ("李娜", "front_desk", "zh_Hans_CN")
    assert [p.code for p in member.properties] == ["SHA"]
    assert "李娜" in client.get("/admin/staff").text
    login(member, password=NEW_MEMBER["password"], test_client=app.test_client())


def test_adding_a_staff_member_is_audited_without_the_password(client, hotels, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    client.post("/admin/staff/new", data=NEW_MEMBER)

    [entry] = _audit("create")
    member = _by_email("li.na@example.test")
    assert (entry.staff_id, entry.entity_id) == (admin.id, member.id)
    assert entry.changes == {
        "active": [None, True],
        "email": [None, "li.na@example.test"],
        "locale": [None, "zh_Hans_CN"],
        "name": [None, "李娜"],
        "properties": [None, ["SHA"]],
        "role": [None, "front_desk"],
    }
    assert member.password_hash not in str(entry.changes)


@pytest.mark.parametrize(
    "changes, field_message",
    [
        ({"email": "desk@example.test"}, "already exists"),
        ({"email": "not an e-mail"}, "Enter an e-mail address"),
        ({"password": "too short"}, "at least 10 characters"),
        ({"properties": ["SHA", "XXX"]}, "not a valid choice"),
        ({"role": "owner"}, "Not a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_adding_a_staff_member_shows_what_is_wrong_on_the_form(client, hotels, make_staff, login, changes, field_message):
    make_staff("front_desk", email="desk@example.test")
    login(make_staff("admin"))
    count = _staff_count()

    response = client.post("/admin/staff/new", data={**NEW_MEMBER, **changes})

    assert response.status_code == 200
    assert field_message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _staff_count() == count
    assert _audit("create") == []


def test_an_admin_edits_name_role_properties_language_and_active(client, hotels, make_staff, login):
    member = make_staff("front_desk", properties=[hotels[0]])
    login(make_staff("admin"))
    form = client.get(f"/admin/staff/{member.id}").text
    assert f'value="{member.name}"' in form

    response = client.post(f"/admin/staff/{member.id}", data=_edit_data(
        member, name="Wang Fang", role="manager", properties=["HGH", "SHA"], locale="en", active="",
    ))

    assert response.status_code == 302
    member = _by_email(member.email)
    assert (member.name, member.role, member.locale, member.active) == ("Wang Fang", "manager", "en", False)
    assert [p.code for p in member.properties] == ["HGH", "SHA"]


def test_editing_is_audited_with_the_differences_and_a_password_change_without_hashes(client, hotels, make_staff, login):
    member = make_staff("front_desk", properties=[hotels[0]])
    admin = make_staff("admin")
    login(admin)
    old_hash = member.password_hash

    client.post(f"/admin/staff/{member.id}", data=_edit_data(
        member, name="Wang Fang", properties=["HGH"], new_password="another long password",
    ))

    [entry] = _audit("update")
    assert (entry.staff_id, entry.entity_id) == (admin.id, member.id)
    assert entry.changes == {
        "name": ["Front Desk Tester", "Wang Fang"],
        "password": ["(changed)", "(changed)"],
        "properties": [["SHA"], ["HGH"]],
    }
    assert old_hash not in str(entry.changes)
    assert _by_email(member.email).password_hash not in str(entry.changes)


def test_saving_without_changes_writes_no_audit_entry(client, make_staff, login):
    member = make_staff("marketing")
    login(make_staff("admin"))

    client.post(f"/admin/staff/{member.id}", data=_edit_data(member))

    assert _audit("update") == []


def test_a_too_short_new_password_is_shown_on_the_edit_form(client, make_staff, login):
    member = make_staff("marketing")
    login(make_staff("admin"))

    response = client.post(f"/admin/staff/{member.id}", data=_edit_data(member, name="Changed", new_password="short"))

    assert "at least 10 characters" in response.text
    assert _by_email(member.email).name == "Marketing Tester"


@pytest.mark.parametrize(
    "changes, message",
    [({"active": ""}, "You cannot disable your own account."), ({"role": "manager"}, "You cannot change your own role.")],
)
def test_an_admin_cannot_disable_or_demote_themselves(client, make_staff, login, changes, message):
    admin = make_staff("admin")
    login(admin)

    response = client.post(f"/admin/staff/{admin.id}", data=_edit_data(admin, name="Renamed", **changes))

    assert response.status_code == 200
    assert message in response.text
    admin = _by_email(admin.email)
    assert (admin.role, admin.active, admin.name) == ("admin", True, "Admin Tester")
    assert client.get("/admin/staff").status_code == 200


def test_an_admin_who_sets_their_own_new_password_stays_signed_in(client, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    client.post(f"/admin/staff/{admin.id}", data=_edit_data(admin, new_password="my own new password"))

    assert client.get("/admin/staff").status_code == 200


def test_editing_an_unknown_staff_member_is_not_found(client, make_staff, login):
    login(make_staff("admin"))

    assert client.get("/admin/staff/999999").status_code == 404
