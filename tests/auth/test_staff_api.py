"""/api/v1/staff: listing by cursor, creating, reading, changing, validation and property scoping."""
import pytest

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.auth.passwords import verify_password
from guestrel.extensions import db

SECRETS = ("password_hash", "session_token", "password", "key_hash")
NEW_MEMBER = {
    "email": "Zhang.Wei@Example.test",
    "name": "张伟",
    "role": "front_desk",
    "password": "a decent passphrase",
    "properties": ["sha"],
}


def _by_email(email):
    db.session.expire_all()
    return db.session.execute(db.select(StaffUser).filter_by(email=email)).scalar_one_or_none()


def _staff_count():
    return db.session.execute(db.select(db.func.count()).select_from(StaffUser)).scalar()


def _assert_no_secrets(body):
    text = str(body)
    for name in SECRETS:
        assert f"'{name}'" not in text


def test_listing_staff_pages_by_id_cursor(client, make_staff, make_api_key):
    headers = make_api_key("staff:admin")
    staff = [make_staff("marketing") for _ in range(5)]

    first = client.get("/api/v1/staff?limit=2", headers=headers)
    second = client.get(f"/api/v1/staff?limit=2&after={first.json['next_after']}", headers=headers)
    last = client.get(f"/api/v1/staff?limit=2&after={second.json['next_after']}", headers=headers)

    assert first.status_code == 200
    ids = [item["id"] for page in (first, second, last) for item in page.json["items"]]
    assert ids == [s.id for s in staff]
    assert first.json["next_after"] == staff[1].id
    assert last.json["next_after"] is None
    _assert_no_secrets(first.json)


@pytest.mark.parametrize("query", ["limit=0", "limit=500", "after=x", "after=-1"])
def test_listing_refuses_bad_paging_arguments(client, make_api_key, query):
    response = client.get(f"/api/v1/staff?{query}", headers=make_api_key("staff:admin"))

    assert response.status_code == 422


def test_creating_a_staff_member_answers_201_with_property_codes_and_no_secrets(app, client, hotels, make_api_key, login):
    headers = make_api_key("staff:admin")

    response = client.post("/api/v1/staff", json=NEW_MEMBER, headers=headers)

    assert response.status_code == 201, response.json
    body = response.json
    assert body["email"] == "zhang.wei@example.test"
    assert (body["name"], body["role"], body["properties"], body["active"]) == ("张伟", "front_desk", ["SHA"], True)
    assert body["locale"] is None and body["last_login_at"] is None
    _assert_no_secrets(body)
    member = _by_email("zhang.wei@example.test")
    assert verify_password(member.password_hash, NEW_MEMBER["password"])
    login(member, password=NEW_MEMBER["password"], test_client=app.test_client())
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="create")).scalars().all()
    assert (entry.entity_type, entry.entity_id, entry.staff_id) == ("staff", member.id, None)
    assert entry.api_client_id is not None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"role": "owner"}, "role"),
        ({"properties": ["SHA", "XYZ"]}, "properties"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"locale": "fr"}, "locale"),
        ({"name": ""}, "name"),
        ({"is_superuser": True}, "is_superuser"),
        ({"session_token": "chosen"}, "session_token"),
    ],
)
def test_creating_refuses_invalid_fields_with_422_naming_each(client, hotels, make_api_key, changes, field):
    headers = make_api_key("staff:admin")
    count = _staff_count()

    response = client.post("/api/v1/staff", json={**NEW_MEMBER, **changes}, headers=headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert _staff_count() == count


def test_creating_refuses_missing_fields(client, make_api_key):
    response = client.post("/api/v1/staff", json={"email": "a@example.test"}, headers=make_api_key("staff:admin"))

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"name", "role", "password"}


def test_creating_a_duplicate_e_mail_is_refused_on_the_email_field(client, make_staff, make_api_key):
    make_staff(email="zhang.wei@example.test")

    response = client.post("/api/v1/staff", json={**NEW_MEMBER, "properties": []}, headers=make_api_key("staff:admin"))

    assert response.status_code == 422
    assert "already exists" in response.json["errors"]["json"]["email"][0]


def test_reading_one_staff_member(client, hotels, make_staff, make_api_key):
    member = make_staff("housekeeping", properties=[hotels[1]], locale="zh_Hans_CN")
    headers = make_api_key("staff:admin")

    response = client.get(f"/api/v1/staff/{member.id}", headers=headers)

    assert response.status_code == 200
    assert response.json["properties"] == ["HGH"]
    assert response.json["locale"] == "zh_Hans_CN"
    _assert_no_secrets(response.json)
    assert client.get("/api/v1/staff/987654", headers=headers).status_code == 404


def test_patching_changes_only_the_given_fields(client, hotels, make_staff, make_api_key):
    member = make_staff("front_desk", properties=[hotels[0]])
    token = member.session_token

    response = client.patch(
        f"/api/v1/staff/{member.id}", json={"name": "Renamed", "properties": ["HGH", "SHA"]},
        headers=make_api_key("staff:admin"),
    )

    assert response.status_code == 200, response.json
    assert (response.json["name"], response.json["role"], response.json["properties"]) == (
        "Renamed", "front_desk", ["HGH", "SHA"]
    )
    member = _by_email(member.email)
    assert member.session_token == token
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="update")).scalars().all()
    assert entry.changes == {"name": ["Front Desk Tester", "Renamed"], "properties": [["SHA"], ["HGH", "SHA"]]}


def test_patching_the_password_or_disabling_ends_sessions_and_audits_no_hash(client, make_staff, make_api_key):
    member = make_staff("manager")
    token = member.session_token

    response = client.patch(
        f"/api/v1/staff/{member.id}", json={"password": "reset by the integration", "active": False},
        headers=make_api_key("staff:admin"),
    )

    assert response.status_code == 200
    assert response.json["active"] is False
    _assert_no_secrets(response.json)
    member = _by_email(member.email)
    assert member.session_token != token
    assert verify_password(member.password_hash, "reset by the integration")
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="update")).scalars().all()
    assert entry.changes == {"active": [True, False], "password": ["(changed)", "(changed)"]}


@pytest.mark.parametrize(
    "changes, field",
    [({"role": "owner"}, "role"), ({"properties": ["XYZ"]}, "properties"), ({"password": ""}, "password"),
     ({"email": "new@example.test"}, "email"), ({"active": "maybe"}, "active")],
)
def test_patching_refuses_invalid_fields_with_422(client, make_staff, make_api_key, changes, field):
    member = make_staff("manager")

    response = client.patch(f"/api/v1/staff/{member.id}", json=changes, headers=make_api_key("staff:admin"))

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert _by_email(member.email).role == "manager"


def test_a_client_bound_to_a_property_sees_and_manages_only_that_propertys_staff(client, hotels, make_staff, make_api_key):
    sha, hgh = hotels
    headers = make_api_key("staff:admin", properties=[sha])
    ours = make_staff("front_desk", properties=[sha])
    theirs = make_staff("front_desk", properties=[hgh])
    admin = make_staff("admin")

    listed = [item["id"] for item in client.get("/api/v1/staff", headers=headers).json["items"]]
    assert listed == [ours.id]
    assert client.get(f"/api/v1/staff/{theirs.id}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/staff/{admin.id}", json={"active": False}, headers=headers).status_code == 404

    assert client.patch(f"/api/v1/staff/{ours.id}", json={"properties": ["SHA", "HGH"]}, headers=headers).status_code == 403
    assert client.patch(f"/api/v1/staff/{ours.id}", json={"role": "admin"}, headers=headers).status_code == 403
    for member in ({**NEW_MEMBER, "properties": ["HGH"]}, {**NEW_MEMBER, "properties": []}, {**NEW_MEMBER, "role": "admin"}):
        assert client.post("/api/v1/staff", json=member, headers=headers).status_code == 403
    assert _by_email("zhang.wei@example.test") is None
    assert [p.code for p in _by_email(ours.email).properties] == ["SHA"]

    assert client.post("/api/v1/staff", json=NEW_MEMBER, headers=headers).status_code == 201
    assert client.patch(f"/api/v1/staff/{ours.id}", json={"name": "Ours"}, headers=headers).status_code == 200


def test_the_staff_api_needs_the_staff_admin_scope(client, make_staff, make_api_key):
    member = make_staff()
    headers = make_api_key("guests:read", "clients:admin")

    for response in (
        client.get("/api/v1/staff", headers=headers),
        client.get(f"/api/v1/staff/{member.id}", headers=headers),
        client.post("/api/v1/staff", json=NEW_MEMBER, headers=headers),
        client.patch(f"/api/v1/staff/{member.id}", json={"name": "x"}, headers=headers),
    ):
        assert response.status_code == 403
        assert response.json["code"] == 403
