"""What every API endpoint shares, whatever its domain: unknown query parameters refused, a
message on every error answer, and service refusals answered alike."""
import pytest

from guestrel.auth.permissions import SCOPES

GUEST = {"given_name": "Wei", "family_name": "Zhang"}


@pytest.fixture
def everything(make_api_key, hotels):
    return make_api_key(*SCOPES)


@pytest.fixture
def guest_id(client, everything):
    return client.post("/api/v1/guests", json=GUEST, headers=everything).get_json()["id"]


@pytest.mark.parametrize("url", [
    "/api/v1/guests?nmae=zhang",
    "/api/v1/guests/{guest_id}/preferences?retired=true",
    "/api/v1/preference-categories?inactive=true",
    "/api/v1/staff?limt=3",
    "/api/v1/api-clients?page=2",
    "/api/v1/audit?guest=1",
    "/api/v1/properties?code=SHA",
    "/api/v1/properties/SHA?expand=staff",
    "/api/v1/guests/{guest_id}?include=preferences",
])
def test_an_unknown_query_parameter_is_refused_with_its_name(client, everything, guest_id, url):
    response = client.get(url.format(guest_id=guest_id), headers=everything)

    assert response.status_code == 422
    unknown = url.split("?")[1].split("=")[0]
    assert response.get_json()["errors"] == {"query": {unknown: ["Unknown field."]}}
    assert unknown in response.get_json()["message"]


def test_an_unknown_query_parameter_changes_nothing(client, everything):
    response = client.post("/api/v1/guests?dry_run=true", json=GUEST, headers=everything)

    assert response.status_code == 422
    assert client.get("/api/v1/guests", headers=everything).get_json()["items"] == []


def test_a_missing_key_or_permission_is_answered_before_an_unknown_query_parameter(client, make_api_key, hotels):
    assert client.get("/api/v1/properties/SHA?expand=staff").status_code == 401
    assert client.get("/api/v1/staff?limt=3", headers=make_api_key("guests:read")).status_code == 403


@pytest.mark.parametrize("method, url, body", [
    ("POST", "/api/v1/guests", {"given_name": 42}),
    ("POST", "/api/v1/properties", {"code": "CTU"}),
    ("PATCH", "/api/v1/properties/SHA", {"timezone": "Mars/Olympus"}),
    ("POST", "/api/v1/staff", {"email": "not an address"}),
    ("POST", "/api/v1/api-clients", {"name": "PMS", "scopes": []}),
    ("GET", "/api/v1/audit?limit=0", None),
])
def test_every_refused_value_is_answered_with_a_message_and_the_fields_at_fault(client, everything, method, url, body):
    response = client.open(url, method=method, json=body, headers=everything)

    assert response.status_code == 422
    answer = response.get_json()
    location = "query" if method == "GET" else "json"
    assert answer["errors"][location]
    assert all(field in answer["message"] for field in answer["errors"][location])


def test_refusals_of_every_domain_answer_with_their_status_and_message(client, make_api_key, hotels, everything):
    one_hotel = make_api_key(*SCOPES, properties=[hotels[0]])
    new_hotel = {"code": "CTU", "name": "Chengdu", "timezone": "Asia/Shanghai", "currency": "CNY"}

    not_found = client.get("/api/v1/properties/NOPE", headers=everything)
    forbidden = client.post("/api/v1/properties", json=new_hotel, headers=one_hotel)
    taken = client.post("/api/v1/properties", json={**new_hotel, "code": "SHA"}, headers=everything)
    staff_out_of_scope = client.post("/api/v1/staff", headers=one_hotel, json={
        "email": "desk@example.test", "name": "Desk", "role": "front_desk",
        "password": "long enough password", "properties": ["HGH"],
    })

    assert (not_found.status_code, not_found.get_json()["message"]) == (404, "No property with the code NOPE.")
    assert (forbidden.status_code, forbidden.get_json()["message"]) == (
        403, "Only chain-wide accounts may add properties."
    )
    assert taken.status_code == 409
    assert taken.get_json()["errors"] == {"json": {"code": ["Another property already has the code SHA."]}}
    assert (staff_out_of_scope.status_code, staff_out_of_scope.get_json()["message"]) == (
        403, "You may only manage staff of your own properties."
    )
    assert "errors" not in staff_out_of_scope.get_json()


def test_a_body_over_the_size_limit_is_answered_in_json_with_a_message(make_app, make_api_key, hotels):
    app = make_app(MAX_CONTENT_LENGTH=1024)
    headers = make_api_key(*SCOPES)

    response = app.test_client().post(
        "/api/v1/guests", data='{"notes": "' + "x" * 2048 + '"}', content_type="application/json", headers=headers,
    )

    assert response.status_code == 413
    assert response.get_json()["message"] == "What you sent is too large."


def test_an_unknown_api_address_is_answered_in_json_with_a_message(client, everything):
    response = client.get("/api/v1/no-such-thing", headers=everything)

    assert response.status_code == 404
    assert response.is_json and response.get_json()["message"]
