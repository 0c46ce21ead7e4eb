"""Every API endpoint against every scope, every page against every role, and a foreign property.

The tables below name the permission each endpoint needs. A route added without an entry here
fails `test_every_route_is_in_the_matrix`, so the matrix cannot fall behind the code."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest

from guestrel.auth import service as auth_service
from guestrel.auth.models import ROLES
from guestrel.auth.permissions import PERMISSIONS, ROLE_PERMISSIONS, SCOPE_IMPLIES, SCOPES, Principal
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.stays import service as stay_service

SIGNED_IN = "signed-in"  # any staff member
PUBLIC = "public"  # anyone, signed in or not

API = [
    ("GET", "/api/v1/guests", "guests:read"),
    ("POST", "/api/v1/guests", "guests:write"),
    ("GET", "/api/v1/guests/{guest}", "guests:read"),
    ("PATCH", "/api/v1/guests/{guest}", "guests:write"),
    ("GET", "/api/v1/guests/by-external-id/demo_pms/{external_id}", "guests:read"),
    ("POST", "/api/v1/guests/{guest}/external-ids", "guests:write"),
    ("DELETE", "/api/v1/guests/{guest}/external-ids/{external_id_row}", "guests:write"),
    ("GET", "/api/v1/guests/{guest}/preferences", "guests:read"),
    ("POST", "/api/v1/guests/{guest}/preferences", "guests:write"),
    ("GET", "/api/v1/guests/{guest}/preferences/{chain_preference}", "guests:read"),
    ("PATCH", "/api/v1/guests/{guest}/preferences/{chain_preference}", "guests:write"),
    ("POST", "/api/v1/guests/{guest}/preferences/{chain_preference}/confirm", "guests:write"),
    ("POST", "/api/v1/guests/{guest}/preferences/{chain_preference}/retire", "guests:write"),
    ("GET", "/api/v1/guests/{guest}/special-dates", "guests:read"),
    ("POST", "/api/v1/guests/{guest}/special-dates", "guests:write"),
    ("PATCH", "/api/v1/guests/{guest}/special-dates/{special_date}", "guests:write"),
    ("DELETE", "/api/v1/guests/{guest}/special-dates/{special_date}", "guests:write"),
    ("GET", "/api/v1/guests/match-reviews", "guests:merge"),
    ("POST", "/api/v1/guests/match-reviews/{match_review}/dismiss", "guests:merge"),
    ("POST", "/api/v1/guests/{guest}/merge", "guests:merge"),
    ("GET", "/api/v1/preference-categories", "guests:read"),
    ("POST", "/api/v1/preference-categories", "categories:admin"),
    ("PATCH", "/api/v1/preference-categories/{category}", "categories:admin"),
    ("GET", "/api/v1/properties", "properties:read"),
    ("POST", "/api/v1/properties", "properties:write"),
    ("GET", "/api/v1/properties/SHA", "properties:read"),
    ("PATCH", "/api/v1/properties/SHA", "properties:write"),
    ("GET", "/api/v1/staff", "staff:admin"),
    ("POST", "/api/v1/staff", "staff:admin"),
    ("GET", "/api/v1/staff/{staff}", "staff:admin"),
    ("PATCH", "/api/v1/staff/{staff}", "staff:admin"),
    ("GET", "/api/v1/api-clients", "clients:admin"),
    ("POST", "/api/v1/api-clients", "clients:admin"),
    ("GET", "/api/v1/api-clients/{api_client}", "clients:admin"),
    ("POST", "/api/v1/api-clients/{api_client}/revoke", "clients:admin"),
    ("GET", "/api/v1/audit", "audit:read"),
    ("PUT", "/api/v1/properties/SHA/stays/R-1", "stays:write"),
    ("GET", "/api/v1/stays", "stays:read"),
    ("GET", "/api/v1/stays/{stay}", "stays:read"),
    ("POST", "/api/v1/stays/{stay}/check-in", "stays:write"),
    ("POST", "/api/v1/stays/{stay}/check-out", "stays:write"),
    ("POST", "/api/v1/stays/{stay}/cancel", "stays:write"),
    ("POST", "/api/v1/stays/{stay}/no-show", "stays:write"),
    ("GET", "/api/v1/connections", "integrations:admin"),
    ("POST", "/api/v1/connections", "integrations:admin"),
    ("GET", "/api/v1/connections/{connection}", "integrations:admin"),
    ("PATCH", "/api/v1/connections/{connection}", "integrations:admin"),
    ("POST", "/api/v1/connections/{connection}/test", "integrations:admin"),
    ("POST", "/api/v1/connections/{connection}/import", "integrations:admin"),
    ("GET", "/api/v1/outbox", "integrations:admin"),
    ("POST", "/api/v1/outbox/{outbox_message}/retry", "integrations:admin"),
    ("GET", "/api/v1/alerts", "alerts:read"),
    ("GET", "/api/v1/alerts/{alert}", "alerts:read"),
    ("POST", "/api/v1/alerts/{alert}/acknowledge", "alerts:write"),
    ("GET", "/api/v1/alert-rules", "alerts:admin"),
    ("POST", "/api/v1/alert-rules", "alerts:admin"),
    ("GET", "/api/v1/alert-rules/{alert_rule}", "alerts:admin"),
    ("PATCH", "/api/v1/alert-rules/{alert_rule}", "alerts:admin"),
    ("GET", "/api/v1/tasks", "tasks:read"),
    ("POST", "/api/v1/tasks/{task}/done", "tasks:write"),
    ("POST", "/api/v1/tasks/{task}/undo", "tasks:write"),
    ("GET", "/api/v1/loyalty/tiers", "loyalty:read"),
    ("POST", "/api/v1/loyalty/tiers", "loyalty:admin"),
    ("GET", "/api/v1/loyalty/tiers/GOLD", "loyalty:read"),
    ("PATCH", "/api/v1/loyalty/tiers/GOLD", "loyalty:admin"),
    ("GET", "/api/v1/guests/{guest}/membership", "loyalty:read"),
    ("PUT", "/api/v1/guests/{guest}/membership", "loyalty:write"),
    ("GET", "/api/v1/guests/{guest}/points", "loyalty:read"),
    ("POST", "/api/v1/guests/{guest}/points", "loyalty:write"),
    ("GET", "/api/v1/openapi.json", PUBLIC),
]

PAGES = [
    ("GET", "/", SIGNED_IN),
    ("GET", "/account", SIGNED_IN),
    ("POST", "/account/language", SIGNED_IN),
    ("POST", "/account/password", SIGNED_IN),
    ("GET", "/guests", "guests:read"),
    ("GET", "/guests/new", "guests:write"),
    ("POST", "/guests/new", "guests:write"),
    ("GET", "/guests/{guest}", "guests:read"),
    # The profile's history: guests:write or audit:read, and every role with audit:read has guests:write.
    ("GET", "/guests/{guest}/history", "guests:write"),
    ("POST", "/guests/{guest}", "guests:write"),
    ("POST", "/guests/{guest}/external-ids", "guests:write"),
    ("GET", "/guests/{guest}/external-ids/{external_id_row}/remove", "guests:write"),
    ("POST", "/guests/{guest}/external-ids/{external_id_row}/remove", "guests:write"),
    ("POST", "/guests/{guest}/preferences", "guests:write"),
    ("POST", "/guests/{guest}/preferences/quick", "guests:write"),
    ("GET", "/guests/{guest}/preferences/{chain_preference}/edit", "guests:write"),
    ("POST", "/guests/{guest}/preferences/{chain_preference}/edit", "guests:write"),
    ("POST", "/guests/{guest}/preferences/{chain_preference}/confirm", "guests:write"),
    ("GET", "/guests/{guest}/preferences/{chain_preference}/retire", "guests:write"),
    ("POST", "/guests/{guest}/preferences/{chain_preference}/retire", "guests:write"),
    ("POST", "/guests/{guest}/special-dates", "guests:write"),
    ("GET", "/guests/{guest}/special-dates/{special_date}/edit", "guests:write"),
    ("POST", "/guests/{guest}/special-dates/{special_date}/edit", "guests:write"),
    ("GET", "/guests/{guest}/special-dates/{special_date}/delete", "guests:write"),
    ("POST", "/guests/{guest}/special-dates/{special_date}/delete", "guests:write"),
    ("GET", "/guests/duplicates", "guests:merge"),
    ("POST", "/guests/duplicates/{match_review}/dismiss", "guests:merge"),
    ("GET", "/guests/{guest}/merge", "guests:merge"),
    ("POST", "/guests/{guest}/merge", "guests:merge"),
    ("GET", "/admin/preference-categories", "categories:admin"),
    ("GET", "/admin/preference-categories/new", "categories:admin"),
    ("POST", "/admin/preference-categories/new", "categories:admin"),
    ("GET", "/admin/preference-categories/{category}/edit", "categories:admin"),
    ("POST", "/admin/preference-categories/{category}/edit", "categories:admin"),
    ("GET", "/admin/properties", "properties:write"),
    ("GET", "/admin/properties/new", "properties:write"),
    ("POST", "/admin/properties/new", "properties:write"),
    ("GET", "/admin/properties/SHA/edit", "properties:write"),
    ("POST", "/admin/properties/SHA/edit", "properties:write"),
    ("GET", "/admin/staff", "staff:admin"),
    ("GET", "/admin/staff/new", "staff:admin"),
    ("POST", "/admin/staff/new", "staff:admin"),
    ("GET", "/admin/staff/{staff}", "staff:admin"),
    ("POST", "/admin/staff/{staff}", "staff:admin"),
    ("GET", "/admin/api-clients", "clients:admin"),
    ("GET", "/admin/api-clients/new", "clients:admin"),
    ("POST", "/admin/api-clients/new", "clients:admin"),
    ("GET", "/admin/api-clients/{api_client}", "clients:admin"),
    ("GET", "/admin/api-clients/{api_client}/revoke", "clients:admin"),
    ("POST", "/admin/api-clients/{api_client}/revoke", "clients:admin"),
    ("GET", "/admin/integrations", "integrations:admin"),
    ("POST", "/admin/integrations/inbox/{inbox_message}/replay", "integrations:admin"),
    ("GET", "/admin/integrations/connections/new", "integrations:admin"),
    ("GET", "/admin/integrations/connections/new/{adapter}", "integrations:admin"),
    ("POST", "/admin/integrations/connections/new/{adapter}", "integrations:admin"),
    ("GET", "/admin/integrations/connections/{connection}", "integrations:admin"),
    ("POST", "/admin/integrations/connections/{connection}", "integrations:admin"),
    ("POST", "/admin/integrations/connections/{connection}/test", "integrations:admin"),
    ("GET", "/admin/integrations/connections/{connection}/import", "integrations:admin"),
    ("POST", "/admin/integrations/connections/{connection}/import", "integrations:admin"),
    ("POST", "/admin/integrations/outbox/{outbox_message}/retry", "integrations:admin"),
    ("GET", "/alerts", "alerts:read"),
    ("GET", "/alerts/stream", "alerts:read"),
    ("GET", "/alerts/{alert}", "alerts:read"),
    ("POST", "/alerts/{alert}/acknowledge", "alerts:write"),
    ("GET", "/admin/alert-rules", "alerts:admin"),
    ("GET", "/admin/alert-rules/new", "alerts:admin"),
    ("POST", "/admin/alert-rules/new", "alerts:admin"),
    ("GET", "/admin/alert-rules/{alert_rule}", "alerts:admin"),
    ("POST", "/admin/alert-rules/{alert_rule}", "alerts:admin"),
    ("GET", "/frontdesk", "arrivals:read"),
    ("GET", "/frontdesk/in-house", "arrivals:read"),
    ("GET", "/frontdesk/departures", "arrivals:read"),
    ("POST", "/frontdesk/stays/{stay}/check-in", "stays:write"),
    ("GET", "/tasks", "tasks:read"),
    ("POST", "/tasks/{task}/done", "tasks:write"),
    ("POST", "/tasks/{task}/undo", "tasks:write"),
    ("GET", "/admin/loyalty-tiers", "loyalty:admin"),
    ("GET", "/admin/loyalty-tiers/new", "loyalty:admin"),
    ("POST", "/admin/loyalty-tiers/new", "loyalty:admin"),
    ("GET", "/admin/loyalty-tiers/GOLD", "loyalty:admin"),
    ("POST", "/admin/loyalty-tiers/GOLD", "loyalty:admin"),
    ("POST", "/guests/{guest}/tier", "loyalty:write"),
    ("POST", "/guests/{guest}/points", "loyalty:write"),
    ("GET", "/audit", "audit:read"),
    ("GET", "/audit/guests/{guest}", "audit:read"),
    ("GET", "/api/docs", PUBLIC),
    ("GET", "/healthz", PUBLIC),
    ("GET", "/login", PUBLIC),
    ("POST", "/login", PUBLIC),
    ("POST", "/logout", PUBLIC),
]
# The inbound endpoint authenticates each sender with its connection's token and signature, not
# with a permission; tests/sync/test_inbound.py checks that.
NOT_ROUTES = {"/static/<path:filename>", "/inbound/<int:connection_id>/<token>"}

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


@dataclass
class World:
    ids: dict
    sha_only_text: str
    hgh_only_text: str
    hgh_preference: int


@pytest.fixture
def world(app, hotels, make_staff):
    """A guest with a chain-wide, a Shanghai-only and a Hangzhou-only preference, and the rest
    each endpoint needs to address."""
    shanghai, hangzhou = hotels
    guest = guest_service.create_guest(SYSTEM, {
        "given_name": "Wei", "family_name": "Li", "email": "li.wei@example.com",
        "external_ids": [{"system": "demo_pms", "external_id": "P-1"}],
    })
    chain = preference_service.add_preference(SYSTEM, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice"})
    preference_service.add_preference(SYSTEM, guest.id, {
        "category": "room", "value": "Bund view suite 1208", "property_code": "SHA"})
    hgh = preference_service.add_preference(SYSTEM, guest.id, {
        "category": "room", "value": "Lake view room 806", "property_code": "HGH"})
    special_date = guest_service.add_special_date(SYSTEM, guest.id, {"kind": "other", "date": "2020-05-01"})
    hgh_staff = make_staff("front_desk", properties=[hangzhou], email="hgh.desk@example.test")
    client, _key = auth_service.create_api_client(name="Hangzhou PMS", scopes=["guests:read"], properties=[hangzhou])
    db.session.commit()
    category = preference_service.list_categories(SYSTEM)[0]
    stay = stay_service.upsert_stay(SYSTEM, "SHA", "R-1", {
        "source_modified_at": datetime(2026, 11, 1, tzinfo=timezone.utc), "guest_id": guest.id,
        "arrival": date(2026, 12, 1), "departure": date(2026, 12, 3)}).stay
    ids = {
        "guest": guest.id,
        "external_id": "P-1",
        "external_id_row": guest.external_ids[0].id,
        "chain_preference": chain.id,
        "special_date": special_date.id,
        "category": category.id,
        "staff": hgh_staff.id,
        "api_client": client.id,
        "stay": stay.id,
        # No adapter is installed here: an admin gets 404 for it, anyone else 403.
        "connection": 1,
        # Built in and always installed (plugins/demo_pms).
        "adapter": "demo_pms",
        "inbox_message": 1,
        "outbox_message": 1,
        "match_review": 1,
        "alert": 1,
        "alert_rule": 1,
        "task": 1,
    }
    return World(ids, "Bund view suite 1208", "Lake view room 806", hgh.id)


def _routes(app, prefix_api: bool):
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_ROUTES or rule.rule.startswith("/api/v1/") != prefix_api:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method, rule.rule))
    return routes


def _as_rule(app, method, path):
    adapter = app.url_map.bind("localhost")
    # Any value that fits the placeholder finds the rule.
    endpoint, _args = adapter.match(path.format_map(defaultdict(lambda: 1)), method=method)
    return next(
        (method, rule.rule) for rule in app.url_map.iter_rules(endpoint) if method in rule.methods
    )


def test_every_route_is_in_the_matrix(app):
    listed_api = {_as_rule(app, method, path) for method, path, _ in API}
    listed_pages = {_as_rule(app, method, path) for method, path, _ in PAGES}
    assert _routes(app, prefix_api=True) - listed_api == set()
    assert _routes(app, prefix_api=False) - listed_pages == set()


def _granted_by_scope(scope: str) -> set:
    return {scope} | SCOPE_IMPLIES.get(scope, set())


def _send(client, method, url, headers=None):
    body = {} if method in {"POST", "PATCH"} else None
    return client.open(url, method=method, json=body, headers=headers or {})


@pytest.mark.parametrize("scope", SCOPES)
def test_each_api_endpoint_answers_a_single_scope_key_as_the_matrix_says(client, world, make_api_key, scope):
    headers = make_api_key(scope)
    granted = _granted_by_scope(scope)
    for method, path, needed in API:
        response = _send(client, method, path.format(**world.ids), headers)
        if needed == PUBLIC or needed in granted:
            assert response.status_code not in (401, 403), (scope, method, path, response.json)
        else:
            assert response.status_code == 403, (scope, method, path, response.status_code)
            assert response.is_json and response.json["message"]


def test_each_api_endpoint_refuses_a_call_without_a_valid_key(client, world):
    for method, path, needed in API:
        for headers in ({}, {"Authorization": "Bearer grl_00000000_not-a-key"}, {"Authorization": "Basic eDp5"}):
            response = _send(client, method, path.format(**world.ids), headers)
            if needed == PUBLIC:
                assert response.status_code == 200
            else:
                assert response.status_code == 401, (method, path, headers)
                assert response.is_json


@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_a_role_as_the_matrix_says(client, world, hotels, make_staff, login, role):
    shanghai, _hangzhou = hotels
    login(make_staff(role, properties=[shanghai]))
    granted = ROLE_PERMISSIONS[role]
    for method, path, needed in PAGES:
        if path in {"/logout", "/account/password", "/login"} and method == "POST":
            continue  # these end or change the session under test; covered in tests/auth
        response = client.open(path.format(**world.ids), method=method, data={})
        if needed in (PUBLIC, SIGNED_IN) or needed in granted:
            assert response.status_code not in (401, 403), (role, method, path)
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)


def test_each_page_sends_an_anonymous_visitor_to_sign_in(client, world):
    for method, path, needed in PAGES:
        response = client.open(path.format(**world.ids), method=method, data={})
        if needed == PUBLIC:
            assert response.status_code not in (401, 403), (method, path)
        else:
            assert response.status_code == 302, (method, path)
            assert "/login" in response.headers["Location"]


def test_a_shanghai_key_sees_nothing_of_hangzhou(client, world, hotels, make_api_key):
    shanghai, _hangzhou = hotels
    headers = make_api_key(*SCOPES, properties=[shanghai])
    guest = world.ids["guest"]

    preferences = client.get(f"/api/v1/guests/{guest}/preferences", headers=headers).json["items"]
    values = {p["value"] for p in preferences}
    assert world.sha_only_text in values and world.hgh_only_text not in values

    hgh_preference = f"/api/v1/guests/{guest}/preferences/{world.hgh_preference}"
    assert client.get(hgh_preference, headers=headers).status_code == 404
    assert client.patch(hgh_preference, json={"value": "x"}, headers={**headers, "If-Match": '"1"'}).status_code == 404
    assert client.post(f"{hgh_preference}/retire", headers=headers).status_code == 404
    created = client.post(f"/api/v1/guests/{guest}/preferences", headers=headers, json={
        "category": "room", "value": "High floor", "property_code": "HGH"})
    assert created.status_code == 403

    assert client.get("/api/v1/properties/HGH", headers=headers).status_code == 404
    assert [p["code"] for p in client.get("/api/v1/properties", headers=headers).json["items"]] == ["SHA"]
    assert client.get(f"/api/v1/staff/{world.ids['staff']}", headers=headers).status_code == 404
    assert world.ids["staff"] not in {s["id"] for s in client.get("/api/v1/staff", headers=headers).json["items"]}
    assert client.get(f"/api/v1/api-clients/{world.ids['api_client']}", headers=headers).status_code == 404

    trail = client.get(f"/api/v1/audit?guest_id={guest}", headers=headers).json["items"]
    assert trail, "the chain-wide entries of the guest are visible"
    assert world.hgh_only_text not in str(trail)


def test_a_shanghai_front_desk_page_shows_nothing_of_hangzhou(client, world, hotels, make_staff, login):
    shanghai, _hangzhou = hotels
    login(make_staff("front_desk", properties=[shanghai]))
    guest = world.ids["guest"]

    page = client.get(f"/guests/{guest}").text
    assert "Carrot juice" in page and world.sha_only_text in page
    assert world.hgh_only_text not in page
    assert client.get(f"/guests/{guest}/preferences/{world.hgh_preference}/edit").status_code == 404
    assert client.post(f"/guests/{guest}/preferences/{world.hgh_preference}/retire").status_code == 404
