"""The profile at the desk in a real browser, at a desk PC's width and a phone's: the quick
capture, "still true?" and the history work in place, without reloading the page."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import preference_service, service
from guestrel.guests.models import Preference
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
SIZES = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def stored(guest_id) -> dict:
    db.session.expire_all()
    return {p.value: p for p in db.session.scalars(sa.select(Preference).filter_by(guest_id=guest_id))}


@pytest.mark.parametrize("size", SIZES)
def test_front_desk_captures_confirms_and_retires_without_a_reload(
    app, live_server, browser_page, hotels, make_staff, size
):
    guest = service.create_guest(SYSTEM, {"full_name": "李伟", "given_name": "伟", "family_name": "李"})
    for value in ("Feather-free pillow", "Bathtub"):
        old = preference_service.add_preference(SYSTEM, guest.id, {"category": "room", "value": value})
        db.session.execute(sa.update(Preference).where(Preference.id == old.id)
                           .values(recorded_at=utcnow() - timedelta(days=400)))
    for number in range(22):
        old = preference_service.update_preference(SYSTEM, guest.id, old.id, old.version, {"detail": f"v{number}"})
    db.session.commit()
    staff = make_staff("front_desk", properties=[hotels[0]])

    page = browser_page()
    page.set_viewport_size(SIZES[size])
    sign_in(page, f"{live_server}/guests/{guest.id}", staff)
    page.wait_for_url(f"**/guests/{guest.id}")
    page.evaluate("window.notReloaded = true")

    capture = page.locator("#quick-capture")
    capture.get_by_text("Room", exact=True).click()
    capture.get_by_role("button", name="Save").click()
    capture.get_by_text("This field is required.").wait_for()

    capture = page.locator("#quick-capture")
    capture.get_by_text("Dietary and allergy", exact=True).click()
    capture.get_by_label("What the guest wants").fill("Peanuts")
    capture.get_by_label("What the guest wants").press("Enter")
    page.locator("#quick-capture").get_by_text("The preference “Peanuts” is recorded.").wait_for()
    page.locator("#at-check-in .has-allergies").get_by_text("Peanuts", exact=False).wait_for()
    page.locator("#history").get_by_text("Recorded the preference “Peanuts”").wait_for()

    pillow = page.locator("#preference-list article").filter(has_text="Feather-free pillow")
    pillow.get_by_role("button", name="Yes, still true").click()
    page.locator("#preference-list").get_by_text("is confirmed as still true").wait_for()
    assert "Still true?" not in page.locator("#preference-list article").filter(
        has_text="Feather-free pillow").inner_text()

    bathtub = page.locator("#preference-list article").filter(has_text="Bathtub")
    bathtub.get_by_role("button", name="No longer, retire it").click()
    page.locator("#preference-list").get_by_text("The preference “Bathtub” is retired.").wait_for()

    page.locator("#history-more").get_by_role("button", name="Older changes").click()
    page.locator("#history").get_by_text("Created the profile").wait_for()

    assert page.evaluate("window.notReloaded") is True
    main = "document.querySelector('main')"
    assert page.evaluate(f"{main}.scrollWidth <= {main}.clientWidth"), "the profile does not scroll sideways"
    preferences = stored(guest.id)
    assert preferences["Peanuts"].priority == "critical" and preferences["Peanuts"].recorded_by_staff_id == staff.id
    assert preferences["Feather-free pillow"].last_confirmed_at is not None
    assert preferences["Bathtub"].retired_at is not None
