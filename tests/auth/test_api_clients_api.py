"""/api/v1/api-clients: the key returned once, listing, reading, revoking, validation, scoping."""
import pytest

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import ApiClient
from guestrel.extensions import db

NEW_CLIENT = {"name": "Booking channel", "scopes": ["guests:read", "properties:read"], "properties": ["sha"]}


def _clients():
    db.session.expire_all()
    return db.session.execute(db.select(ApiClient).order_by(ApiClient.id)).scalars().all()


def _bearer(key):
    return {"Authorization": f"Bearer {key}"}


def test_creating_a_client_answers_201_with_its_key_this_once(client, hotels, make_api_key):
    headers = make_api_key("clients:admin", "guests:read", "properties:read")

    response = client.post("/api/v1/api-clients", json=NEW_CLIENT, headers=headers)

    assert response.status_code == 201, response.json
    body = response.json
    key = body["key"]
    assert key.startswith(f"grl_{body['key_prefix']}_")
    assert (body["name"], body["scopes"], body["properties"]) == (
        "Booking channel", ["guests:read", "properties:read"], ["SHA"]
    )
    assert body["revoked_at"] is None and body["created_by_id"] is None
    assert "key_hash" not in body
    new = _clients()[-1]
    assert key not in new.key_hash
    assert client.get("/api/v1/properties", headers=_bearer(key)).status_code == 200

    for answer in (client.get("/api/v1/api-clients", headers=headers), client.get(f"/api/v1/api-clients/{new.id}", headers=headers)):
        assert answer.status_code == 200
        assert key not in answer.text
        assert "key_hash" not in answer.text and '"key"' not in answer.text


def test_creating_a_client_is_audited_for_the_calling_client(client, hotels, make_api_key):
    headers = make_api_key("clients:admin", "guests:read", "properties:read")

    client.post("/api/v1/api-clients", json=NEW_CLIENT, headers=headers)

    caller, new = _clients()
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(entity_type="api_client")).scalars().all()
    assert (entry.action, entry.entity_id, entry.api_client_id) == ("create", new.id, caller.id)


def test_listing_clients_pages_by_id_cursor(client, make_api_key):
    headers = make_api_key("clients:admin")
    for number in range(4):
        make_api_key("guests:read", name=f"PMS {number}")

    first = client.get("/api/v1/api-clients?limit=3", headers=headers).json
    rest = client.get(f"/api/v1/api-clients?limit=3&after={first['next_after']}", headers=headers).json

    names = [item["name"] for item in first["items"] + rest["items"]]
    assert names == ["Test integration", "PMS 0", "PMS 1", "PMS 2", "PMS 3"]
    assert rest["next_after"] is None


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"scopes": ["guests:read", "root"]}, "scopes"),
        ({"scopes": []}, "scopes"),
        ({"properties": ["NOPE"]}, "properties"),
        ({"name": ""}, "name"),
        ({"key": "grl_chosen_by_me"}, "key"),
        ({"key_hash": "0" * 64}, "key_hash"),
    ],
)
def test_creating_refuses_invalid_fields_with_422(client, hotels, make_api_key, changes, field):
    headers = make_api_key("clients:admin", "guests:read", "properties:read")

    response = client.post("/api/v1/api-clients", json={**NEW_CLIENT, **changes}, headers=headers)

    assert response.status_code == 422
    assert field in response.json["errors"]["json"]
    assert len(_clients()) == 1


def test_a_client_cannot_give_scopes_or_properties_it_does_not_have(client, hotels, make_api_key):
    headers = make_api_key("clients:admin", "guests:read", properties=[hotels[0]])

    for new in (
        {**NEW_CLIENT, "scopes": ["guests:read", "staff:admin"]},
        {**NEW_CLIENT, "scopes": ["guests:read"], "properties": ["HGH"]},
        {**NEW_CLIENT, "scopes": ["guests:read"], "properties": []},
    ):
        response = client.post("/api/v1/api-clients", json=new, headers=headers)
        assert response.status_code == 403, new
    assert len(_clients()) == 1

    allowed = {**NEW_CLIENT, "scopes": ["guests:read", "guests:contact"], "properties": ["SHA"]}
    assert client.post("/api/v1/api-clients", json=allowed, headers=headers).status_code == 201


def test_a_client_bound_to_a_property_sees_only_that_propertys_clients(client, hotels, make_api_key):
    sha, hgh = hotels
    headers = make_api_key("clients:admin", properties=[sha], name="SHA admin")
    make_api_key("guests:read", properties=[hgh], name="HGH PMS")
    make_api_key("guests:read", name="Chain CRM")
    theirs = _clients()[1]

    listed = [item["name"] for item in client.get("/api/v1/api-clients", headers=headers).json["items"]]

    assert listed == ["SHA admin"]
    assert client.get(f"/api/v1/api-clients/{theirs.id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/api-clients/{theirs.id}/revoke", headers=headers).status_code == 404
    assert _clients()[1].revoked_at is None


def test_revoking_a_client_stops_its_key_at_once(client, hotels, make_api_key):
    admin_headers = make_api_key("clients:admin")
    pms_headers = make_api_key("staff:admin", name="PMS")
    pms = _clients()[1]
    assert client.get("/api/v1/staff", headers=pms_headers).status_code == 200

    response = client.post(f"/api/v1/api-clients/{pms.id}/revoke", headers=admin_headers)

    assert response.status_code == 200
    assert response.json["revoked_at"] is not None
    assert client.get("/api/v1/staff", headers=pms_headers).status_code == 401
    again = client.post(f"/api/v1/api-clients/{pms.id}/revoke", headers=admin_headers)
    assert again.json["revoked_at"] == response.json["revoked_at"]
    assert len(db.session.execute(db.select(AuditEntry).filter_by(action="revoke")).scalars().all()) == 1


def test_reading_an_unknown_client_is_404(client, make_api_key):
    headers = make_api_key("clients:admin")

    assert client.get("/api/v1/api-clients/999", headers=headers).status_code == 404
    assert client.post("/api/v1/api-clients/999/revoke", headers=headers).status_code == 404


def test_the_clients_api_needs_the_clients_admin_scope(client, make_api_key):
    headers = make_api_key("staff:admin")
    own_id = _clients()[0].id

    for response in (
        client.get("/api/v1/api-clients", headers=headers),
        client.post("/api/v1/api-clients", json=NEW_CLIENT, headers=headers),
        client.get(f"/api/v1/api-clients/{own_id}", headers=headers),
        client.post(f"/api/v1/api-clients/{own_id}/revoke", headers=headers),
    ):
        assert response.status_code == 403
    assert _clients()[0].revoked_at is None
