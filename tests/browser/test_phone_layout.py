"""The front desk's pages on a phone: nothing makes the page scroll sideways (a wide table scrolls
inside its own frame), and the navigation stays within the screen."""
import pytest

from tests.browser.support import in_language, sign_in
from tests.tasks.support import book, hotel_today, li_wei

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PAGES = ("/frontdesk", "/frontdesk/in-house", "/frontdesk/departures", "/tasks", "/alerts", "/guests?q=li+wei",
         "/guests/{guest_id}")


@pytest.mark.parametrize(("staff_locale", "browser_locale"), [("en", "en-US"), ("zh_Hans_CN", "zh-CN")],
                         ids=["english", "chinese"])
def test_the_front_desk_pages_fit_a_phone_screen(app, live_server, browser_page, hotels, make_staff, staff_locale,
                                                 browser_locale):
    guest = li_wei()
    book(guest.id, hotel_today())
    staff = make_staff("manager", properties=[hotels[0]], locale=staff_locale)
    page = browser_page(browser_locale)
    page.set_viewport_size(PHONE)
    sign_in(page, f"{live_server}/login", staff, in_language(staff_locale))
    page.wait_for_url(lambda url: "/login" not in url)

    too_wide = {}
    for path in PAGES:
        page.goto(live_server + path.format(guest_id=guest.id))
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width

        assert page.evaluate("document.querySelector('header nav').getBoundingClientRect().right") <= PHONE["width"]

    assert too_wide == {}
