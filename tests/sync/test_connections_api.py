import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.sync import secret_box
from guestrel.sync.models import Connection
from tests.sync.conftest import deliver, payload, upsert

SECRET = "s3cret-key"
SETTINGS = {"url": "https://pms.example.com/api", "api_key": SECRET}


@pytest.fixture
def admin(make_api_key):
    return make_api_key("integrations:admin")


def create(client, headers, **fields):
    body = {"adapter": "jsonpms", "property_code": "SHA", "name": "Shanghai PMS", "settings": SETTINGS} | fields
    return client.post("/api/v1/connections", json=body, headers=headers)


def test_a_connection_is_created_with_its_secret_encrypted_and_never_shown(client, hotels, admin):
    response = create(client, admin)
    assert response.status_code == 201, response.json
    body = response.json
    connection = db.session.get(Connection, body["id"])
    assert body["settings"] == {"url": "https://pms.example.com/api"}
    assert body["secrets_set"] == ["api_key"]
    assert body["inbound_url"] == f"http://localhost/inbound/{connection.id}/{connection.inbound_token}"
    assert len(connection.inbound_token) >= 40
    assert (body["adapter"], body["property_code"], body["enabled"], body["cursor"]) == ("jsonpms", "SHA", True, None)
    assert body["inbox_counts"] == {} and body["last_error"] is None and body["last_success_at"] is None

    assert SECRET.encode() not in connection.secrets and "api_key" not in connection.settings
    assert secret_box.decrypt(connection.secrets) == {"api_key": SECRET}
    for answer in (response, client.get(f"/api/v1/connections/{connection.id}", headers=admin),
                   client.get("/api/v1/connections", headers=admin)):
        assert SECRET not in answer.get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "connection"))
    assert entry.action == "create" and SECRET not in str(entry.changes)


def test_settings_are_checked_by_the_adapters_schema(client, hotels, admin):
    bad = create(client, admin, settings={"url": "not a url"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]["json"]) == {"settings.url", "settings.api_key"}
    unknown = create(client, admin, adapter="opera")
    assert unknown.status_code == 422 and "adapter" in unknown.json["errors"]["json"]
    assert create(client, admin, property_code="NOPE").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0


def test_one_connection_per_adapter_and_hotel(client, hotels, admin):
    assert create(client, admin).status_code == 201
    again = create(client, admin, name="Another")
    assert again.status_code == 409
    assert create(client, admin, property_code="HGH").status_code == 201


def test_an_update_keeps_a_secret_left_out_and_replaces_one_given(client, hotels, admin):
    created = create(client, admin)
    connection_id = created.json["id"]
    assert created.headers["ETag"] == '"1"'
    url = f"/api/v1/connections/{connection_id}"
    renamed = client.patch(url, json={"name": "Opera", "enabled": False,
                                      "settings": {"url": "https://new.example.com"}},
                           headers={**admin, "If-Match": '"1"'})
    assert renamed.status_code == 200, renamed.json
    assert (renamed.json["name"], renamed.json["enabled"]) == ("Opera", False)
    assert renamed.json["settings"] == {"url": "https://new.example.com"}
    assert renamed.headers["ETag"] == '"2"' and renamed.json["version"] == 2
    assert secret_box.decrypt(db.session.get(Connection, connection_id).secrets) == {"api_key": SECRET}

    client.patch(url, json={"settings": {"api_key": "rotated"}}, headers={**admin, "If-Match": '"2"'})
    db.session.expire_all()
    assert secret_box.decrypt(db.session.get(Connection, connection_id).secrets) == {"api_key": "rotated"}
    refused = client.patch(url, json={"settings": {"url": "nope"}}, headers={**admin, "If-Match": '"3"'})
    assert refused.status_code == 422 and "settings.url" in refused.json["errors"]["json"]


def test_an_update_needs_the_version_read_and_refuses_a_stale_one(client, hotels, admin):
    url = f"/api/v1/connections/{create(client, admin).json['id']}"
    assert client.get(url, headers=admin).headers["ETag"] == '"1"'
    client.patch(url, json={"name": "First"}, headers={**admin, "If-Match": '"1"'})

    blind = client.patch(url, json={"name": "Blind"}, headers=admin)
    stale = client.patch(url, json={"name": "Second"}, headers={**admin, "If-Match": '"1"'})

    assert blind.status_code == 428 and "If-Match" in blind.json["message"]
    assert stale.status_code == 412 and "changed by someone else" in stale.json["message"]
    assert client.get(url, headers=admin).json["name"] == "First"


def test_test_connection_runs_the_adapters_check_through_a_timeout_session(client, hotels, admin):
    good = create(client, admin).json["id"]
    answer = client.post(f"/api/v1/connections/{good}/test", headers=admin)
    assert answer.status_code == 200
    assert answer.json == {"ok": True, "message": "https://pms.example.com/api answered through a TimeoutSession"}

    crashing = create(client, admin, property_code="HGH", settings={**SETTINGS, "api_key": "crash"}).json["id"]
    answer = client.post(f"/api/v1/connections/{crashing}/test", headers=admin)
    assert answer.json["ok"] is False and "RuntimeError" in answer.json["message"]
    assert "crash" not in answer.json["message"]


def test_a_connection_shows_its_inbox_counts(client, hotels, admin):
    sha = create(client, admin).json["id"]
    hgh = create(client, admin, property_code="HGH").json["id"]
    deliver(payload(upsert("e1")))
    deliver(payload(upsert("e1")))
    deliver(b"broken")
    items = {item["id"]: item for item in client.get("/api/v1/connections", headers=admin).json["items"]}
    assert items[sha]["inbox_counts"] == {"applied": 1, "ignored": 1, "failed": 1}
    assert items[hgh]["inbox_counts"] == {}


def test_a_hotel_bound_key_sees_and_configures_only_its_hotels(client, hotels, admin, make_api_key):
    shanghai, _hangzhou = hotels
    hgh = create(client, admin, property_code="HGH").json["id"]
    local = make_api_key("integrations:admin", properties=[shanghai], name="Shanghai integrator")
    assert client.get(f"/api/v1/connections/{hgh}", headers=local).status_code == 404
    assert client.get("/api/v1/connections", headers=local).json["items"] == []
    assert create(client, local, property_code="HGH", name="x").status_code == 403
    assert create(client, local).status_code == 201


def test_secrets_need_the_key_they_were_encrypted_with(make_app):
    first = make_app(GUESTREL_SECRETS_KEY="first key", SECRET_KEY="session key")
    with first.app_context():
        token = secret_box.encrypt({"api_key": SECRET})
    with make_app(GUESTREL_SECRETS_KEY="first key", SECRET_KEY="another session key").app_context():
        assert secret_box.decrypt(token) == {"api_key": SECRET}
    with make_app(GUESTREL_SECRETS_KEY="second key").app_context(), pytest.raises(secret_box.SecretsKeyError):
        secret_box.decrypt(token)
    # Without GUESTREL_SECRETS_KEY the session key is the key material.
    with make_app(SECRET_KEY="session key").app_context():
        fallback = secret_box.encrypt({"api_key": SECRET})
    with make_app(GUESTREL_SECRETS_KEY=None, SECRET_KEY="session key").app_context():
        assert secret_box.decrypt(fallback) == {"api_key": SECRET}
