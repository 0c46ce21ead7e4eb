"""The pre-arrival tasks API: a hotel's day of tasks with filters, marking done and undoing,
refusals, property scoping and the OpenAPI document."""
from datetime import timedelta

from guestrel.auth.service import OPERATOR
from guestrel.stays import service as stay_service
from tests.tasks.support import book, by_text, hotel_today, li_wei

JUICE = "Carrot juice — Large glass, in the fridge"
PILLOW = "Feather-free pillow"


def test_a_pms_reads_the_days_tasks_of_its_hotel_without_contact_details(client, hotels, make_api_key):
    stay = book(li_wei().id)
    headers = make_api_key("tasks:read", properties=[hotels[0]])

    response = client.get("/api/v1/tasks?property=SHA", headers=headers)

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["property_code"], body["date"]) == ("SHA", hotel_today().isoformat())
    pillow, juice = body["items"]
    assert juice["text"] == JUICE and juice["department"] == "food_and_beverage"
    assert juice["department_label"] == "Food and beverage"
    assert (juice["guest_name"], juice["guest_id"], juice["room_number"], juice["stay_id"]) == (
        "李伟", stay.guest_id, "1208", stay.id)
    assert juice["status"] in ("open", "overdue") and juice["done_at"] is None
    assert pillow["department"] == "housekeeping"
    assert "li.wei@example.com" not in response.text and "138" not in response.text


def test_filters_by_day_department_and_status(client, hotels, make_api_key):
    guest = li_wei()
    today = book(guest.id, pms_id="R-1")
    tomorrow = book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2")
    headers = make_api_key("tasks:write")
    pillow = by_text(today.id)[PILLOW]
    client.post(f"/api/v1/tasks/{pillow.id}/done", headers=headers)

    day = client.get(f"/api/v1/tasks?property=SHA&date={tomorrow.arrival.isoformat()}", headers=headers).json
    kitchen = client.get("/api/v1/tasks?property=SHA&department=food_and_beverage", headers=headers).json
    done = client.get("/api/v1/tasks?property=SHA&status=done", headers=headers).json

    assert {item["stay_id"] for item in day["items"]} == {tomorrow.id}
    assert [item["text"] for item in kitchen["items"]] == [JUICE]
    assert [item["id"] for item in done["items"]] == [pillow.id]


def test_marking_done_and_undoing_answers_the_task(client, hotels, make_api_key):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    headers = make_api_key("tasks:write", name="Housekeeping app")

    done = client.post(f"/api/v1/tasks/{juice.id}/done", headers=headers)
    undone = client.post(f"/api/v1/tasks/{juice.id}/undo", headers=headers)

    assert done.status_code == 200, done.json
    assert (done.json["status"], done.json["done_by"]) == ("done", "Housekeeping app")
    assert done.json["done_at"] is not None
    assert undone.status_code == 200 and undone.json["done_at"] is None and undone.json["done_by"] is None
    assert by_text(stay.id)[JUICE].done_by_client_id is None


def test_refusals_are_clear(client, hotels, make_api_key):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    headers = make_api_key("tasks:write")
    stay_service.cancel(OPERATOR, stay.id)

    cancelled = client.post(f"/api/v1/tasks/{juice.id}/done", headers=headers)
    missing = client.post("/api/v1/tasks/999999/done", headers=headers)
    no_hotel = client.get("/api/v1/tasks", headers=headers)
    bad_date = client.get("/api/v1/tasks?property=SHA&date=tomorrow", headers=headers)
    out_of_range = client.get("/api/v1/tasks?property=SHA&date=9999-12-31", headers=headers)
    bad_department = client.get("/api/v1/tasks?property=SHA&department=spa", headers=headers)
    unknown = client.get("/api/v1/tasks?property=SHA&room=1208", headers=headers)
    no_such_hotel = client.get("/api/v1/tasks?property=XXX", headers=headers)

    assert cancelled.status_code == 409 and "cancelled" in cancelled.json["message"]
    assert missing.status_code == 404 and missing.json["message"]
    assert no_hotel.status_code == 422 and "property" in no_hotel.json["errors"]["query"]
    assert bad_date.status_code == 422 and "date" in bad_date.json["errors"]["query"]
    assert out_of_range.status_code == 422 and "date" in out_of_range.json["errors"]["query"]
    assert bad_department.status_code == 422 and "department" in bad_department.json["errors"]["query"]
    assert unknown.status_code == 422 and "room" in unknown.json["errors"]["query"]
    assert no_such_hotel.status_code == 404


def test_a_client_of_another_hotel_sees_and_changes_nothing(client, hotels, make_api_key):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    headers = make_api_key("tasks:write", properties=[hotels[1]])

    assert client.get("/api/v1/tasks?property=SHA", headers=headers).status_code == 404
    assert client.post(f"/api/v1/tasks/{juice.id}/done", headers=headers).status_code == 404
    assert client.get("/api/v1/tasks?property=HGH", headers=headers).json["items"] == []
    assert by_text(stay.id)[JUICE].done_at is None


def test_a_reader_may_not_mark_done(client, hotels, make_api_key):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]

    response = client.post(f"/api/v1/tasks/{juice.id}/done", headers=make_api_key("tasks:read"))

    assert response.status_code == 403 and "tasks:write" in response.json["message"]


def test_the_openapi_document_describes_the_tasks_endpoints(client):
    document = client.get("/api/v1/openapi.json").json

    paths = document["paths"]
    assert {"/api/v1/tasks", "/api/v1/tasks/{task_id}/done", "/api/v1/tasks/{task_id}/undo"} <= set(paths)
    listing = paths["/api/v1/tasks"]["get"]
    assert {parameter["name"] for parameter in listing["parameters"]} >= {"property", "date", "department", "status"}
    assert "409" in paths["/api/v1/tasks/{task_id}/done"]["post"]["responses"]
