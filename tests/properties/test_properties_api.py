"""The properties REST API: create, read, change, validation and property scoping."""
import pytest

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.properties.models import Property

NEW_HOTEL = {"code": "ctu-1", "name": "Chengdu Kuanzhai", "timezone": "Asia/Shanghai", "currency": "CNY"}


def _property(code):
    db.session.expire_all()
    return db.session.execute(db.select(Property).filter_by(code=code)).scalar_one_or_none()


def _audit_entries(entity_type="property"):
    db.session.expire_all()
    return db.session.execute(
        db.select(AuditEntry).filter_by(entity_type=entity_type).order_by(AuditEntry.id)
    ).scalars().all()


def test_chain_wide_client_creates_property_with_upper_case_code(client, hotels, make_api_key):
    headers = make_api_key("properties:read", "properties:write")

    response = client.post("/api/v1/properties", json=NEW_HOTEL, headers=headers)

    assert response.status_code == 201, response.json
    assert response.json["code"] == "CTU-1"
    assert response.json["name"] == "Chengdu Kuanzhai"
    stored = _property("CTU-1")
    assert (stored.name, stored.timezone, stored.currency) == ("Chengdu Kuanzhai", "Asia/Shanghai", "CNY")
    assert client.get("/api/v1/properties/ctu-1", headers=headers).json["code"] == "CTU-1"


def test_creating_a_property_is_audited_with_its_values(client, hotels, make_api_key):
    headers = make_api_key("properties:write")

    client.post("/api/v1/properties", json=NEW_HOTEL, headers=headers)

    [entry] = _audit_entries()
    stored = _property("CTU-1")
    assert entry.action == "create"
    assert entry.entity_id == stored.id
    assert entry.property_id == stored.id
    assert entry.api_client_id is not None
    assert entry.changes == {
        "check_in_time": [None, "14:00"],
        "code": [None, "CTU-1"],
        "currency": [None, "CNY"],
        "name": [None, "Chengdu Kuanzhai"],
        "timezone": [None, "Asia/Shanghai"],
    }


@pytest.mark.parametrize(
    "field, value",
    [
        ("timezone", "Asia/Atlantis"),
        ("timezone", "localtime"),
        ("currency", "XYZ"),
        ("currency", "RMB"),
        ("code", "S"),
        ("code", "SHA_2"),
        ("code", "A" * 17),
        ("name", ""),
    ],
)
def test_create_refuses_invalid_values_with_422_naming_the_field(client, hotels, make_api_key, field, value):
    headers = make_api_key("properties:write")

    response = client.post("/api/v1/properties", json={**NEW_HOTEL, field: value}, headers=headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert db.session.execute(db.select(db.func.count()).select_from(Property)).scalar() == 2
    assert _audit_entries() == []


def test_create_refuses_missing_fields(client, hotels, make_api_key):
    response = client.post("/api/v1/properties", json={"code": "CTU"}, headers=make_api_key("properties:write"))

    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"name", "timezone", "currency"}
    assert _property("CTU") is None


def test_create_refuses_unknown_fields(client, hotels, make_api_key):
    response = client.post(
        "/api/v1/properties", json={**NEW_HOTEL, "stars": 5}, headers=make_api_key("properties:write")
    )

    assert response.status_code == 422
    assert "stars" in response.json["errors"]["json"]
    assert _property("CTU-1") is None


def test_duplicate_code_is_a_conflict_whatever_its_case(client, hotels, make_api_key):
    response = client.post(
        "/api/v1/properties", json={**NEW_HOTEL, "code": "sha", "name": "Another"},
        headers=make_api_key("properties:write"),
    )

    assert response.status_code == 409
    assert "SHA" in response.json["message"]
    assert _property("SHA").name == "Shanghai Bund"
    assert db.session.execute(db.select(db.func.count()).select_from(Property)).scalar() == 2


def test_patch_changes_name_time_zone_and_currency_and_audits_the_difference(client, hotels, make_api_key):
    headers = make_api_key("properties:read", "properties:write")

    response = client.patch(
        "/api/v1/properties/sha", json={"name": "Shanghai Bund Hotel", "currency": "usd"}, headers=headers
    )

    assert response.status_code == 200, response.json
    assert response.json["name"] == "Shanghai Bund Hotel"
    stored = _property("SHA")
    assert (stored.name, stored.timezone, stored.currency) == ("Shanghai Bund Hotel", "Asia/Shanghai", "USD")
    [entry] = _audit_entries()
    assert entry.action == "update"
    assert entry.property_id == stored.id
    assert entry.changes == {"currency": ["CNY", "USD"], "name": ["Shanghai Bund", "Shanghai Bund Hotel"]}


def test_patch_without_a_change_records_nothing(client, hotels, make_api_key):
    response = client.patch(
        "/api/v1/properties/SHA", json={"name": "Shanghai Bund"}, headers=make_api_key("properties:write")
    )

    assert response.status_code == 200
    assert _audit_entries() == []


@pytest.mark.parametrize(
    "body, field",
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"currency": "EURO"}, "currency"),
        ({"code": "SH2"}, "code"),
        ({"rooms": 300}, "rooms"),
        ({"name": None}, "name"),
    ],
)
def test_patch_refuses_invalid_or_unknown_fields(client, hotels, make_api_key, body, field):
    response = client.patch("/api/v1/properties/SHA", json=body, headers=make_api_key("properties:write"))

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    stored = _property("SHA")
    assert (stored.code, stored.name, stored.timezone, stored.currency) == (
        "SHA", "Shanghai Bund", "Asia/Shanghai", "CNY"
    )
    assert _audit_entries() == []


def test_chain_wide_client_lists_every_property(client, hotels, make_api_key):
    response = client.get("/api/v1/properties", headers=make_api_key("properties:read"))

    assert response.status_code == 200
    assert [item["code"] for item in response.json["items"]] == ["HGH", "SHA"]
    assert response.json["items"][1] == {
        "code": "SHA",
        "name": "Shanghai Bund",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "check_in_time": "14:00",
        "created_at": response.json["items"][1]["created_at"],
    }


def test_client_scoped_to_one_hotel_lists_only_that_hotel(client, hotels, make_api_key):
    sha, _hgh = hotels

    response = client.get("/api/v1/properties", headers=make_api_key("properties:read", properties=[sha]))

    assert [item["code"] for item in response.json["items"]] == ["SHA"]


def test_client_scoped_to_one_hotel_gets_404_for_another(client, hotels, make_api_key):
    sha, _hgh = hotels
    headers = make_api_key("properties:read", "properties:write", properties=[sha])

    assert client.get("/api/v1/properties/SHA", headers=headers).status_code == 200
    assert client.get("/api/v1/properties/HGH", headers=headers).status_code == 404
    assert client.get("/api/v1/properties/NOPE", headers=headers).status_code == 404
    response = client.patch("/api/v1/properties/HGH", json={"name": "Taken over"}, headers=headers)
    assert response.status_code == 404
    assert _property("HGH").name == "Hangzhou West Lake"


def test_client_scoped_to_one_hotel_may_change_it_but_not_add_hotels(client, hotels, make_api_key):
    sha, _hgh = hotels
    headers = make_api_key("properties:write", properties=[sha])

    assert client.patch("/api/v1/properties/SHA", json={"name": "Bund"}, headers=headers).status_code == 200
    assert client.post("/api/v1/properties", json=NEW_HOTEL, headers=headers).status_code == 403
    assert _property("SHA").name == "Bund"
    assert _property("CTU-1") is None


def test_read_only_client_cannot_create_or_change(client, hotels, make_api_key):
    headers = make_api_key("properties:read")

    assert client.post("/api/v1/properties", json=NEW_HOTEL, headers=headers).status_code == 403
    assert client.patch("/api/v1/properties/SHA", json={"name": "X"}, headers=headers).status_code == 403
    assert _property("CTU-1") is None
    assert _property("SHA").name == "Shanghai Bund"


def test_api_refuses_calls_without_a_key_even_with_invalid_bodies(client, hotels):
    assert client.get("/api/v1/properties").status_code == 401
    assert client.post("/api/v1/properties", json={"bogus": 1}).status_code == 401

