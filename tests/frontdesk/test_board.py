"""The front desk's boards: who arrives today with what to prepare and know, who is in house and
who leaves; checking a guest in from the board; what housekeeping and other hotels see; a fixed
number of queries however many guests arrive."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from guestrel.alerts.models import CheckInAlert
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.properties import service as property_service
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay
from guestrel.tasks import service as task_service
from tests.loyalty.support import chain_tiers, place
from tests.statements import counted
from tests.tasks.support import book, by_text, hotel_today, li_wei

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def tomorrow() -> date:
    """An arrival day whose tasks are not due yet, whatever the time of day the tests run."""
    return hotel_today() + timedelta(days=1)


def tomorrows_board() -> str:
    return f"/frontdesk?property=SHA&date={tomorrow().isoformat()}"


def birthday_on(day: date) -> date:
    return date(1975, day.month, day.day) if (day.month, day.day) != (2, 29) else date(1976, 2, 29)


def regular_guest(arrival=None):
    """Li Wei, arriving at Shanghai (tomorrow unless told) for his third stay in the chain, on his
    birthday."""
    arrival = arrival or tomorrow()
    guest = li_wei(birthday=birthday_on(arrival))
    for number, hotel in enumerate(("HGH", "SHA"), start=1):
        earlier = book(guest.id, hotel_today() - timedelta(days=100 * number), pms_id=f"OLD-{number}",
                       property_code=hotel)
        stay_service.check_in(OPERATOR, earlier.id)
        stay_service.check_out(OPERATOR, earlier.id)
    return guest, book(guest.id, arrival)


def row_of(page: str, stay_id: int) -> str:
    start = page.index(f'data-stay-id="{stay_id}"')
    return page[start:page.index("</tr>", start)]


def test_the_arrivals_board_shows_who_arrives_with_what_to_prepare_and_know(client, hotels, make_staff, login):
    guest, stay = regular_guest()
    anonymous = book(None, tomorrow(), pms_id="R-9", room=None)
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get(tomorrows_board()).text

    row = row_of(page, stay.id)
    assert f'href="/guests/{guest.id}"' in row and "李伟" in row
    assert "VIP GOLD" in row and "Member GR-1208" in row and "1208" in row
    assert "Stay 3" in row
    assert "Allergy: Peanuts" in row
    assert "Prepare: Carrot juice" in row and "Prepare: Feather-free pillow" in row
    assert "Birthday" in row
    assert "li.wei@example.com" in row
    assert "High floor" not in row
    assert "Guest not linked to a profile yet" in row_of(page, anonymous.id)
    assert "not assigned yet" in row_of(page, anonymous.id)
    assert "Arrivals" in page and "Shanghai Bund" in page


def test_a_first_stay_is_told_as_such(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("front_desk", properties=[hotels[0]]))

    assert "First stay" in row_of(client.get("/frontdesk").text, stay.id)


def test_done_tasks_are_ticked_and_overdue_ones_stand_out(client, hotels, make_staff, login):
    property_service.update_property(OPERATOR, "SHA", check_in_time="00:00")
    stay = book(li_wei().id)
    task_service.mark_done(OPERATOR, by_text(stay.id)["Feather-free pillow"].id)
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get("/frontdesk").text

    row = row_of(page, stay.id)
    assert "✓ Feather-free pillow" in row and "badge-done" in row
    assert "Overdue: Carrot juice" in row and "badge-overdue" in row
    assert 'class="row-overdue"' in page[page.rindex("<tr", 0, page.index(f'data-stay-id="{stay.id}"')):]
    assert "1 pre-arrival task is overdue." in page
    assert "/tasks?property=SHA" in page and "status=overdue" in page


def test_housekeeping_gets_the_board_without_contact_details_or_check_in(client, hotels, make_staff, login):
    guest, stay = regular_guest()
    login(make_staff("housekeeping", properties=[hotels[0]]))

    page = client.get(tomorrows_board()).text

    row = row_of(page, stay.id)
    assert "李伟" in row and "1208" in row and "Prepare: Carrot juice" in row and "Allergy: Peanuts" in row
    assert "li.wei@example.com" not in page and "138" not in row and "+8613800138000" not in page
    assert "Birthday" not in row
    assert "Check in" not in page
    assert client.post(f"/frontdesk/stays/{stay.id}/check-in").status_code == 403
    assert db.session.get(Stay, stay.id, populate_existing=True).status == "booked"


def test_in_house_and_departures(client, hotels, make_staff, login):
    guest = li_wei()
    leaving = book(guest.id, hotel_today() - timedelta(days=2), pms_id="R-1", room="801", nights=2)
    staying = book(guest.id, hotel_today() - timedelta(days=1), pms_id="R-2", room="802", nights=3)
    for stay in (leaving, staying):
        stay_service.check_in(OPERATOR, stay.id)
    login(make_staff("front_desk", properties=[hotels[0]]))

    in_house = client.get("/frontdesk/in-house").text
    departures = client.get("/frontdesk/departures").text
    arrivals = client.get("/frontdesk").text

    assert "801" in in_house and "802" in in_house
    assert "801" in departures and "802" not in departures
    assert "No arrivals expected." in arrivals
    assert "Check in" not in in_house
    assert re.search(r"In house <span class=\"badge\">2</span>", arrivals)
    assert re.search(r"Departures <span class=\"badge\">1</span>", arrivals)


def test_another_day_and_a_bad_date(client, hotels, make_staff, login):
    tomorrow = hotel_today() + timedelta(days=1)
    stay = book(li_wei().id, tomorrow, room="806")
    login(make_staff("front_desk", properties=[hotels[0]]))

    today = client.get("/frontdesk").text
    later = client.get(f"/frontdesk?property=SHA&date={tomorrow.isoformat()}").text
    bad = client.get("/frontdesk?date=31-12-2026")

    assert "806" not in today
    assert "806" in row_of(later, stay.id) and "Check in" not in later and ">Today</a>" in later
    assert bad.status_code == 422 and "Enter a date as YYYY-MM-DD." in bad.text


def test_staff_of_another_hotel_cannot_open_its_board(client, hotels, make_staff, login):
    book(li_wei().id)
    login(make_staff("front_desk", properties=[hotels[1]]))

    own = client.get("/frontdesk").text

    assert client.get("/frontdesk?property=SHA").status_code == 404
    assert client.get("/frontdesk/in-house?property=SHA").status_code == 404
    assert "李伟" not in own and "Hangzhou West Lake" in own
    assert '<select name="property"' not in own


def test_staff_of_several_hotels_pick_one(client, hotels, make_staff, login):
    book(li_wei().id)
    login(make_staff("manager", properties=list(hotels)))

    first = client.get("/frontdesk").text
    shanghai = client.get("/frontdesk?property=sha").text

    assert '<select name="property"' in first and "李伟" not in first
    assert "李伟" in shanghai


def test_checking_in_from_the_board_raises_the_alert_and_keeps_the_tasks(client, hotels, make_staff, login):
    guest, stay = regular_guest(hotel_today())
    task_service.mark_done(OPERATOR, by_text(stay.id)["Feather-free pillow"].id)
    login(make_staff("front_desk", properties=[hotels[0]]))
    assert "Check in" in row_of(client.get("/frontdesk").text, stay.id)

    response = client.post(f"/frontdesk/stays/{stay.id}/check-in")
    board = client.get(response.headers["Location"]).text

    assert response.status_code == 302
    assert response.headers["Location"] == f"/frontdesk?property=SHA&date={hotel_today().isoformat()}"
    assert "李伟 is checked in, room 1208." in board
    assert f'data-stay-id="{stay.id}"' not in board
    db.session.expire_all()
    assert db.session.get(Stay, stay.id).status == "in_house"
    assert db.session.scalar(sa.select(sa.func.count()).where(CheckInAlert.stay_id == stay.id)) == 1
    kept = by_text(stay.id)
    assert len(kept) == 2 and kept["Feather-free pillow"].done_at is not None
    assert all(task.cancelled_at is None for task in kept.values())
    assert f'data-stay-id="{stay.id}"' in client.get("/frontdesk/in-house").text


def test_a_stay_that_cannot_check_in_is_told_on_the_board(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    stay_service.cancel(OPERATOR, stay.id)
    login(make_staff("front_desk", properties=[hotels[0]]))

    response = client.post(f"/frontdesk/stays/{stay.id}/check-in", follow_redirects=True)

    assert response.request.path == "/frontdesk"
    assert "A stay that is cancelled cannot be changed this way." in response.text
    assert db.session.get(Stay, stay.id, populate_existing=True).status == "cancelled"


def test_another_hotels_stay_cannot_be_checked_in(client, hotels, make_staff, login):
    stay = book(li_wei().id)
    login(make_staff("front_desk", properties=[hotels[1]]))

    assert client.post(f"/frontdesk/stays/{stay.id}/check-in").status_code == 404
    assert db.session.get(Stay, stay.id, populate_existing=True).status == "booked"


def test_the_check_in_form_needs_its_csrf_token(make_app, hotels, make_staff):
    stay = book(li_wei().id)
    desk = make_staff("front_desk", properties=[hotels[0]])
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    token = client.get("/login").text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": desk.email, "password": "correct horse battery staple", "csrf_token": token})

    refused = client.post(f"/frontdesk/stays/{stay.id}/check-in")
    status_after_refusal = db.session.get(Stay, stay.id, populate_existing=True).status
    form_token = TOKEN.search(row_of(client.get("/frontdesk").text, stay.id)).group(1)
    accepted = client.post(f"/frontdesk/stays/{stay.id}/check-in", data={"csrf_token": form_token})

    assert refused.status_code == 400 and "Your form expired" in refused.text
    assert status_after_refusal == "booked"
    assert accepted.status_code == 302
    assert db.session.get(Stay, stay.id, populate_existing=True).status == "in_house"


def test_the_board_reads_a_fixed_number_of_queries_however_many_arrive(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))
    chain_tiers()

    def arrivals(first, last):
        for number in range(first, last):
            guest = li_wei(member_number=f"GR-{number}", birthday=birthday_on(tomorrow()))
            place(guest.id, "GOLD")
            guest_service.add_special_date(OPERATOR, guest.id, {"kind": "other", "date": birthday_on(tomorrow()),
                                                                "label": "First visit"})
            earlier = book(guest.id, hotel_today() - timedelta(days=30), pms_id=f"OLD-{number}")
            stay_service.check_in(OPERATOR, earlier.id)
            stay_service.check_out(OPERATOR, earlier.id)
            book(guest.id, tomorrow(), pms_id=f"R-{number}", room=str(1000 + number))

    def statements_of_the_board():
        with counted() as statements:
            page = client.get(tomorrows_board()).text
        return page, statements

    arrivals(0, 3)
    few_page, few = statements_of_the_board()
    arrivals(3, 30)
    many_page, many = statements_of_the_board()

    assert few_page.count("data-stay-id=") == 3 and many_page.count("data-stay-id=") == 30
    assert many_page.count("Prepare: Carrot juice") == 30 and many_page.count("First visit") == 30
    assert many_page.count('class="badge badge-tier"') == 30
    assert len(many) == len(few), (few, many)
    assert len(many) <= 15


def test_the_boards_and_tasks_render_for_staff_reading_chinese(client, hotels, make_staff, login):
    regular_guest(hotel_today())
    login(make_staff("front_desk", properties=[hotels[0]], locale="zh_Hans_CN"))

    pages = [client.get(path) for path in ("/frontdesk", "/frontdesk/in-house", "/frontdesk/departures", "/tasks")]

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    assert all('lang="zh-Hans"' in page.text and "李伟" in page.text for page in (pages[0], pages[3]))
