"""The tasks page: a hotel's day by department, marking done in place or by form, housekeeping
without contact details, another hotel's tasks refused, CSRF."""
import re
from datetime import timedelta

from guestrel.auth.service import OPERATOR
from guestrel.properties import service as property_service
from guestrel.stays import service as stay_service
from tests.tasks.support import book, by_text, hotel_today, li_wei

JUICE = "Carrot juice — Large glass, in the fridge"
PILLOW = "Feather-free pillow"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_housekeeping_sees_the_days_tasks_by_department_without_contact_details(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("housekeeping", properties=[hotels[0]]))

    page = client.get("/tasks").text

    assert "Housekeeping" in page and "Food and beverage" in page and "Front desk" in page
    sections = [page.index(f"<h2>{name}") for name in ("Housekeeping", "Food and beverage", "Front desk")]
    assert sections[0] < page.index(PILLOW) < sections[1] < page.index("Carrot juice") < sections[2]
    assert "李伟" in page and "1208" in page and re.search(r"2:00\sPM", page)
    assert f'/guests/{stay.guest_id}"' in page
    assert "li.wei@example.com" not in page and "138 0013" not in page and "+8613800138000" not in page
    assert "Mark done" in page


def test_marking_done_by_form_comes_back_to_the_page_with_who_did_it(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    keeper = make_staff("housekeeping", properties=[hotels[0]])
    login(keeper)
    pillow = by_text(stay.id)[PILLOW]

    response = client.post(f"/tasks/{pillow.id}/done", data={"department": "housekeeping"}, follow_redirects=True)

    assert response.request.path == "/tasks"
    assert response.request.args["department"] == "housekeeping"
    assert f"Done: {PILLOW}." in response.text
    assert f"by {keeper.name} at" in response.text and "Undo" in response.text
    assert by_text(stay.id)[PILLOW].done_by_staff_id == keeper.id

    undone = client.post(f"/tasks/{pillow.id}/undo", follow_redirects=True)
    assert f"Open again: {PILLOW}." in undone.text
    assert by_text(stay.id)[PILLOW].done_at is None


def test_marking_done_in_place_answers_the_row_alone(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("front_desk", properties=[hotels[0]]))
    juice = by_text(stay.id)[JUICE]

    response = client.post(f"/tasks/{juice.id}/done", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.strip().startswith(f'<tr id="task-{juice.id}"') and "<html" not in response.text
    assert "Done" in response.text and "Undo" in response.text


def test_a_cancelled_task_is_shown_as_such_instead_of_done(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("front_desk", properties=[hotels[0]]))
    juice = by_text(stay.id)[JUICE]
    stay_service.cancel(OPERATOR, stay.id)

    in_place = client.post(f"/tasks/{juice.id}/done", headers={"HX-Request": "true"})
    by_form = client.post(f"/tasks/{juice.id}/done", follow_redirects=True)

    assert "Cancelled" in in_place.text and "Mark done" not in in_place.text
    assert "This task was cancelled" in by_form.text
    assert by_text(stay.id)[JUICE].done_at is None


def test_overdue_tasks_stand_out(client, hotels, make_staff, login):
    property_service.update_property(OPERATOR, "SHA", check_in_time="00:00")
    book(li_wei().id)
    login(make_staff("housekeeping", properties=[hotels[0]]))

    page = client.get("/tasks?status=overdue").text

    assert page.count('class="task-overdue"') == 2 and page.count("badge-overdue") == 2


def test_another_day_and_a_bad_date(client, hotels, make_staff, login):
    guest = li_wei()
    book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2", room="806")
    login(make_staff("housekeeping", properties=[hotels[0]]))

    today = client.get("/tasks").text
    tomorrow = client.get(f"/tasks?date={(hotel_today() + timedelta(days=1)).isoformat()}").text
    bad = client.get("/tasks?date=someday")
    too_early, too_late = client.get("/tasks?date=0001-01-01"), client.get("/tasks?date=9999-12-31")

    assert "806" not in today and "Nothing to prepare." in today
    assert "806" in tomorrow
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text
    assert [too_early.status_code, too_late.status_code] == [422, 422]
    assert "Enter a date between 1900-01-01 and 9998-12-31." in too_late.text


def test_staff_of_another_hotel_get_neither_its_page_nor_its_tasks(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("housekeeping", properties=[hotels[1]]))
    juice = by_text(stay.id)[JUICE]

    own = client.get("/tasks").text

    assert client.get("/tasks?property=SHA").status_code == 404
    assert client.post(f"/tasks/{juice.id}/done").status_code == 404
    assert "李伟" not in own and "Hangzhou West Lake" in own
    assert by_text(stay.id)[JUICE].done_at is None


def test_staff_of_several_hotels_pick_one(client, hotels, make_staff, login):
    book(li_wei().id)
    login(make_staff("front_desk", properties=list(hotels)))

    first = client.get("/tasks").text
    shanghai = client.get("/tasks?property=SHA").text

    assert '<select name="property"' in first
    assert "李伟" not in first  # Hangzhou comes first by code
    assert "李伟" in shanghai


def test_marketing_has_no_tasks_page(client, hotels, make_staff, login):
    login(make_staff("marketing", properties=[hotels[0]]))

    assert client.get("/tasks").status_code == 403
    assert 'href="/tasks"' not in client.get("/guests").text


def test_the_done_form_needs_its_csrf_token(make_app, hotels, make_staff):
    stay = book(li_wei().id)
    task_id = by_text(stay.id)[PILLOW].id
    keeper = make_staff("housekeeping", properties=[hotels[0]])
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").text
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": keeper.email, "password": "correct horse battery staple", "csrf_token": token})

    refused = client.post(f"/tasks/{task_id}/done")
    done_before = by_text(stay.id)[PILLOW].done_at
    form_token = TOKEN.search(client.get("/tasks").text).group(1)
    accepted = client.post(f"/tasks/{task_id}/done", data={"csrf_token": form_token})

    assert refused.status_code == 400 and "Your form expired" in refused.text
    assert done_before is None
    assert accepted.status_code == 302
    assert by_text(stay.id)[PILLOW].done_at is not None
