"""The story the product serves, in a real browser: a front-desk member finds a guest and records
the carrot juice he always wants; the page shows it and the database holds it. In English and in
Chinese, each run with the UI language the staff member chose."""
import re

import pytest

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.guests.models import Preference
from tests.browser.support import in_language, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("staff_locale", "browser_locale"),
    [("en", "en-US"), ("zh_Hans_CN", "zh-CN")],
    ids=["english", "chinese"],
)
def test_front_desk_records_carrot_juice_and_sees_it_on_the_profile(
    app, live_server, browser_page, hotels, make_staff, staff_locale, browser_locale
):
    shanghai, _hangzhou = hotels
    system = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
    guest = guest_service.create_guest(
        system, {"given_name": "Wei", "family_name": "Li", "full_name": "李伟", "email": "li.wei@example.com"}
    )
    staff = make_staff("front_desk", properties=[shanghai], locale=staff_locale)
    t = in_language(staff_locale)
    if staff_locale != "en":
        assert t("Record the preference") != "Record the preference", "Chinese translation missing"

    page = browser_page(browser_locale)
    sign_in(page, f"{live_server}/guests", staff, t)

    page.get_by_role("searchbox").fill("li wei")
    page.get_by_role("button", name=t("Search")).click()
    page.get_by_role("link", name="李伟").click()
    assert page.url.endswith(f"/guests/{guest.id}")

    page.get_by_text(t("Add a preference"), exact=True).click()
    form = page.locator("#add-preference form")
    form.get_by_label(t("Category")).select_option("food_and_drink")
    form.get_by_label(t("Preference"), exact=True).fill("Carrot juice")
    form.get_by_label(t("Details")).fill("A large glass in the fridge before arrival")
    form.get_by_label(t("Alert at check-in")).check()
    form.get_by_label(t("Prepare before arrival")).check()
    form.get_by_role("button", name=t("Record the preference")).click()

    card = page.locator("#preferences article.preference").filter(has_text="Carrot juice")
    card.wait_for()
    assert "A large glass in the fridge before arrival" in card.inner_text()
    assert t("Alert at check-in") in card.inner_text()
    assert t("Prepare before arrival") in card.inner_text()
    assert re.search(r"<html lang=\"(en|zh-Hans)\"", page.content()).group(1) == (
        "zh-Hans" if staff_locale != "en" else "en"
    )

    db.session.expire_all()
    stored = db.session.execute(db.select(Preference).filter_by(guest_id=guest.id)).scalar_one()
    assert (stored.value, stored.source, stored.property_id) == ("Carrot juice", "staff", None)
    assert stored.alert_at_check_in and stored.prepare_before_arrival
    assert stored.recorded_by_staff_id == staff.id
