"""Sessions end when the session token rotates; the own account page: language and password."""
from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.auth.passwords import verify_password
from guestrel.extensions import db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new passphrase"


def _reload(staff):
    db.session.expire_all()
    return db.session.get(StaffUser, staff.id)


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_an_admin_resetting_a_password_ends_the_staff_members_sessions(app, hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    admin = make_staff("admin")
    desk_pc = login(staff, test_client=app.test_client())
    admin_pc = login(admin, test_client=app.test_client())
    assert _signed_in(desk_pc)

    response = admin_pc.post(f"/admin/staff/{staff.id}", data={
        "name": staff.name, "role": "front_desk", "properties": ["SHA"], "locale": "",
        "active": "y", "new_password": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert not _signed_in(desk_pc)
    assert _signed_in(admin_pc)
    login(staff, password=NEW_PASSWORD, test_client=app.test_client())


def test_disabling_an_account_ends_its_sessions(app, make_staff, login):
    staff = make_staff("marketing")
    admin_pc = login(make_staff("admin"), test_client=app.test_client())
    staff_pc = login(staff, test_client=app.test_client())

    admin_pc.post(f"/admin/staff/{staff.id}", data={"name": staff.name, "role": "marketing", "locale": ""})

    assert _reload(staff).active is False
    assert not _signed_in(staff_pc)


def test_changing_the_role_ends_the_staff_members_sessions(app, make_staff, login):
    staff = make_staff("manager")
    admin_pc = login(make_staff("admin"), test_client=app.test_client())
    staff_pc = login(staff, test_client=app.test_client())

    admin_pc.post(f"/admin/staff/{staff.id}", data={"name": staff.name, "role": "front_desk", "locale": "", "active": "y"})

    assert _reload(staff).role == "front_desk"
    assert not _signed_in(staff_pc)


def test_a_renamed_staff_member_stays_signed_in(app, make_staff, login):
    staff = make_staff("manager")
    admin_pc = login(make_staff("admin"), test_client=app.test_client())
    staff_pc = login(staff, test_client=app.test_client())

    admin_pc.post(f"/admin/staff/{staff.id}", data={"name": "New Name", "role": "manager", "locale": "", "active": "y"})

    assert _reload(staff).name == "New Name"
    assert _signed_in(staff_pc)


def test_a_forged_session_id_with_a_stale_token_is_refused(client, make_staff):
    staff = make_staff()
    with client.session_transaction() as session:
        session["_user_id"] = f"{staff.id}:not-the-token"

    assert not _signed_in(client)


def test_choosing_chinese_makes_the_pages_chinese(client, make_staff, login):
    staff = make_staff()
    login(staff)
    assert '<html lang="en"' in client.get("/account").text

    response = client.post("/account/language", data={"locale": "zh_Hans_CN"})

    assert response.status_code == 302
    assert _reload(staff).locale == "zh_Hans_CN"
    assert '<html lang="zh-Hans"' in client.get("/account").text


def test_the_browser_language_is_used_until_a_language_is_chosen(client, make_staff, login):
    staff = make_staff(locale="zh_Hans_CN")
    login(staff)

    client.post("/account/language", data={"locale": ""})

    assert _reload(staff).locale is None
    assert '<html lang="en"' in client.get("/account").text
    assert '<html lang="zh-Hans"' in client.get("/account", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text


def test_an_unknown_language_is_refused_on_the_form(client, make_staff, login):
    staff = make_staff()
    login(staff)

    response = client.post("/account/language", data={"locale": "fr"})

    assert response.status_code == 200
    assert "Not a valid choice" in response.text
    assert _reload(staff).locale is None


def test_changing_the_own_password_keeps_this_session_and_ends_the_others(app, make_staff, login):
    staff = make_staff()
    here = login(staff, test_client=app.test_client())
    elsewhere = login(staff, test_client=app.test_client())

    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert "Your password is changed" in here.get(response.headers["Location"]).text
    assert _signed_in(here)
    assert not _signed_in(elsewhere)
    assert verify_password(_reload(staff).password_hash, NEW_PASSWORD)


def test_the_own_password_change_is_audited_without_any_hash(client, make_staff, login):
    staff = make_staff()
    login(staff)
    old_hash = staff.password_hash

    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })

    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="update")).scalars().all()
    assert (entry.staff_id, entry.entity_type, entry.entity_id) == (staff.id, "staff", staff.id)
    assert entry.changes == {"password": ["(changed)", "(changed)"]}
    assert old_hash not in str(entry.changes)
    assert _reload(staff).password_hash not in str(entry.changes)


def test_the_own_password_change_needs_the_current_password(client, make_staff, login):
    staff = make_staff()
    login(staff)

    response = client.post("/account/password", data={
        "current_password": "not my password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })

    assert response.status_code == 200
    assert "The current password is wrong." in response.text
    assert verify_password(_reload(staff).password_hash, PASSWORD)


def test_the_new_password_needs_ten_characters_and_the_same_confirmation(client, make_staff, login):
    staff = make_staff()
    login(staff)

    too_short = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "short", "confirm_password": "short",
    })
    mistyped = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x",
    })

    assert "at least 10 characters" in too_short.text
    assert "The two passwords differ." in mistyped.text
    assert verify_password(_reload(staff).password_hash, PASSWORD)
