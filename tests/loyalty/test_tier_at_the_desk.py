"""A guest's tier where the desk needs it: on the arrivals board, in the check-in alert (with its
benefits, kept as at check-in), in alert rules ("tier is Platinum"), for plugins, and in the
profile the PMS is sent."""
import importlib
from datetime import timedelta

import sqlalchemy as sa

from guestrel.alerts import rule_service
from guestrel.alerts.models import CheckInAlert
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.loyalty import service as loyalty_service
from guestrel.service_errors import InvalidDataError
from tests.alerts.support import book, check_in, li_wei
from tests.loyalty.support import GOLD_BENEFITS, PLATINUM_BENEFITS, chain_tiers, place
from tests.plugins.conftest import install_plugin  # noqa: F401  (fixture)
from tests.tasks.support import hotel_today

LISTENER = '''
from guestrel.plugins.plugin_api import hookimpl

HEARD = []


@hookimpl
def guest_checked_in(alert):
    HEARD.append(alert)
'''


def alert_of(stay_id) -> CheckInAlert:
    return db.session.scalar(sa.select(CheckInAlert).where(CheckInAlert.stay_id == stay_id))


def test_the_alert_shows_the_tier_and_its_benefits_as_they_were_at_check_in(client, hotels, make_staff, login):
    chain_tiers()
    guest = li_wei()
    place(guest.id, "PLATINUM")
    stay = book(guest.id)

    check_in(stay.id)
    platinum = loyalty_service.get_tier(OPERATOR, "PLATINUM")
    loyalty_service.update_tier(OPERATOR, "PLATINUM", platinum.version, {"benefits": ["Nothing any more"]})
    login(make_staff("front_desk", properties=[hotels[0]]))
    page = client.get(f"/alerts/{alert_of(stay.id).id}").text

    assert alert_of(stay.id).content["guest"]["tier"] == {
        "code": "PLATINUM", "name": "Platinum", "benefits": PLATINUM_BENEFITS}
    assert "Platinum" in page and all(benefit in page for benefit in PLATINUM_BENEFITS)
    assert "Nothing any more" not in page


def test_a_rule_for_a_tier_adds_its_text_to_the_check_ins_of_that_tier_only(hotels):
    chain_tiers()
    rule_service.create_rule(OPERATOR, {"name": "Platinum", "condition": "tier", "value": "platinum",
                                        "text": "Escort them to the club lounge."})
    platinum_guest, gold_guest = li_wei(), li_wei(member_number="GR-2")
    place(platinum_guest.id, "PLATINUM")
    place(gold_guest.id, "GOLD")
    platinum_stay, gold_stay = book(platinum_guest.id), book(gold_guest.id, pms_id="R-2", room="1209")
    unknown_stay = book(None, pms_id="R-3", room="1210")

    for stay in (platinum_stay, gold_stay, unknown_stay):
        check_in(stay.id)

    assert [rule["text"] for rule in alert_of(platinum_stay.id).content["rules"]] == ["Escort them to the club lounge."]
    assert alert_of(gold_stay.id).content["rules"] == [] and alert_of(unknown_stay.id).content["rules"] == []


def test_a_rule_for_a_tier_the_chain_does_not_have_is_refused(hotels):
    chain_tiers()

    try:
        rule_service.create_rule(OPERATOR, {"name": "Jade", "condition": "tier", "value": "JADE", "text": "t"})
    except InvalidDataError as refused:
        assert "JADE" in refused.errors["value"][0]
    else:
        raise AssertionError("a rule for an unknown tier was stored")


def test_plugins_hear_the_tier_and_its_benefits(make_app, hotels, install_plugin):
    module = install_plugin(LISTENER, entry_point="club")
    app = make_app()
    with app.app_context():
        listener = importlib.import_module(module)
        chain_tiers()
        guest = li_wei()
        place(guest.id, "GOLD")

        check_in(book(guest.id).id)

        [heard] = listener.HEARD
        assert (heard.tier_code, heard.tier_name, heard.benefits) == ("GOLD", "Gold", tuple(GOLD_BENEFITS))


def test_the_arrivals_board_shows_each_guests_tier_to_the_desk_and_to_housekeeping(client, hotels, make_staff, login):
    chain_tiers()
    gold, plain = li_wei(), li_wei(member_number="GR-2", full_name="王芳")
    place(gold.id, "GOLD")
    arrival = hotel_today() + timedelta(days=1)
    book(gold.id, arrival=arrival)
    book(plain.id, arrival=arrival, pms_id="R-2", room="1209")
    board = f"/frontdesk?property=SHA&date={arrival.isoformat()}"

    login(make_staff("front_desk", properties=[hotels[0]]))
    desk = client.get(board).text
    login(make_staff("housekeeping", properties=[hotels[0]]))
    housekeeping = client.get(board).text

    for page in (desk, housekeeping):
        assert page.count('class="badge badge-tier"') == 1
        row = page[page.index("李伟"):page.index("王芳")] if page.index("李伟") < page.index("王芳") else page[page.index("李伟"):]
        assert "Gold" in row
