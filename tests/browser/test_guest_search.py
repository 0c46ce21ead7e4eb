"""The search box in a real browser, at a desk PC's width and a phone's: results come as the
clerk types, without a reload, and the address follows so the search can be bookmarked."""
import re

import pytest

from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.guests import service
from tests.browser.support import sign_in

pytestmark = pytest.mark.browser

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
SIZES = {"desk": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
# htmx writes the space as %20, a form as +.
MISSPELT = re.compile(r"/guests\?q=zhnag(\+|%20)wei$")


@pytest.mark.parametrize("size", SIZES)
def test_results_come_as_the_clerk_types_a_misspelt_pinyin_name(app, live_server, browser_page, hotels,
                                                                 make_staff, size):
    zhang = service.create_guest(SYSTEM, {"full_name": "张伟", "given_name": "伟", "family_name": "张",
                                          "vip_code": "GOLD", "member_number": "GR-88"})
    service.create_guest(SYSTEM, {"given_name": "John", "family_name": "Smith"})
    staff = make_staff("front_desk", properties=[hotels[0]])

    page = browser_page()
    page.set_viewport_size(SIZES[size])
    sign_in(page, f"{live_server}/guests", staff)
    page.wait_for_url("**/guests")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("searchbox").press_sequentially("zhnag wei", delay=30)

    page.wait_for_url(MISSPELT)
    results = page.locator("#guest-results")
    results.get_by_text("similar spelling “zhang wei”").wait_for()
    assert results.get_by_role("link").all_inner_texts() == ["张伟"]
    assert "GOLD" in results.inner_text() and "GR-88" in results.inner_text()
    assert page.evaluate("window.notReloaded") is True

    page.get_by_role("searchbox").fill("smith")
    page.wait_for_url("**/guests?q=smith")
    results.get_by_role("link", name="John Smith").wait_for()
    assert results.get_by_role("link").all_inner_texts() == ["John Smith"]

    page.go_back()
    page.wait_for_url(MISSPELT)
    page.locator("#guest-results").get_by_text("similar spelling “zhang wei”").wait_for()
    main = "document.querySelector('main')"
    assert page.evaluate(f"{main}.scrollWidth <= {main}.clientWidth"), "the page does not scroll sideways"
    assert f"/guests/{zhang.id}" in page.locator("#guest-results a").first.get_attribute("href")
