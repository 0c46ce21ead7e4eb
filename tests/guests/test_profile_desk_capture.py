"""Quick capture of a preference on the profile while talking to the guest: a category chip, the
value, save; in place with htmx or as a plain form, refusals with their reasons and nothing
written, and the CSRF token."""
import re

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import service
from guestrel.guests.models import Preference
from tests.guests.desk_support import HTMX, part

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


@pytest.fixture
def guest(app):
    return service.create_guest(SYSTEM, {"full_name": "李伟", "given_name": "伟", "family_name": "李"})


@pytest.fixture
def desk(hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)
    return staff


def preferences(guest_id) -> list[Preference]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Preference).filter_by(guest_id=guest_id).order_by(Preference.id)).all()


def audit_changes() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action != "view"))


def test_the_profile_offers_the_active_categories_as_chips_and_the_users_hotels_as_scope(client, guest, desk):
    page = client.get(f"/guests/{guest.id}").text
    form = part(page, "quick-capture")

    assert f'hx-post="/guests/{guest.id}/preferences/quick"' in form
    categories = re.findall(r'name="category" value="([^"]+)"', form)
    assert categories[:2] == ["food_and_drink", "room"] and "dietary_and_allergy" in categories
    assert re.findall(r'name="property_code" value="([^"]*)"', form) == ["", "SHA"]
    assert 'class="chip chip-allergy"' in form


def test_htmx_capture_records_it_and_updates_the_list_the_top_and_the_history_in_place(client, guest, desk):
    response = client.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX, data={
        "category": "dietary_and_allergy", "value": "Peanuts", "property_code": ""})

    html = response.text
    assert response.status_code == 200
    assert "<html" not in html, "only the parts of the page, not a whole page"
    assert html.startswith('<div id="quick-capture"') or html.lstrip().startswith('<div id="quick-capture"')
    form = part(html, "quick-capture")
    assert "The preference “Peanuts” is recorded." in form
    assert 'value=""' in form and "checked" not in form.split('name="property_code" value=""')[0]
    assert 'id="preference-list" hx-swap-oob="true"' in html and "Peanuts" in part(html, "preference-list")
    assert 'id="at-check-in" class="at-check-in"' in html and 'hx-swap-oob="true"' in part(html, "at-check-in")
    assert "Peanuts" in part(html, "at-check-in")
    assert f"{desk.name}: Recorded the preference “Peanuts”" in " ".join(part(html, "history").split())
    [stored] = preferences(guest.id)
    assert (stored.category.code, stored.value, stored.priority) == ("dietary_and_allergy", "Peanuts", "critical")
    assert (stored.property_id, stored.source, stored.recorded_by_staff_id) == (None, "staff", desk.id)


def test_capture_for_this_hotel_with_flags(client, hotels, guest, desk):
    client.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX, data={
        "category": "food_and_drink", "value": "Carrot juice", "property_code": "SHA",
        "alert_at_check_in": "y", "prepare_before_arrival": "y"})

    [stored] = preferences(guest.id)
    assert stored.property_id == hotels[0].id
    assert stored.alert_at_check_in and stored.prepare_before_arrival


def test_capture_without_javascript_lands_back_on_the_profile(client, guest, desk):
    response = client.post(f"/guests/{guest.id}/preferences/quick",
                           data={"category": "room", "value": "Quiet room"}, follow_redirects=True)

    assert response.request.path == f"/guests/{guest.id}"
    assert "The preference “Quiet room” is recorded." in response.text
    assert "Quiet room" in part(response.text, "preference-list")
    assert [p.value for p in preferences(guest.id)] == ["Quiet room"]


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"category": "room", "value": "  "}, "value", "This field is required."),
    ({"category": "minibar_rocket", "value": "Quiet"}, "category", "Choose one of the preference categories."),
    ({"value": "Quiet"}, "category", "Choose one of the preference categories."),
    ({"category": "room", "value": "Quiet", "property_code": "HGH"}, "property_code",
     "Choose the whole chain or one of your hotels."),
    ({"category": "room", "value": "x" * 201}, "value", "Use at most 200 characters."),
])
def test_a_refused_capture_answers_422_with_the_reason_keeps_what_was_typed_and_writes_nothing(
    client, guest, desk, data, field, message
):
    changes_before = audit_changes()

    in_place = client.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX, data=data)
    plain = client.post(f"/guests/{guest.id}/preferences/quick", data=data)

    assert in_place.status_code == plain.status_code == 422
    form = part(in_place.text, "quick-capture")
    assert message in form
    assert "hx-swap-oob" not in in_place.text, "nothing else changed"
    if data.get("value", "").strip():
        assert f'value="{data["value"]}"' in form
    if data.get("category") == "room":
        assert 'value="room" checked' in form
    assert message in part(plain.text, "quick-capture") and "<html" in plain.text
    assert preferences(guest.id) == []
    assert audit_changes() == changes_before


@pytest.mark.parametrize("role", ["housekeeping", "marketing"])
def test_staff_who_may_not_write_get_no_quick_capture_and_are_refused(client, hotels, guest, make_staff, login, role):
    login(make_staff(role, properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}").text
    refused = client.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX,
                          data={"category": "room", "value": "Quiet"})

    assert 'id="quick-capture"' not in page
    assert refused.status_code == 403
    assert preferences(guest.id) == []


def test_capture_for_an_unknown_guest_is_a_404(client, desk):
    response = client.post("/guests/999999/preferences/quick", data={"category": "room", "value": "Quiet"})

    assert response.status_code == 404
    assert "There is no guest with this id." in response.text


def test_the_quick_capture_carries_a_csrf_token_and_a_post_without_it_is_refused(make_app, app, hotels, guest):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    auth_service.create_staff(email="desk@example.test", name="Front desk", password="a long passphrase",
                              role="front_desk", properties=[hotels[0]])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get("/login").text).group(1)
    assert browser.post("/login", data={"email": "desk@example.test", "password": "a long passphrase",
                                        "csrf_token": token}).status_code == 302

    form = part(browser.get(f"/guests/{guest.id}").text, "quick-capture")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    data = {"category": "room", "value": "Quiet room"}
    refused = browser.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX, data=data)
    accepted = browser.post(f"/guests/{guest.id}/preferences/quick", headers=HTMX, data={**data, "csrf_token": token})

    assert refused.status_code == 400 and "Your form expired" in refused.text
    assert accepted.status_code == 200
    assert [p.value for p in preferences(guest.id)] == ["Quiet room"]
    assert 'name="csrf_token"' in part(accepted.text, "quick-capture"), "the fresh form can post again"
