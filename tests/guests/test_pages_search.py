"""The guest list page: one search box for names in any script, pinyin (misspelt too), e-mail,
phone, member numbers, rooms and external ids, with results as you type at a bookmarkable
address, pages of results, and contact details only for staff who may see them."""
import re

import pytest

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.auth.service import OPERATOR
from guestrel.guests import service
from guestrel.guests.views import PAGE_SIZE
from guestrel.stays import service as stay_service
from tests.guests.desk_support import HTMX
from tests.tasks.support import book


SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


@pytest.fixture
def people(app):
    guests = {
        "zhang_wei": {"given_name": "伟", "family_name": "张", "full_name": "张伟", "vip_code": "GOLD",
                      "email": "zhang.wei@example.com", "phone": "+86 138 0013 8000", "member_number": "GR-1208"},
        "li_wei": {"given_name": "伟", "family_name": "李", "full_name": "李伟"},
        "anna": {"given_name": "Anna", "family_name": "Müller", "email": "anna.mueller@example.de",
                 "external_ids": [{"system": "opera", "external_id": "OP-4711"}]},
    }
    return {key: service.create_guest(SYSTEM, data) for key, data in guests.items()}


def profile_links(html: str) -> set[int]:
    return {int(guest_id) for guest_id in re.findall(r'href="/guests/(\d+)"', html)}


def test_search_finds_a_chinese_name_by_pinyin(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "zhang wei"}).get_data(as_text=True)

    assert profile_links(html) == {people["zhang_wei"].id}
    assert "张伟" in html


def test_search_finds_a_name_written_in_chinese_characters(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "李伟"}).get_data(as_text=True)

    assert profile_links(html) == {people["li_wei"].id}


def test_search_finds_a_guest_by_phone_written_in_another_format(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "138-0013-8000"}).get_data(as_text=True)

    assert profile_links(html) == {people["zhang_wei"].id}
    assert "+8613800138000" in html


def test_search_finds_a_guest_by_email_and_by_external_id(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    by_email = client.get("/guests", query_string={"q": "anna.mueller@example.de"}).get_data(as_text=True)
    by_external_id = client.get("/guests", query_string={"q": "OP-4711"}).get_data(as_text=True)

    assert profile_links(by_email) == {people["anna"].id}
    assert profile_links(by_external_id) == {people["anna"].id}


def test_search_without_a_match_says_so(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "nobody"}).get_data(as_text=True)

    assert profile_links(html) == set()
    assert "No guest matches “nobody”." in html


def test_results_come_a_page_at_a_time_with_a_next_page_link(client, hotels, make_staff, login):
    ids = [service.create_guest(SYSTEM, {"given_name": f"Guest{n}", "family_name": "Pagewalker"}).id
           for n in range(PAGE_SIZE + 1)]
    login(make_staff("front_desk", properties=[hotels[0]]))

    first = client.get("/guests", query_string={"q": "pagewalker"}).get_data(as_text=True)
    next_url = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)

    assert profile_links(first) == set(ids[:PAGE_SIZE])
    assert profile_links(second) == {ids[-1]}
    assert 'rel="next"' not in second


def test_front_desk_sees_contact_details_in_the_results(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "zhang"}).get_data(as_text=True)

    assert "zhang.wei@example.com" in html and "+8613800138000" in html


def test_housekeeping_results_show_no_contact_details(client, hotels, make_staff, login, people):
    login(make_staff("housekeeping", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "zhang"}).get_data(as_text=True)

    assert profile_links(html) == {people["zhang_wei"].id}
    assert "zhang.wei@example.com" not in html and "+8613800138000" not in html
    assert "E-mail" not in html


def test_housekeeping_cannot_find_a_guest_by_a_contact_detail(client, hotels, make_staff, login, people):
    login(make_staff("housekeeping", properties=[hotels[0]]))

    by_email = client.get("/guests", query_string={"q": "anna.mueller@example.de"}).get_data(as_text=True)
    by_phone = client.get("/guests", query_string={"q": "138 0013 8000"}).get_data(as_text=True)
    by_domain = client.get("/guests", query_string={"q": "example.de"}).get_data(as_text=True)
    by_local_part = client.get("/guests", query_string={"q": "anna.mueller"}).get_data(as_text=True)

    assert profile_links(by_email) == profile_links(by_phone) == profile_links(by_domain) == set()
    assert "You may not search guests by e-mail address." in by_email
    # Anna Müller by her names, not by the address that spells them too.
    assert profile_links(by_local_part) == {people["anna"].id}


def test_the_search_box_asks_for_results_as_you_type_at_a_bookmarkable_address(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests").get_data(as_text=True)

    box = re.search(r'<input type="search" name="q"[^>]*>', html, re.S).group(0)
    assert 'hx-get="/guests"' in box and 'hx-trigger="input changed delay:250ms, search"' in box
    form = re.search(r'<form method="get" action="/guests"[^>]*>', html, re.S).group(0)
    assert 'hx-push-url="true"' in form and 'hx-target="#guest-results"' in form


def test_typing_gets_only_the_results_and_history_gets_the_whole_page(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    typed = client.get("/guests", query_string={"q": "zhang"}, headers=HTMX)
    restored = client.get("/guests", query_string={"q": "zhang"},
                          headers={**HTMX, "HX-History-Restore-Request": "true"})

    results = typed.get_data(as_text=True)
    assert results.strip().startswith('<div id="guest-results"')
    assert profile_links(results) == {people["zhang_wei"].id} and "<form" not in results
    assert "HX-Request" in typed.headers["Vary"]
    assert '<input type="search"' in restored.get_data(as_text=True)


def test_a_misspelt_name_finds_the_guest_and_says_which_spelling(client, hotels, make_staff, login, people):
    login(make_staff("front_desk", properties=[hotels[0]]))

    html = client.get("/guests", query_string={"q": "zhnag wei"}).get_data(as_text=True)

    assert profile_links(html) == {people["zhang_wei"].id}
    assert "Also showing guests for the similar spelling “zhang wei”." in html
    assert "similar spelling</small>" in html


def test_results_show_vip_code_member_number_and_the_room_of_an_in_house_guest(client, hotels, make_staff, login,
                                                                               people):
    stay = book(people["zhang_wei"].id, room="1208", property_code="SHA")
    stay_service.check_in(OPERATOR, stay.id)
    login(make_staff("housekeeping", properties=[hotels[0]]))

    by_room = client.get("/guests", query_string={"q": "1208"}).get_data(as_text=True)

    row = by_room[by_room.index(f'data-guest-id="{people["zhang_wei"].id}"'):]
    row = row[:row.index("</tr>")]
    assert "张伟" in row and "GOLD" in row and "GR-1208" in row
    assert "Room 1208 · Shanghai Bund" in row


def test_the_room_of_a_guest_at_another_hotel_is_not_shown(client, hotels, make_staff, login, people):
    stay = book(people["zhang_wei"].id, room="1208", property_code="SHA")
    stay_service.check_in(OPERATOR, stay.id)
    login(make_staff("front_desk", properties=[hotels[1]]))

    html = client.get("/guests", query_string={"q": "zhang wei"}).get_data(as_text=True)

    assert profile_links(html) == {people["zhang_wei"].id}
    assert "Room 1208" not in html and "Shanghai Bund" not in html


@pytest.mark.parametrize("role, sees_button", [
    ("front_desk", True), ("manager", True), ("housekeeping", False), ("marketing", False),
])
def test_new_guest_button_only_for_staff_who_may_add_guests(client, hotels, make_staff, login, role, sees_button):
    login(make_staff(role, properties=[hotels[0]]))

    html = client.get("/guests").get_data(as_text=True)

    assert ('href="/guests/new"' in html) is sees_button


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/guests")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
