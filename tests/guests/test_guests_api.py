"""Guest profiles through the REST API: what a PMS integration sees and what the database holds."""
from datetime import date

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId, GuestSearchTerm


@pytest.fixture
def writer(make_api_key):
    return make_api_key("guests:write", name="Opera PMS")


@pytest.fixture
def reader(make_api_key):
    return make_api_key("guests:read", name="Reporting")


def create(client, headers, **body):
    response = client.post("/api/v1/guests", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response


def audit_entries(guest_id, action=None):
    query = sa.select(AuditEntry).where(AuditEntry.guest_id == guest_id).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def test_created_guest_is_stored_normalised_and_read_back_with_its_etag(client, writer):
    response = create(
        client, writer,
        given_name="  Wei ", family_name="Zhang", full_name="张伟", salutation="Mr",
        email="Zhang.Wei@Example.COM", phone="138 0013 8000", birthday="1980-05-17",
        nationality="cn", language="zh-cn", company="Acme", vip_code="VIP2", notes="Prefers quiet rooms",
        external_ids=[{"system": "Opera", "external_id": "4711"}],
    )
    body = response.get_json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/guests/{body['id']}"
    assert body["given_name"] == "Wei"
    assert body["email"] == "zhang.wei@example.com"
    assert body["phone"] == "+8613800138000"
    assert body["nationality"] == "CN"
    assert body["language"] == "zh-CN"
    assert body["version"] == 1
    assert [(e["system"], e["external_id"]) for e in body["external_ids"]] == [("opera", "4711")]

    guest = db.session.get(Guest, body["id"])
    assert (guest.given_name, guest.family_name, guest.full_name) == ("Wei", "Zhang", "张伟")
    assert guest.birthday == date(1980, 5, 17)
    assert guest.phone == "+8613800138000"
    terms = set(db.session.scalars(sa.select(GuestSearchTerm.term).where(GuestSearchTerm.guest_id == guest.id)))
    assert {"wei", "zhang", "张伟", "zhangwei", "@zhang.wei@example.com", "@example.com"} <= terms

    read = client.get(response.headers["Location"], headers=writer)
    assert read.status_code == 200
    assert read.headers["ETag"] == '"1"'
    assert read.get_json() == body


def test_patch_changes_only_the_given_fields_bumps_the_version_and_rewrites_search_terms(client, writer):
    guest = create(client, writer, given_name="Anna", family_name="Schmidt", email="anna@example.com").get_json()

    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"family_name": "Müller", "company": "Siemens"},
                            headers={**writer, "If-Match": '"1"'})

    assert response.status_code == 200, response.get_json()
    assert response.headers["ETag"] == '"2"'
    body = response.get_json()
    assert (body["given_name"], body["family_name"], body["company"], body["version"]) == ("Anna", "Müller", "Siemens", 2)
    stored = db.session.get(Guest, guest["id"])
    assert (stored.family_name, stored.email, stored.version) == ("Müller", "anna@example.com", 2)
    terms = set(db.session.scalars(sa.select(GuestSearchTerm.term).where(GuestSearchTerm.guest_id == guest["id"])))
    assert "muller" in terms and "schmidt" not in terms


def test_patch_can_clear_a_field_with_null(client, writer):
    guest = create(client, writer, given_name="Anna", company="Siemens").get_json()
    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"company": None}, headers={**writer, "If-Match": '"1"'})
    assert response.status_code == 200
    assert db.session.get(Guest, guest["id"]).company is None


def test_patch_without_if_match_is_refused_with_428_and_changes_nothing(client, writer):
    guest = create(client, writer, given_name="Anna").get_json()

    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"given_name": "Anne"}, headers=writer)

    assert response.status_code == 428
    assert "Send If-Match with the ETag you read" in response.get_json()["message"]
    assert db.session.get(Guest, guest["id"]).given_name == "Anna"


def test_patch_with_a_stale_etag_is_refused_with_412(client, writer):
    guest = create(client, writer, given_name="Anna").get_json()
    url = f"/api/v1/guests/{guest['id']}"
    assert client.patch(url, json={"given_name": "Anne"}, headers={**writer, "If-Match": '"1"'}).status_code == 200

    response = client.patch(url, json={"given_name": "Annie"}, headers={**writer, "If-Match": '"1"'})

    assert response.status_code == 412
    assert response.get_json()["message"].startswith("This guest was changed by someone else since you read it")
    assert db.session.get(Guest, guest["id"]).given_name == "Anne"


@pytest.mark.parametrize("if_match", ['W/"1"', "one", '"1", "2"'])
def test_patch_with_an_etag_that_cannot_match_is_refused_with_412(client, writer, if_match):
    guest = create(client, writer, given_name="Anna").get_json()
    response = client.patch(f"/api/v1/guests/{guest['id']}", json={"given_name": "Anne"},
                            headers={**writer, "If-Match": if_match})
    assert response.status_code == 412
    assert db.session.get(Guest, guest["id"]).given_name == "Anna"


def test_two_clients_racing_on_the_same_version_keep_the_first_change(client, make_api_key, writer):
    front_office = make_api_key("guests:write", name="Front office")
    guest = create(client, writer, given_name="Anna", company="Old").get_json()
    url = f"/api/v1/guests/{guest['id']}"
    etag_a = client.get(url, headers=writer).headers["ETag"]
    etag_b = client.get(url, headers=front_office).headers["ETag"]

    first = client.patch(url, json={"company": "From PMS"}, headers={**writer, "If-Match": etag_a})
    second = client.patch(url, json={"company": "From front office"}, headers={**front_office, "If-Match": etag_b})

    assert first.status_code == 200
    assert second.status_code == 412
    assert db.session.get(Guest, guest["id"]).company == "From PMS"
    assert [e.changes for e in audit_entries(guest["id"], "update")] == [{"company": ["Old", "From PMS"]}]


def test_unknown_guest_is_a_json_404(client, reader):
    response = client.get("/api/v1/guests/999999", headers=reader)
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_reading_and_writing_need_a_key_with_the_right_scope(client, reader):
    assert client.get("/api/v1/guests").status_code == 401
    response = client.post("/api/v1/guests", json={"given_name": "Anna"}, headers=reader)
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest)) == 0


def test_lookup_by_external_id_finds_the_guest_and_is_audited_as_a_view(client, writer, reader):
    guest = create(client, writer, given_name="Anna", external_ids=[
        {"system": "opera", "external_id": "A/17"}, {"system": "mews", "external_id": "x-1"},
    ]).get_json()

    response = client.get("/api/v1/guests/by-external-id/opera/A/17", headers=reader)

    assert response.status_code == 200
    assert response.get_json()["id"] == guest["id"]
    assert response.headers["ETag"] == '"1"'
    assert len(audit_entries(guest["id"], "view")) == 1
    missing = client.get("/api/v1/guests/by-external-id/opera/nope", headers=reader)
    assert missing.status_code == 404
    assert missing.is_json


def test_external_ids_are_added_and_removed(client, writer):
    guest = create(client, writer, given_name="Anna").get_json()

    added = client.post(f"/api/v1/guests/{guest['id']}/external-ids", json={"system": "mews", "external_id": "m-9"},
                        headers=writer)

    assert added.status_code == 201
    row_id = added.get_json()["id"]
    assert db.session.get(GuestExternalId, row_id).guest_id == guest["id"]
    removed = client.delete(f"/api/v1/guests/{guest['id']}/external-ids/{row_id}", headers=writer)
    assert removed.status_code == 204
    assert db.session.get(GuestExternalId, row_id) is None
    assert [e.action for e in audit_entries(guest["id"]) if e.entity_type == "guest_external_id"] == ["create", "delete"]


def test_an_external_id_of_another_guest_is_refused_with_409(client, writer):
    create(client, writer, given_name="Anna", external_ids=[{"system": "opera", "external_id": "4711"}])
    second = create(client, writer, given_name="Bert").get_json()
    guests_before = db.session.scalar(sa.select(sa.func.count()).select_from(Guest))

    on_create = client.post("/api/v1/guests", json={"given_name": "Carl", "external_ids": [
        {"system": "OPERA", "external_id": "4711"}]}, headers=writer)
    on_add = client.post(f"/api/v1/guests/{second['id']}/external-ids",
                         json={"system": "opera", "external_id": "4711"}, headers=writer)

    assert on_create.status_code == 409
    assert on_add.status_code == 409
    assert "already belongs to another guest" in on_add.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest)) == guests_before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(GuestExternalId)) == 1


def test_audit_trail_records_create_view_and_update_with_before_and_after(client, writer):
    guest = create(client, writer, given_name="Anna", email="anna@example.com").get_json()
    client.get(f"/api/v1/guests/{guest['id']}", headers=writer)
    client.patch(f"/api/v1/guests/{guest['id']}", json={"email": "anna@example.org", "given_name": "Anna"},
                 headers={**writer, "If-Match": '"1"'})

    entries = audit_entries(guest["id"])

    assert [(e.action, e.entity_type, e.entity_id) for e in entries] == [
        ("create", "guest", guest["id"]), ("view", "guest", guest["id"]), ("update", "guest", guest["id"]),
    ]
    assert entries[0].changes == {"given_name": [None, "Anna"], "email": [None, "anna@example.com"]}
    assert entries[2].changes == {"email": ["anna@example.com", "anna@example.org"]}
    assert all(e.api_client_id is not None and e.staff_id is None for e in entries)


def test_the_openapi_document_describes_every_guest_endpoint(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operations = [
        (path, method, operation) for path, item in spec["paths"].items()
        if path.startswith(("/api/v1/guests", "/api/v1/preference-categories"))
        for method, operation in item.items() if method in {"get", "post", "patch", "delete"}
    ]
    assert len(operations) == 26
    assert all(operation.get("summary") for _path, _method, operation in operations)
    patch = spec["paths"]["/api/v1/guests/{guest_id}"]["patch"]
    assert {"412", "428"} <= set(patch["responses"])
