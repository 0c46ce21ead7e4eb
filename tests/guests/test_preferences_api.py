"""Preferences through the REST API: the carrot juice in the fridge, allergies, hotel scope,
optimistic concurrency, confirming and retiring."""
import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.guests.models import Preference


@pytest.fixture
def chain_pms(make_api_key):
    return make_api_key("guests:write", name="Opera PMS")


@pytest.fixture
def guest_id(client, chain_pms):
    response = client.post("/api/v1/guests", json={"given_name": "Wei", "family_name": "Zhang"}, headers=chain_pms)
    return response.get_json()["id"]


def add(client, headers, guest_id, **body):
    body.setdefault("category", "food_and_drink")
    body.setdefault("value", "Carrot juice")
    return client.post(f"/api/v1/guests/{guest_id}/preferences", json=body, headers=headers)


def preference_count():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Preference))


def test_carrot_juice_recorded_once_is_shown_to_every_hotel_of_the_chain(client, hotels, make_api_key, chain_pms, guest_id):
    shanghai, hangzhou = hotels
    created = add(client, chain_pms, guest_id, detail="A large glass, in the fridge before arrival",
                  alert_at_check_in=True, prepare_before_arrival=True)
    assert created.status_code == 201, created.get_json()
    assert created.headers["ETag"] == '"1"'
    hangzhou_pms = make_api_key("guests:read", properties=[hangzhou], name="Hangzhou PMS")

    listed = client.get(f"/api/v1/guests/{guest_id}/preferences", headers=hangzhou_pms)

    assert listed.status_code == 200
    [preference] = listed.get_json()["items"]
    assert preference == {
        "id": created.get_json()["id"],
        "category": "food_and_drink",
        "category_label": "Food and drink",
        "value": "Carrot juice",
        "detail": "A large glass, in the fridge before arrival",
        "property_code": None,
        "source": "pms",
        "alert_at_check_in": True,
        "prepare_before_arrival": True,
        "priority": "normal",
        "recorded_by": {"type": "api_client", "name": "Opera PMS"},
        "recorded_at": preference["recorded_at"],
        "last_confirmed_at": None,
        "retired_at": None,
        "version": 1,
    }
    stored = db.session.get(Preference, preference["id"])
    assert stored.property_id is None and stored.recorded_by_client_id is not None and stored.recorded_by_staff_id is None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "preference"))
    assert (entry.action, entry.guest_id, entry.property_id) == ("create", guest_id, None)
    assert entry.changes["value"] == [None, "Carrot juice"]


@pytest.mark.parametrize("priority", ["low", "normal", "high"])
def test_a_preference_in_an_allergy_category_is_always_critical(client, chain_pms, guest_id, priority):
    created = add(client, chain_pms, guest_id, category="dietary_and_allergy", value="Peanuts", priority=priority)
    assert created.status_code == 201
    assert created.get_json()["priority"] == "critical"

    lowered = client.patch(f"/api/v1/guests/{guest_id}/preferences/{created.get_json()['id']}",
                           json={"priority": "low"}, headers={**chain_pms, "If-Match": created.headers["ETag"]})

    assert lowered.status_code == 200
    assert db.session.get(Preference, created.get_json()["id"]).priority == "critical"


def test_a_hotel_preference_is_invisible_to_a_client_of_another_hotel(client, hotels, make_api_key, guest_id):
    shanghai, hangzhou = hotels
    shanghai_pms = make_api_key("guests:write", properties=[shanghai], name="Shanghai PMS")
    hangzhou_pms = make_api_key("guests:write", properties=[hangzhou], name="Hangzhou PMS")
    created = add(client, shanghai_pms, guest_id, value="Room facing the Bund", category="floor_and_view",
                  property_code="sha")
    assert created.status_code == 201
    assert created.get_json()["property_code"] == "SHA"
    url = f"/api/v1/guests/{guest_id}/preferences/{created.get_json()['id']}"

    assert client.get(f"/api/v1/guests/{guest_id}/preferences", headers=hangzhou_pms).get_json()["items"] == []
    assert client.get(url, headers=hangzhou_pms).status_code == 404
    assert client.post(f"{url}/retire", headers=hangzhou_pms).status_code == 404
    assert client.get(url, headers=shanghai_pms).status_code == 200
    assert db.session.scalar(sa.select(AuditEntry.property_id).where(AuditEntry.entity_type == "preference")) == shanghai.id


def test_recording_a_preference_for_a_hotel_not_covered_is_forbidden_and_writes_nothing(client, hotels, make_api_key, guest_id):
    shanghai, hangzhou = hotels
    hangzhou_pms = make_api_key("guests:write", properties=[hangzhou], name="Hangzhou PMS")

    response = add(client, hangzhou_pms, guest_id, property_code="SHA")

    assert response.status_code == 403
    assert response.get_json()["message"]
    assert preference_count() == 0


def test_an_unknown_hotel_code_is_refused_on_its_field(client, hotels, chain_pms, guest_id):
    response = add(client, chain_pms, guest_id, property_code="XXX")
    assert response.status_code == 422
    assert "property_code" in response.get_json()["errors"]["json"]
    assert preference_count() == 0


def test_preference_patch_needs_the_current_version(client, chain_pms, guest_id):
    created = add(client, chain_pms, guest_id)
    url = f"/api/v1/guests/{guest_id}/preferences/{created.get_json()['id']}"

    missing = client.patch(url, json={"detail": "Cold"}, headers=chain_pms)
    first = client.patch(url, json={"detail": "Cold"}, headers={**chain_pms, "If-Match": '"1"'})
    stale = client.patch(url, json={"detail": "Warm"}, headers={**chain_pms, "If-Match": '"1"'})

    assert missing.status_code == 428
    assert "Send If-Match with the ETag you read" in missing.get_json()["message"]
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    assert stale.status_code == 412
    assert "changed by someone else" in stale.get_json()["message"]
    assert db.session.get(Preference, created.get_json()["id"]).detail == "Cold"


def test_confirming_sets_the_date_and_retiring_keeps_the_preference_in_history(client, chain_pms, guest_id):
    created = add(client, chain_pms, guest_id).get_json()
    url = f"/api/v1/guests/{guest_id}/preferences/{created['id']}"

    confirmed = client.post(f"{url}/confirm", headers=chain_pms)
    retired = client.post(f"{url}/retire", headers=chain_pms)

    assert confirmed.status_code == 200 and confirmed.get_json()["last_confirmed_at"]
    assert retired.status_code == 200 and retired.get_json()["retired_at"]
    assert client.get(f"/api/v1/guests/{guest_id}/preferences", headers=chain_pms).get_json()["items"] == []
    history = client.get(f"/api/v1/guests/{guest_id}/preferences?include_retired=true", headers=chain_pms)
    assert [p["id"] for p in history.get_json()["items"]] == [created["id"]]
    stored = db.session.get(Preference, created["id"])
    assert stored.retired_at is not None and stored.last_confirmed_at is not None
    retire_entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "retire"))
    assert retire_entry.entity_id == created["id"]
    assert retire_entry.changes == {"retired_at": [None, stored.retired_at.isoformat()]}
    assert client.post(f"{url}/confirm", headers=chain_pms).status_code == 422


def test_an_unknown_or_inactive_category_is_refused(client, make_api_key, chain_pms, guest_id):
    admin = make_api_key("categories:admin", "guests:read")
    other = client.get("/api/v1/preference-categories", headers=admin).get_json()["items"][-1]
    client.patch(f"/api/v1/preference-categories/{other['id']}", json={"active": False}, headers=admin)

    unknown = add(client, chain_pms, guest_id, category="newspapers")
    inactive = add(client, chain_pms, guest_id, category="other")

    assert unknown.status_code == 422 and "category" in unknown.get_json()["errors"]["json"]
    assert inactive.status_code == 422
    assert preference_count() == 0


def test_default_categories_are_listed_in_order_and_allergy_is_marked(client, make_api_key):
    reader = make_api_key("guests:read")
    items = client.get("/api/v1/preference-categories", headers=reader).get_json()["items"]
    assert [c["code"] for c in items] == [
        "food_and_drink", "room", "bed_and_pillow", "floor_and_view", "temperature", "amenities",
        "dietary_and_allergy", "service", "communication", "other",
    ]
    assert [c["code"] for c in items if c["is_allergy"]] == ["dietary_and_allergy"]
    assert items[0]["label"] == "Food and drink"


def test_categories_are_added_deactivated_and_guarded_by_their_scope(client, make_api_key, chain_pms):
    admin = make_api_key("categories:admin", "guests:read")

    forbidden = client.post("/api/v1/preference-categories", json={"code": "newspaper", "name": "Newspaper"},
                            headers=chain_pms)
    created = client.post("/api/v1/preference-categories", json={"code": "newspaper", "name": "Newspaper",
                                                                  "sort_order": 15}, headers=admin)
    duplicate = client.post("/api/v1/preference-categories", json={"code": "newspaper", "name": "Papers"},
                            headers=admin)
    deactivated = client.patch(f"/api/v1/preference-categories/{created.get_json()['id']}",
                               json={"active": False}, headers=admin)

    assert forbidden.status_code == 403
    assert created.status_code == 201
    assert created.get_json() == {"id": created.get_json()["id"], "code": "newspaper", "name": "Newspaper",
                                  "label": "Newspaper", "sort_order": 15, "is_allergy": False, "active": True,
                                  "department": "front_desk"}
    assert duplicate.status_code == 409
    assert deactivated.status_code == 200 and deactivated.get_json()["active"] is False
    listed = client.get("/api/v1/preference-categories", headers=admin).get_json()["items"]
    assert "newspaper" not in [c["code"] for c in listed]
    everything = client.get("/api/v1/preference-categories?include_inactive=true", headers=admin).get_json()["items"]
    assert "newspaper" in [c["code"] for c in everything]


def test_a_default_category_keeps_its_name(client, make_api_key):
    admin = make_api_key("categories:admin", "guests:read")
    room = client.get("/api/v1/preference-categories", headers=admin).get_json()["items"][1]
    response = client.patch(f"/api/v1/preference-categories/{room['id']}", json={"name": "Rooms"}, headers=admin)
    assert response.status_code == 422
    assert "name" in response.get_json()["errors"]["json"]


def test_making_a_category_an_allergy_one_makes_its_preferences_critical(client, make_api_key, chain_pms, guest_id):
    admin = make_api_key("categories:admin", "guests:read")
    category = client.post("/api/v1/preference-categories", json={"code": "fabrics", "name": "Fabrics"},
                           headers=admin).get_json()
    preference = add(client, chain_pms, guest_id, category="fabrics", value="No wool blankets").get_json()
    assert preference["priority"] == "normal"

    client.patch(f"/api/v1/preference-categories/{category['id']}", json={"is_allergy": True}, headers=admin)

    stored = db.session.get(Preference, preference["id"])
    db.session.refresh(stored)
    assert (stored.priority, stored.version) == ("critical", 2)


def test_special_dates_are_added_changed_and_deleted(client, chain_pms, guest_id):
    url = f"/api/v1/guests/{guest_id}/special-dates"

    created = client.post(url, json={"kind": "anniversary", "date": "2010-06-12", "label": "Wedding"}, headers=chain_pms)
    future_birthday = client.post(url, json={"kind": "birthday", "date": "2999-01-01"}, headers=chain_pms)
    planned = client.post(url, json={"kind": "other", "date": "2999-01-01", "label": "Golden wedding"}, headers=chain_pms)

    assert created.status_code == 201
    assert future_birthday.status_code == 422 and "date" in future_birthday.get_json()["errors"]["json"]
    assert planned.status_code == 201
    date_id = created.get_json()["id"]
    changed = client.patch(f"{url}/{date_id}", json={"label": "Wedding day"}, headers=chain_pms)
    assert changed.status_code == 200 and changed.get_json()["label"] == "Wedding day"
    assert [d["kind"] for d in client.get(url, headers=chain_pms).get_json()["items"]] == ["anniversary", "other"]
    assert client.delete(f"{url}/{date_id}", headers=chain_pms).status_code == 204
    assert [d["kind"] for d in client.get(url, headers=chain_pms).get_json()["items"]] == ["other"]
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.entity_type == "special_date")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["create", "create", "update", "delete"]
