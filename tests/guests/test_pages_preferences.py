"""Preferences on the profile page: recording, editing, confirming and retiring them, allergies
shown as critical, and preferences of another hotel kept from that hotel's outsiders."""
import re

import pytest
import sqlalchemy as sa

from guestrel.auth import service as auth_service
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.guests.models import Preference

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)

CARROT_JUICE = {
    "category": "food_and_drink", "value": "Carrot juice", "detail": "A large glass in the fridge before arrival",
    "property_code": "", "source": "staff", "priority": "high", "alert_at_check_in": "y",
    "prepare_before_arrival": "y",
}


@pytest.fixture
def guest(app):
    return service.create_guest(SYSTEM, {"family_name": "李", "given_name": "伟", "full_name": "李伟"})


@pytest.fixture
def sha_front_desk(hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)
    return staff


def preferences(guest_id) -> list[Preference]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Preference).filter_by(guest_id=guest_id).order_by(Preference.id)).all()


def add(guest_id, **data) -> Preference:
    return preference_service.add_preference(SYSTEM, guest_id, {"category": "room", "value": "Quiet room", **data})


def test_front_desk_records_a_preference_through_the_form(client, guest, sha_front_desk):
    response = client.post(f"/guests/{guest.id}/preferences", data=CARROT_JUICE, follow_redirects=True)

    html = response.get_data(as_text=True)
    assert "The preference “Carrot juice” is recorded." in html
    [stored] = preferences(guest.id)
    assert (stored.category.code, stored.value, stored.detail) == (
        "food_and_drink", "Carrot juice", "A large glass in the fridge before arrival")
    assert (stored.property_id, stored.source, stored.priority) == (None, "staff", "high")
    assert stored.alert_at_check_in and stored.prepare_before_arrival
    assert stored.recorded_by_staff_id == sha_front_desk.id and stored.retired_at is None
    for badge in ("Alert at check-in", "Prepare before arrival", "Whole chain", sha_front_desk.name):
        assert badge in html


def test_a_preference_without_a_value_is_refused_and_the_form_stays_open(client, guest, sha_front_desk):
    response = client.post(f"/guests/{guest.id}/preferences", data={**CARROT_JUICE, "value": " "})

    html = response.get_data(as_text=True)
    assert "This field is required." in html
    assert '<details id="add-preference" open>' in html
    assert "A large glass in the fridge before arrival</textarea>" in html
    assert preferences(guest.id) == []


def test_the_scope_choices_are_the_whole_chain_and_the_users_own_hotels(client, guest, sha_front_desk):
    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    select = re.search(r'<select id="property_code".*?</select>', html, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', select) == ["", "SHA"]


def test_a_front_desk_of_one_hotel_cannot_record_for_another(client, guest, sha_front_desk):
    response = client.post(f"/guests/{guest.id}/preferences", data={**CARROT_JUICE, "property_code": "HGH"})

    assert "Not a valid choice." in response.get_data(as_text=True)
    assert preferences(guest.id) == []


def test_a_preference_for_one_hotel_shows_that_hotels_name(client, guest, sha_front_desk):
    client.post(f"/guests/{guest.id}/preferences", data={**CARROT_JUICE, "property_code": "SHA"})

    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert preferences(guest.id)[0].scope_property.code == "SHA"
    assert "Where: Shanghai Bund" in html


def test_an_allergy_is_critical_whatever_priority_was_chosen(client, guest, sha_front_desk):
    client.post(f"/guests/{guest.id}/preferences", data={
        **CARROT_JUICE, "category": "dietary_and_allergy", "value": "Peanuts", "priority": "low",
    })

    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert preferences(guest.id)[0].priority == "critical"
    article = re.search(r'<article class="preference preference-critical">.*?</article>', html, re.S).group(0)
    assert "Peanuts" in article and '<span class="badge badge-critical">Critical</span>' in article


def test_critical_preferences_come_first(client, guest, sha_front_desk):
    add(guest.id, value="Quiet room")
    add(guest.id, category="dietary_and_allergy", value="Shellfish")

    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert html.index("Shellfish") < html.index("Quiet room")


def test_a_preference_of_the_other_hotel_is_hidden_from_a_front_desk_of_this_one(
    client, hotels, guest, sha_front_desk
):
    chain_wide = add(guest.id, value="Still water")
    hangzhou_only = add(guest.id, value="Lake view room", property_code="HGH")

    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert "Still water" in html
    assert "Lake view room" not in html
    assert client.get(f"/guests/{guest.id}/preferences/{hangzhou_only.id}/edit").status_code == 404
    assert client.post(f"/guests/{guest.id}/preferences/{hangzhou_only.id}/retire").status_code == 404
    assert preferences(guest.id)[1].retired_at is None
    assert client.get(f"/guests/{guest.id}/preferences/{chain_wide.id}/edit").status_code == 200


def test_confirming_a_preference_records_when(client, guest, sha_front_desk):
    preference = add(guest.id)

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", follow_redirects=True)

    assert "The preference “Quiet room” is confirmed as still true." in response.get_data(as_text=True)
    [stored] = preferences(guest.id)
    assert stored.last_confirmed_at is not None and stored.retired_at is None


def test_retiring_asks_first_and_keeps_the_preference_in_the_history(client, guest, sha_front_desk):
    preference = add(guest.id)

    question = client.get(f"/guests/{guest.id}/preferences/{preference.id}/retire")
    untouched = preferences(guest.id)[0].retired_at
    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/retire", follow_redirects=True)

    assert "Retire the preference “Quiet room”?" in question.get_data(as_text=True)
    assert untouched is None
    html = response.get_data(as_text=True)
    assert "The preference “Quiet room” is retired." in html
    [stored] = preferences(guest.id)
    assert stored.retired_at is not None
    retired_section = html[html.index('<details class="retired">'):]
    assert "Quiet room" in retired_section
    assert "No preferences recorded yet." in html


def test_editing_a_preference_saves_the_change(client, guest, sha_front_desk):
    preference = add(guest.id, detail="Away from the lift")
    page = client.get(f"/guests/{guest.id}/preferences/{preference.id}/edit").get_data(as_text=True)

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/edit", data={
        **CARROT_JUICE, "category": "room", "value": "Very quiet room", "version": preference.version,
    }, follow_redirects=True)

    assert "Away from the lift</textarea>" in page
    assert "The preference is saved." in response.get_data(as_text=True)
    [stored] = preferences(guest.id)
    assert (stored.value, stored.version) == ("Very quiet room", 2)


def test_editing_a_preference_someone_else_changed_shows_the_conflict(client, guest, sha_front_desk):
    preference = add(guest.id)
    preference_service.update_preference(SYSTEM, guest.id, preference.id, 1, {"value": "Room away from the lift"})

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/edit", data={
        **CARROT_JUICE, "category": "room", "value": "Quiet room, high floor", "version": 1,
    })

    html = response.get_data(as_text=True)
    assert "Someone else changed this preference while you were editing." in html
    assert 'value="Room away from the lift"' in html
    assert preferences(guest.id)[0].value == "Room away from the lift"


def test_housekeeping_sees_preferences_without_buttons(client, hotels, guest, make_staff, login):
    add(guest.id, value="Feather-free pillow")
    login(make_staff("housekeeping", properties=[hotels[0]]))

    html = client.get(f"/guests/{guest.id}").get_data(as_text=True)

    assert "Feather-free pillow" in html
    assert "Still true" not in html and "Add a preference" not in html


def test_every_form_of_the_profile_carries_a_csrf_token_and_a_post_without_one_is_refused(
    make_app, app, hotels, guest
):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    auth_service.create_staff(email="csrf@example.test", name="Front desk", password="a long passphrase",
                              role="front_desk", properties=[hotels[0]])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get("/login").text).group(1)
    signed_in = browser.post("/login", data={"email": "csrf@example.test", "password": "a long passphrase",
                                             "csrf_token": token})
    assert signed_in.status_code == 302
    add(guest.id)

    page = browser.get(f"/guests/{guest.id}").text
    # Signing in starts a new session, with a new token.
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = browser.post(f"/guests/{guest.id}/preferences", data=CARROT_JUICE)
    accepted = browser.post(f"/guests/{guest.id}/preferences", data={**CARROT_JUICE, "csrf_token": token})

    assert page.count('<form method="post"') == page.count('name="csrf_token"') >= 6
    assert refused.status_code == 400 and "Your form expired" in refused.text
    assert accepted.status_code == 302
    assert [p.value for p in preferences(guest.id)] == ["Quiet room", "Carrot juice"]
