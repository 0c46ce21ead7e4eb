"""The API is reached with a bearer key only: what each wrong key gets, and what a right one records."""
import pytest

from guestrel.auth.models import ApiClient
from guestrel.database import utcnow
from guestrel.extensions import db


def _only_client():
    db.session.expire_all()
    return db.session.execute(db.select(ApiClient)).scalar_one()


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-key",
        "Bearer grl_00000000_unknownunknownunknownunknownunknown",
        "Token {key}",
        "Bearer {key}x",
    ],
)
def test_a_missing_malformed_or_unknown_key_gets_401_json(client, make_api_key, authorization):
    key = make_api_key("staff:admin")["Authorization"].removeprefix("Bearer ")
    headers = {} if authorization is None else {"Authorization": authorization.format(key=key)}

    response = client.get("/api/v1/staff", headers=headers)

    assert response.status_code == 401
    assert response.is_json
    assert response.json["code"] == 401


def test_a_revoked_key_gets_401_json(client, make_api_key):
    headers = make_api_key("staff:admin")
    stored = _only_client()
    stored.revoked_at = utcnow()
    db.session.commit()

    response = client.get("/api/v1/staff", headers=headers)

    assert response.status_code == 401
    assert response.json["code"] == 401


def test_a_key_without_the_scope_gets_403_json(client, make_api_key):
    response = client.get("/api/v1/staff", headers=make_api_key("guests:read"))

    assert response.status_code == 403
    assert response.is_json
    assert response.json["code"] == 403


def test_the_scheme_name_is_case_insensitive(client, make_api_key):
    headers = make_api_key("staff:admin")

    response = client.get("/api/v1/staff", headers={"Authorization": headers["Authorization"].replace("Bearer", "bearer")})

    assert response.status_code == 200


def test_a_browser_session_does_not_authenticate_the_api(client, make_staff, login):
    login(make_staff("admin"))
    assert client.get("/admin/staff").status_code == 200

    response = client.get("/api/v1/staff")

    assert response.status_code == 401
    assert response.is_json


def test_a_call_records_when_the_key_was_last_used(client, make_api_key):
    headers = make_api_key("staff:admin")
    assert _only_client().last_used_at is None

    client.get("/api/v1/staff", headers=headers)

    assert _only_client().last_used_at is not None


def test_the_openapi_document_describes_every_staff_and_client_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    expected = {
        ("/api/v1/staff", "get"): "List staff accounts",
        ("/api/v1/staff", "post"): "Create a staff account",
        ("/api/v1/staff/{staff_id}", "get"): "Read a staff account",
        ("/api/v1/staff/{staff_id}", "patch"): "Change a staff account",
        ("/api/v1/api-clients", "get"): "List API clients",
        ("/api/v1/api-clients", "post"): "Create an API client",
        ("/api/v1/api-clients/{client_id}", "get"): "Read an API client",
        ("/api/v1/api-clients/{client_id}/revoke", "post"): "Revoke an API client",
    }

    for (path, method), summary in expected.items():
        operation = spec["paths"][path][method]
        assert operation["summary"] == summary
        assert {"401", "403"} <= set(operation["responses"])
    assert "key" in spec["components"]["schemas"]["ApiClientCreated"]["properties"]
    schemas = str(spec["components"]["schemas"])
    for secret in ("password_hash", "key_hash", "session_token"):
        assert secret not in schemas
    assert "password" not in spec["components"]["schemas"]["Staff"]["properties"]
