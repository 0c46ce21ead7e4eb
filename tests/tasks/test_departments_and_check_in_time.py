"""Who prepares each category's preferences, and when a hotel's rooms are ready: the two settings
pre-arrival tasks are planned from, in the API and on the admin pages."""
import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests.models import PreferenceCategory
from guestrel.properties.models import Property
from tests.tasks.support import book, hotel_today, li_wei, shanghai_time, tasks


def category(code) -> PreferenceCategory:
    db.session.expire_all()
    return db.session.scalar(sa.select(PreferenceCategory).where(PreferenceCategory.code == code))


def test_the_default_categories_go_to_the_department_that_prepares_them(app):
    departments = {c.code: c.department for c in preference_service.list_categories(OPERATOR)}

    assert departments == {
        "food_and_drink": "food_and_beverage", "dietary_and_allergy": "food_and_beverage",
        "room": "housekeeping", "bed_and_pillow": "housekeeping", "floor_and_view": "housekeeping",
        "temperature": "housekeeping", "amenities": "housekeeping",
        "service": "front_desk", "communication": "front_desk", "other": "front_desk",
    }


def test_categories_take_a_department_through_the_api(client, make_api_key):
    admin = make_api_key("categories:admin", "guests:read")

    created = client.post("/api/v1/preference-categories", json={"code": "minibar", "name": "Minibar",
                                                                  "department": "food_and_beverage"}, headers=admin)
    plain = client.post("/api/v1/preference-categories", json={"code": "newspaper", "name": "Newspaper"},
                        headers=admin)
    moved = client.patch(f"/api/v1/preference-categories/{category('room').id}", json={"department": "front_desk"},
                         headers=admin)
    refused = client.patch(f"/api/v1/preference-categories/{category('room').id}", json={"department": "spa"},
                           headers=admin)

    assert created.status_code == 201 and created.json["department"] == "food_and_beverage"
    assert plain.json["department"] == "front_desk"
    assert moved.status_code == 200 and category("room").department == "front_desk"
    assert refused.status_code == 422 and "department" in refused.json["errors"]["json"]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "preference_category",
                                                          AuditEntry.action == "update"))
    assert entry.changes == {"department": ["housekeeping", "front_desk"]}


def test_an_admin_gives_a_category_to_another_department_on_its_page(client, hotels, make_staff, login):
    login(make_staff("admin"))
    room = category("room")

    form = client.get(f"/admin/preference-categories/{room.id}/edit").text
    saved = client.post(f"/admin/preference-categories/{room.id}/edit",
                        data={"sort_order": "20", "active": "y", "department": "front_desk"}, follow_redirects=True)
    refused = client.post(f"/admin/preference-categories/{room.id}/edit",
                          data={"sort_order": "20", "active": "y", "department": "spa"})

    assert "Prepared by" in form and '<option selected value="housekeeping">Housekeeping</option>' in form
    assert saved.status_code == 200 and "Prepared by" in saved.text
    assert category("room").department == "front_desk"
    assert refused.status_code == 200 and "Not a valid choice" in refused.text


def test_a_hotels_check_in_time_through_the_api(client, hotels, make_api_key):
    headers = make_api_key("properties:read", "properties:write")

    read = client.get("/api/v1/properties/SHA", headers=headers)
    changed = client.patch("/api/v1/properties/SHA", json={"check_in_time": "15:30"}, headers=headers)
    created = client.post("/api/v1/properties", headers=headers, json={
        "code": "CTU", "name": "Chengdu", "timezone": "Asia/Shanghai", "currency": "CNY", "check_in_time": "12:00"})

    assert read.json["check_in_time"] == "14:00"
    assert changed.status_code == 200 and changed.json["check_in_time"] == "15:30"
    assert created.status_code == 201 and created.json["check_in_time"] == "12:00"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "property",
                                                          AuditEntry.action == "update"))
    assert entry.changes == {"check_in_time": ["14:00", "15:30"]}


@pytest.mark.parametrize("value", ["25:00", "14h", "", "2pm", "14:00:00:00"])
def test_a_check_in_time_that_is_no_time_of_day_is_refused(client, hotels, make_api_key, value):
    response = client.patch("/api/v1/properties/SHA", json={"check_in_time": value},
                            headers=make_api_key("properties:write"))

    assert response.status_code == 422
    assert response.json["errors"]["json"]["check_in_time"] == [
        "Enter the check-in time as hours and minutes, e.g. 14:00."]
    db.session.expire_all()
    assert db.session.scalar(sa.select(Property.check_in_time).where(Property.code == "SHA")).hour == 14


def test_an_admin_sets_the_check_in_time_on_the_hotels_page(client, hotels, make_staff, login):
    login(make_staff("admin"))
    hotel = {"name": "Shanghai Bund", "timezone": "Asia/Shanghai", "currency": "CNY"}

    form = client.get("/admin/properties/SHA/edit").text
    client.post("/admin/properties/SHA/edit", data={**hotel, "check_in_time": "15:00"})
    kept = client.post("/admin/properties/SHA/edit", data={**hotel, "check_in_time": ""}, follow_redirects=True)
    stay = book(li_wei().id)

    assert 'type="time"' in form and 'value="14:00"' in form
    assert "15:00" in kept.text
    assert {task.due_at for task in tasks(stay.id)} == {shanghai_time(hotel_today(), 15)}
