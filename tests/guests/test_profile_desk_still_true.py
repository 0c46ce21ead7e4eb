""""Still true?" on the profile: a preference nobody confirmed for over a year asks; one click
confirms it (when and who are recorded), one retires it (kept, not deleted), in place with htmx
or as a plain form."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.guests.models import Preference
from tests.guests.desk_support import HTMX, part

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def article(html: str, value: str) -> str:
    found = [a for a in re.findall(r"<article class=\"preference.*?</article>", html, re.S) if value in a]
    assert found, f"{value} is listed"
    return found[0]


def aged(preference_id: int, *, recorded_days: int, confirmed_days: int | None = None):
    """Moves a preference back in time: recorded, and last confirmed, that many days ago."""
    now = utcnow()
    db.session.execute(sa.update(Preference).where(Preference.id == preference_id).values(
        recorded_at=now - timedelta(days=recorded_days),
        last_confirmed_at=None if confirmed_days is None else now - timedelta(days=confirmed_days)))
    db.session.commit()


def stored(preference_id: int) -> Preference:
    db.session.expire_all()
    return db.session.get(Preference, preference_id)


@pytest.fixture
def guest(app):
    return service.create_guest(SYSTEM, {"given_name": "Wei", "family_name": "Li"})


@pytest.fixture
def desk(hotels, make_staff, login):
    staff = make_staff("front_desk", properties=[hotels[0]])
    login(staff)
    return staff


def add(guest_id, value, **data) -> Preference:
    return preference_service.add_preference(SYSTEM, guest_id, {"category": "room", "value": value, **data})


def test_only_preferences_unconfirmed_for_over_a_year_ask_still_true(client, guest, desk):
    old = add(guest.id, "Feather-free pillow")
    confirmed_long_ago = add(guest.id, "Bathtub")
    confirmed_lately = add(guest.id, "High floor")
    add(guest.id, "Quiet room")
    aged(old.id, recorded_days=400)
    aged(confirmed_long_ago.id, recorded_days=1000, confirmed_days=700)
    aged(confirmed_lately.id, recorded_days=1000, confirmed_days=90)

    page = client.get(f"/guests/{guest.id}").text

    for value in ("Feather-free pillow", "Bathtub"):
        assert "Still true? Not confirmed since" in article(page, value)
        assert "Yes, still true" in article(page, value) and "No longer, retire it" in article(page, value)
    for value in ("High floor", "Quiet room"):
        assert "Still true?" not in article(page, value)


def test_one_click_confirms_in_place_and_records_when_and_who(client, guest, desk):
    preference = add(guest.id, "Feather-free pillow")
    aged(preference.id, recorded_days=400)
    before = utcnow()

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", headers=HTMX)

    html = response.text
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="preference-list">')
    listed = part(html, "preference-list")
    assert "The preference “Feather-free pillow” is confirmed as still true." in listed
    assert "Still true?" not in article(listed, "Feather-free pillow")
    history = " ".join(part(html, "history").split())
    assert f"{desk.name}: Confirmed “Feather-free pillow” is still true" in history
    assert 'id="at-check-in"' in html
    confirmed = stored(preference.id)
    assert confirmed.last_confirmed_at >= before and confirmed.retired_at is None
    entry = db.session.scalars(sa.select(AuditEntry).filter_by(entity_type="preference", entity_id=preference.id)
                               .order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.staff_id, list(entry.changes)) == ("update", desk.id, ["last_confirmed_at"])


def test_one_click_retires_in_place_keeping_the_preference(client, guest, desk):
    preference = add(guest.id, "Feather-free pillow", alert_at_check_in=True)
    aged(preference.id, recorded_days=400)

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/retire", headers=HTMX)

    html = response.text
    assert response.status_code == 200
    listed = part(html, "preference-list")
    assert "The preference “Feather-free pillow” is retired." in listed
    assert "No preferences recorded yet." in listed
    assert "Feather-free pillow" in part(listed, "preference-list").split('<details class="retired">')[1]
    assert "Feather-free pillow" not in part(html, "at-check-in"), "no longer flagged at check-in"
    assert f"{desk.name}: Retired the preference “Feather-free pillow”" in " ".join(part(html, "history").split())
    kept = stored(preference.id)
    assert kept is not None and kept.retired_at is not None


def test_the_same_buttons_work_without_javascript(client, guest, desk):
    preference = add(guest.id, "Feather-free pillow")
    other = add(guest.id, "Bathtub")
    aged(preference.id, recorded_days=400)
    aged(other.id, recorded_days=400)

    confirmed = client.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", follow_redirects=True)
    retired = client.post(f"/guests/{guest.id}/preferences/{other.id}/retire", follow_redirects=True)

    assert confirmed.request.path == retired.request.path == f"/guests/{guest.id}"
    assert "The preference “Feather-free pillow” is confirmed as still true." in confirmed.text
    assert "The preference “Bathtub” is retired." in retired.text
    assert stored(preference.id).last_confirmed_at is not None and stored(other.id).retired_at is not None


def test_confirming_a_retired_preference_is_refused_in_place_and_changes_nothing(client, guest, desk):
    preference = add(guest.id, "Bathtub")
    preference_service.retire_preference(SYSTEM, guest.id, preference.id)

    response = client.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", headers=HTMX)

    assert response.status_code == 422
    assert "This preference is retired. Record a new one instead." in part(response.text, "preference-list")
    assert "hx-swap-oob" not in response.text
    assert stored(preference.id).last_confirmed_at is None


def test_another_hotels_preference_cannot_be_confirmed_or_retired(client, hotels, guest, desk):
    hangzhou_only = add(guest.id, "Lake view", property_code="HGH")

    confirm = client.post(f"/guests/{guest.id}/preferences/{hangzhou_only.id}/confirm", headers=HTMX)
    retire = client.post(f"/guests/{guest.id}/preferences/{hangzhou_only.id}/retire", headers=HTMX)

    assert confirm.status_code == retire.status_code == 404
    kept = stored(hangzhou_only.id)
    assert kept.last_confirmed_at is None and kept.retired_at is None


def test_staff_who_may_not_write_see_no_still_true_question(client, hotels, guest, make_staff, login):
    preference = add(guest.id, "Feather-free pillow")
    aged(preference.id, recorded_days=400)
    login(make_staff("housekeeping", properties=[hotels[0]]))

    page = client.get(f"/guests/{guest.id}").text
    refused = client.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", headers=HTMX)

    assert "Feather-free pillow" in page and "Still true" not in page
    assert refused.status_code == 403 and stored(preference.id).last_confirmed_at is None


def test_the_still_true_buttons_carry_a_csrf_token(make_app, app, hotels, guest):
    browser = make_app(WTF_CSRF_ENABLED=True).test_client()
    auth_service.create_staff(email="desk@example.test", name="Front desk", password="a long passphrase",
                              role="front_desk", properties=[hotels[0]])
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', browser.get("/login").text).group(1)
    browser.post("/login", data={"email": "desk@example.test", "password": "a long passphrase", "csrf_token": token})
    preference = add(guest.id, "Feather-free pillow")
    aged(preference.id, recorded_days=400)

    card = article(browser.get(f"/guests/{guest.id}").text, "Feather-free pillow")
    forms = re.findall(r'<form method="post".*?</form>', card, re.S)
    refused = browser.post(f"/guests/{guest.id}/preferences/{preference.id}/confirm", headers=HTMX)

    assert len(forms) == 2 and all('name="csrf_token"' in form for form in forms)
    assert refused.status_code == 400 and stored(preference.id).last_confirmed_at is None
