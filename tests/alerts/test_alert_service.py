"""A check-in raises one alert with what the desk must know, whoever reported it, and plugins
hear of it; alert rules add their texts."""
from datetime import date, datetime, timedelta, timezone

import importlib

import pytest
import sqlalchemy as sa

from guestrel.alerts import rule_service, service
from guestrel.alerts.models import AlertRule, CheckInAlert, LiveEvent
from guestrel.auth.permissions import Principal
from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.service_errors import NotFoundError, PermissionDeniedError, ServiceError
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay
from tests.alerts.support import book, check_in, li_wei
from tests.plugins.conftest import install_plugin  # noqa: F401  (fixture)

LISTENER = '''
from guestrel.plugins.plugin_api import hookimpl

HEARD = []
FAIL = False


@hookimpl
def guest_checked_in(alert):
    if FAIL:
        raise RuntimeError("the duty manager's pager is down")
    HEARD.append(alert)
'''


def alerts() -> list[CheckInAlert]:
    db.session.expire_all()
    return db.session.scalars(sa.select(CheckInAlert).order_by(CheckInAlert.id)).all()


def test_a_check_in_raises_one_alert_with_allergies_first_and_what_to_remember(hotels):
    guest = li_wei()
    earlier = book(guest.id, "HGH", pms_id="H-1", arrival=date.today() - timedelta(days=40))
    check_in(earlier.id)
    stay_service.check_out(OPERATOR, earlier.id)
    stay = book(guest.id)

    check_in(stay.id)

    hangzhou, alert = alerts()
    assert hangzhou.stay_id == earlier.id
    assert (alert.stay_id, alert.property_id, alert.guest_id, alert.acknowledged_at) == (
        stay.id, hotels[0].id, guest.id, None)
    body = alert.content
    assert body["guest"] == {"id": guest.id, "name": "李伟", "vip_code": "GOLD", "member_number": "GR-1208",
                                  "language": None, "nationality": None, "notes": "Prefers to be greeted in Mandarin.",
                                  "tier": None}
    assert [p["value"] for p in body["allergies"]] == ["Peanuts"]
    # Flagged for check-in, and not Hangzhou's own preference: this is Shanghai.
    assert [(p["value"], p["detail"]) for p in body["preferences"]] == [("Carrot juice", "Large glass, in the fridge")]
    assert [o["kind"] for o in body["occasions"]] == ["birthday"]
    assert body["stay"]["room_number"] == "1208" and body["earlier_stays"] == {"hotel": 0, "chain": 1}
    events = db.session.scalars(sa.select(LiveEvent).order_by(LiveEvent.id)).all()
    assert [(e.kind, e.alert_id, e.property_id) for e in events] == [
        ("alert", hangzhou.id, hotels[1].id), ("alert", alert.id, hotels[0].id)]


def test_the_same_check_in_reported_again_raises_nothing_more(hotels):
    stay = book(li_wei().id)
    check_in(stay.id)
    check_in(stay.id)
    stay_service.upsert_stay(OPERATOR, "SHA", "R-1", {
        "source_modified_at": datetime(2026, 12, 1, tzinfo=timezone.utc), "status": "in_house"})

    assert len(alerts()) == 1
    assert service.raise_for_stay(stay.id) is None and len(alerts()) == 1


def test_a_stay_not_in_house_raises_no_alert_and_one_without_a_profile_still_does(hotels):
    booked = book(li_wei().id)
    assert service.raise_for_stay(booked.id) is None

    nameless = book(None, pms_id="R-2", room="806")
    check_in(nameless.id)

    [alert] = alerts()
    assert alert.guest_id is None and alert.content["guest"] is None
    assert alert.content["stay"]["room_number"] == "806" and alert.content["allergies"] == []


def test_a_check_in_reported_long_after_it_happened_raises_no_alert(hotels):
    stay = book(li_wei().id, arrival=date.today() - timedelta(days=3))

    stay_service.check_in(OPERATOR, stay.id, at=utcnow() - timedelta(days=3))

    assert alerts() == [] and service.raise_missing() == 0


def test_a_check_in_whose_alert_was_lost_is_raised_by_the_sweep_once(hotels):
    stay = book(li_wei().id)
    check_in(stay.id)
    db.session.execute(sa.delete(LiveEvent))
    db.session.execute(sa.delete(CheckInAlert))
    long_ago = book(None, pms_id="R-9", arrival=date.today() - timedelta(days=3))
    check_in(long_ago.id)
    db.session.execute(sa.update(Stay).where(Stay.id == long_ago.id).values(checked_in_at=utcnow() - timedelta(days=2)))
    db.session.execute(sa.delete(LiveEvent))
    db.session.execute(sa.delete(CheckInAlert))
    db.session.commit()

    assert service.raise_missing() == 1
    assert service.raise_missing() == 0
    assert [alert.stay_id for alert in alerts()] == [stay.id]


def test_plugins_hear_of_the_alert_and_one_that_fails_undoes_nothing(make_app, hotels, install_plugin):
    module = install_plugin(LISTENER, entry_point="pager")
    app = make_app()
    with app.app_context():
        listener = importlib.import_module(module)
        stay = book(li_wei().id)
        check_in(stay.id)
        [heard] = listener.HEARD
        [alert] = alerts()
        assert (heard.alert_id, heard.stay_id, heard.property_code, heard.guest_name, heard.room_number) == (
            alert.id, stay.id, "SHA", "李伟", "1208")
        assert heard.allergies == ("Peanuts",) and heard.preferences == ("Carrot juice — Large glass, in the fridge",)
        assert heard.occasions == ("birthday",) and heard.vip_code == "GOLD" and heard.stay_number == 1

        listener.FAIL = True
        other = book(None, pms_id="R-2", room="806")
        check_in(other.id)
        assert len(alerts()) == 2


def test_rules_of_the_hotel_and_the_chain_add_their_texts_when_they_match(hotels):
    hangzhou_admin = Principal(permissions=OPERATOR.permissions, property_ids=frozenset({hotels[1].id}))
    for data in (
        {"name": "Gold", "condition": "vip_code", "value": "gold", "text": "Offer the lounge."},
        {"name": "First stay", "condition": "first_stay_in_chain", "text": "Welcome them."},
        {"name": "Regular", "condition": "stays_at_least", "value": "5", "text": "Thank them for coming back."},
        {"name": "Birthday", "condition": "occasion_during_stay", "text": "Cake at 19:00.", "property_code": "SHA"},
        {"name": "Off", "condition": "member", "text": "Never shown.", "enabled": False},
    ):
        rule_service.create_rule(OPERATOR, data)
    rule_service.create_rule(hangzhou_admin, {"name": "Lake", "condition": "allergy", "text": "Hangzhou only.",
                                              "property_code": "HGH"})
    stay = book(li_wei().id)

    check_in(stay.id)

    [alert] = alerts()
    assert [rule["text"] for rule in alert.content["rules"]] == ["Offer the lounge.", "Welcome them.", "Cake at 19:00."]


@pytest.mark.parametrize("data, field", [
    ({"name": "x", "condition": "vip_code", "text": "t"}, "value"),
    ({"name": "x", "condition": "stays_at_least", "value": "many", "text": "t"}, "value"),
    ({"name": "x", "condition": "nationality", "value": "China", "text": "t"}, "value"),
    ({"name": "x", "condition": "points", "text": "t"}, "condition"),
    ({"name": "x", "condition": "tier", "text": "t"}, "value"),
    ({"name": "", "condition": "member", "text": "t"}, "name"),
    ({"name": "x", "condition": "member", "text": "t", "property_code": "XXX"}, None),
])
def test_a_rule_with_a_wrong_value_is_refused_and_nothing_stored(hotels, data, field):
    with pytest.raises(ServiceError) as refused:
        rule_service.create_rule(OPERATOR, data)

    if field is None:
        assert isinstance(refused.value, NotFoundError)
    else:
        assert field in refused.value.errors
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertRule)) == 0


def test_staff_of_one_hotel_keep_only_its_rules(hotels):
    shanghai = Principal(permissions=OPERATOR.permissions, property_ids=frozenset({hotels[0].id}))
    chain_rule = rule_service.create_rule(OPERATOR, {"name": "Chain", "condition": "member", "text": "t"})
    rule_service.create_rule(OPERATOR, {"name": "HGH", "condition": "member", "text": "t", "property_code": "HGH"})

    with pytest.raises(PermissionDeniedError):
        rule_service.create_rule(shanghai, {"name": "Mine?", "condition": "member", "text": "t"})
    with pytest.raises(PermissionDeniedError):
        rule_service.update_rule(shanghai, chain_rule.id, chain_rule.version, {"text": "changed"})
    assert [rule.name for rule in rule_service.list_rules(shanghai)] == ["Chain"]
