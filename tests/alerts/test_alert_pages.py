"""The alerts page, acknowledging, the alert rules pages and the API, for each role and hotel."""
import re

import sqlalchemy as sa

from guestrel.alerts.models import AlertRule, CheckInAlert, LiveEvent
from guestrel.audit.models import AuditEntry
from guestrel.auth import service as auth_service
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.properties import service as property_service
from guestrel.tasks import service as task_service
from tests.alerts.support import book, check_in, li_wei
from tests.tasks.support import by_text, hotel_today

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def raised(hotel="SHA", pms_id="R-1", guest=True):
    stay = book(li_wei().id if guest else None, hotel, pms_id=pms_id)
    check_in(stay.id)
    return db.session.scalar(sa.select(CheckInAlert).where(CheckInAlert.stay_id == stay.id))


def stored(alert_id) -> CheckInAlert:
    db.session.expire_all()
    return db.session.get(CheckInAlert, alert_id)


def test_the_front_desk_sees_the_open_alert_with_allergies_and_acknowledges_it(client, hotels, make_staff, login):
    alert = raised()
    desk = make_staff("front_desk", properties=[hotels[0]])
    login(desk)

    page = client.get("/alerts").text
    acknowledged = client.post(f"/alerts/{alert.id}/acknowledge", follow_redirects=True)

    assert "李伟" in page and "Peanuts" in page and "Carrot juice" in page and "Room 1208" in page
    assert page.index("Allergies") < page.index("Carrot juice")
    assert "Alert for 李伟 acknowledged." in acknowledged.text
    after = stored(alert.id)
    assert after.acknowledged_by_id == desk.id and after.acknowledged_at is not None
    assert f"{desk.name}" in acknowledged.text
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "checkin_alert"))
    assert (entry.action, entry.staff_id, entry.guest_id, entry.entity_id) == ("update", desk.id, alert.guest_id, alert.id)
    assert entry.changes["acknowledged_at"][0] is None
    kinds = db.session.scalars(sa.select(LiveEvent.kind).order_by(LiveEvent.id)).all()
    assert kinds == ["alert", "acknowledged"]


def test_the_alert_tells_which_pre_arrival_tasks_were_done_and_which_are_overdue(client, hotels, make_staff,
                                                                                  login):
    # Due at midnight: overdue whatever the time of day the test runs.
    property_service.update_property(OPERATOR, "SHA", check_in_time="00:00")
    guest = li_wei()
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "bed_and_pillow", "value": "Feather-free pillow", "prepare_before_arrival": True})
    stay = book(guest.id, arrival=hotel_today())
    task_service.mark_done(OPERATOR, by_text(stay.id)["Feather-free pillow"].id)
    check_in(stay.id)
    alert = db.session.scalar(sa.select(CheckInAlert).where(CheckInAlert.stay_id == stay.id))
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get(f"/alerts/{alert.id}").text

    assert sorted((t["text"], t["done"], t["overdue"]) for t in alert.content["tasks"]) == [
        ("Carrot juice — Large glass, in the fridge", False, True), ("Feather-free pillow", True, False)]
    assert "Overdue: Carrot juice — Large glass, in the fridge" in page
    assert "✓ Feather-free pillow" in page


def test_acknowledging_from_a_pop_up_answers_empty_and_twice_changes_nothing(client, hotels, make_staff, login):
    alert = raised()
    login(make_staff("front_desk", properties=[hotels[0]]))

    first = client.post(f"/alerts/{alert.id}/acknowledge", headers={"HX-Request": "true"})
    moment = stored(alert.id).acknowledged_at
    client.post(f"/alerts/{alert.id}/acknowledge", headers={"HX-Request": "true"})

    assert (first.status_code, first.text) == (200, "")
    assert stored(alert.id).acknowledged_at == moment
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveEvent)) == 2


def test_staff_of_another_hotel_neither_see_nor_acknowledge_the_alert(client, hotels, make_staff, login):
    alert = raised()
    login(make_staff("front_desk", properties=[hotels[1]]))

    assert "李伟" not in client.get("/alerts").text
    assert client.get(f"/alerts/{alert.id}").status_code == 404
    assert client.post(f"/alerts/{alert.id}/acknowledge").status_code == 404
    assert client.get("/alerts/stream?property=SHA").status_code == 404
    assert stored(alert.id).acknowledged_at is None


def test_housekeeping_gets_no_alerts_and_no_live_pop_ups(client, hotels, make_staff, login):
    raised()
    login(make_staff("housekeeping", properties=[hotels[0]]))

    assert client.get("/alerts").status_code == 403
    assert client.get("/alerts/stream").status_code == 403
    assert 'id="live-alerts"' not in client.get("/guests").text


def test_every_front_desk_page_follows_the_live_stream_from_the_newest_event(client, hotels, make_staff, login):
    raised()
    newest = db.session.scalar(sa.select(sa.func.max(LiveEvent.id)))
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get("/guests").text

    assert f'data-stream="/alerts/stream?after={newest}"' in page and "js/live-alerts.js" in page


def test_opening_an_alert_is_recorded_as_seeing_the_guest(client, hotels, make_staff, login):
    alert = raised()
    manager = make_staff("manager", properties=[hotels[0]])
    login(manager)

    page = client.get(f"/alerts/{alert.id}")

    assert page.status_code == 200 and "Prefers to be greeted in Mandarin." in page.text
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "view",
                                                          AuditEntry.entity_type == "checkin_alert"))
    assert (entry.staff_id, entry.guest_id) == (manager.id, alert.guest_id)


def test_a_manager_adds_a_rule_in_the_browser_and_a_wrong_value_is_shown_on_its_field(client, hotels, make_staff,
                                                                                      login):
    login(make_staff("manager", properties=[hotels[0]]))
    form = {"name": "Regulars", "condition": "stays_at_least", "value": "many", "text": "Thank them.",
            "property_code": "SHA", "enabled": "y"}

    refused = client.post("/admin/alert-rules/new", data=form)
    saved = client.post("/admin/alert-rules/new", data={**form, "value": "5"}, follow_redirects=True)

    assert refused.status_code == 200 and "Enter a whole number from 1 to 1000." in refused.text
    assert "Alert rule Regulars saved." in saved.text and "Thank them." in saved.text
    rule = db.session.scalar(sa.select(AlertRule))
    assert (rule.condition, rule.value, rule.property_id) == ("stays_at_least", "5", hotels[0].id)
    # A manager of one hotel is not offered the whole chain.
    assert "Every hotel of the chain" not in client.get("/admin/alert-rules/new").text


def test_the_api_lists_open_alerts_acknowledges_and_keeps_rules(client, hotels, make_api_key):
    alert = raised()
    raised("HGH", pms_id="H-1", guest=False)
    reader = make_api_key("alerts:write", properties=[hotels[0]])
    admin = make_api_key("alerts:admin")

    listed = client.get("/api/v1/alerts?status=open", headers=reader).json
    done = client.post(f"/api/v1/alerts/{alert.id}/acknowledge", headers=reader).json
    after = client.get("/api/v1/alerts?status=open", headers=reader).json
    created = client.post("/api/v1/alert-rules", headers=admin, json={
        "name": "Gold", "condition": "vip_code", "value": "GOLD", "text": "Offer the lounge."})
    stale = client.patch(f"/api/v1/alert-rules/{created.json['id']}", headers={**admin, "If-Match": '"7"'},
                         json={"enabled": False})
    changed = client.patch(f"/api/v1/alert-rules/{created.json['id']}", headers={**admin, "If-Match": created.headers["ETag"]},
                           json={"enabled": False})
    wrong = client.post("/api/v1/alert-rules", headers=admin, json={"name": "x", "condition": "points", "text": "t"})

    assert [item["id"] for item in listed["items"]] == [alert.id]
    assert listed["items"][0]["content"]["guest"]["name"] == "李伟"
    assert done["acknowledged_at"] is not None and after["items"] == []
    assert created.status_code == 201 and created.json["property_code"] is None
    assert stale.status_code == 412 and changed.status_code == 200 and changed.json["enabled"] is False
    assert wrong.status_code == 422 and "condition" in wrong.json["errors"]["json"]


def test_the_acknowledge_and_rule_forms_need_their_csrf_token(make_app, hotels):
    app = make_app(WTF_CSRF_ENABLED=True)
    browser = app.test_client()
    alert = raised()
    auth_service.create_staff(email="csrf.manager@example.test", name="Manager", password="a long passphrase",
                              role="manager", properties=[hotels[0]])
    db.session.commit()
    token = TOKEN.search(browser.get("/login").text).group(1)
    assert browser.post("/login", data={"email": "csrf.manager@example.test", "password": "a long passphrase",
                                        "csrf_token": token}).status_code == 302

    page = browser.get("/alerts").text
    refused = browser.post(f"/alerts/{alert.id}/acknowledge")
    refused_rule = browser.post("/admin/alert-rules/new", data={"name": "x", "condition": "member", "text": "t"})
    accepted = browser.post(f"/alerts/{alert.id}/acknowledge", data={"csrf_token": TOKEN.search(page).group(1)})

    assert refused.status_code == 400 and refused_rule.status_code in (200, 400)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AlertRule)) == 0
    assert accepted.status_code == 302 and stored(alert.id).acknowledged_at is not None
