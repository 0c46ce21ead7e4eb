"""The outbox for staff and operators: the integrations page, the API and the CLI; retrying dead
letters; what each hotel's admins see; secrets never shown."""
import random
from datetime import timedelta

import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.extensions import db
from guestrel.sync import outbox
from guestrel.sync.models import OutboxMessage
from tests.sync.outbox_support import (  # noqa: F401  (fixtures)
    ACCESS_TOKEN,
    CLIENT_TOKEN,
    app,
    clock,
    make_connection,
    make_guest,
    messages,
    notes_pms,
    pms,
    prefer,
)


def dead_and_pending(pms, clock):
    """A dead fact for C-1 (the PMS refused it, echoing the access token) and one for C-2 that
    waits after a 503; both at Shanghai."""
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")
    prefer(make_guest("C-2", name="Mei").id, "Green tea")
    pms.answers = [(403, {}, {"Message": f"AccessToken {ACCESS_TOKEN} may not update customers."}),
                   (503, {}, {"Message": f"Maintenance; ClientToken {CLIENT_TOKEN} queued nothing."})]
    outbox.deliver_due(clock)
    return messages()


def test_the_page_lists_dead_and_waiting_deliveries_without_secrets(client, hotels, pms, clock, make_staff, login):
    dead, waiting = dead_and_pending(pms, clock)
    login(make_staff("admin"))

    page = client.get("/admin/integrations").get_data(as_text=True)

    assert "Dead deliveries" in page and "Waiting deliveries" in page
    assert f"/admin/integrations/outbox/{dead.id}/retry" in page
    assert f"/admin/integrations/outbox/{waiting.id}/retry" not in page
    assert "The PMS refused the customer update: AccessToken *** may not update customers." in page
    assert "The PMS answered 503: Maintenance; ClientToken *** queued nothing." in page
    assert f'href="/guests/{dead.guest_id}"' in page
    for secret in (ACCESS_TOKEN, CLIENT_TOKEN, "s3cret"):
        assert secret not in page
        assert secret not in (dead.last_error + waiting.last_error)
    # Where it goes and how it fares, not the guest's preferences.
    assert "Carrot juice" not in page


def test_retrying_from_the_page_sends_the_dead_fact_again(client, hotels, pms, clock, make_staff, login):
    dead, _waiting = dead_and_pending(pms, clock)
    login(make_staff("admin"))

    answer = client.post(f"/admin/integrations/outbox/{dead.id}/retry", follow_redirects=True)

    assert f"Delivery {dead.id} will be tried again." in answer.get_data(as_text=True)
    retried = messages(id=dead.id)[0]
    assert (retried.status, retried.attempts, retried.fact_id) == ("pending", 0, dead.fact_id)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "outbox_message"))
    assert (entry.action, entry.entity_id, entry.guest_id) == ("update", dead.id, dead.guest_id)
    assert entry.changes == {"attempts": [1, 0], "status": ["dead", "pending"]}

    assert outbox.deliver_due(clock + timedelta(minutes=1)) == 2
    assert messages(id=dead.id)[0].status == "delivered"
    again = client.post(f"/admin/integrations/outbox/{dead.id}/retry", follow_redirects=True)
    assert "Only a dead message can be retried; this one is delivered." in again.get_data(as_text=True)


def test_the_retry_form_needs_its_csrf_token(make_app, json_pms, notes_pms, hotels, pms, clock, make_staff):
    dead, _waiting = dead_and_pending(pms, clock)
    staff = make_staff("admin")
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": staff.email, "password": "correct horse battery staple", "csrf_token": token})
    page = client.get("/admin/integrations")
    assert page.status_code == 200

    assert client.post(f"/admin/integrations/outbox/{dead.id}/retry").status_code == 400
    form_token = page.get_data(as_text=True).split('name="csrf_token" value="')[-1].split('"')[0]
    assert client.post(f"/admin/integrations/outbox/{dead.id}/retry", data={"csrf_token": form_token}).status_code == 302
    assert messages(id=dead.id)[0].status == "pending"


def test_the_api_lists_by_status_and_retries_dead_facts(client, hotels, pms, clock, make_api_key):
    dead, waiting = dead_and_pending(pms, clock)
    headers = make_api_key("integrations:admin")

    everything = client.get("/api/v1/outbox", headers=headers)
    assert everything.status_code == 200
    assert [(m["id"], m["status"]) for m in everything.json["items"]] == [(dead.id, "dead"), (waiting.id, "pending")]
    item = everything.json["items"][0]
    assert (item["adapter"], item["property_code"], item["connection_name"], item["guest_id"], item["attempts"]) == (
        "notespms", "SHA", "SHA PMS", dead.guest_id, 1)
    assert item["fact_id"] == dead.fact_id and item["kind"] == "guest_profile" and item["next_attempt_at"] is None
    text = everything.get_data(as_text=True)
    assert ACCESS_TOKEN not in text and CLIENT_TOKEN not in text and "Carrot juice" not in text

    dead_only = client.get("/api/v1/outbox?status=dead", headers=headers).json
    assert [m["id"] for m in dead_only["items"]] == [dead.id] and dead_only["next_after"] is None
    first_page = client.get("/api/v1/outbox?limit=1", headers=headers).json
    assert [m["id"] for m in first_page["items"]] == [dead.id] and first_page["next_after"] == dead.id
    rest = client.get(f"/api/v1/outbox?limit=1&after={dead.id}", headers=headers).json
    assert [m["id"] for m in rest["items"]] == [waiting.id]
    assert client.get("/api/v1/outbox?status=lost", headers=headers).status_code == 422
    assert client.get("/api/v1/outbox?colour=red", headers=headers).status_code == 422

    retried = client.post(f"/api/v1/outbox/{dead.id}/retry", headers=headers)
    assert retried.status_code == 200 and (retried.json["status"], retried.json["attempts"]) == ("pending", 0)
    refused = client.post(f"/api/v1/outbox/{waiting.id}/retry", headers=headers)
    assert refused.status_code == 409 and refused.json["message"] == (
        "Only a dead message can be retried; this one is pending.")
    assert client.post("/api/v1/outbox/999999/retry", headers=headers).status_code == 404


def test_retrying_a_dead_fact_that_a_newer_one_overtook_retires_it(client, hotels, pms, clock, make_api_key):
    dead, _waiting = dead_and_pending(pms, clock)
    # What a worker recording the death and an edit committing at the same instant can leave: a
    # newer fact about the same guest waiting behind the dead one.
    db.session.add(OutboxMessage(connection_id=dead.connection_id, guest_id=dead.guest_id, kind=dead.kind,
                                 payload={**dead.payload, "fact_id": "newer"}, fact_id="newer", status="pending",
                                 attempts=0, next_attempt_at=clock))
    db.session.commit()

    answer = client.post(f"/api/v1/outbox/{dead.id}/retry", headers=make_api_key("integrations:admin"))

    assert answer.status_code == 200 and answer.json["status"] == "superseded"


def test_each_hotels_admins_see_and_retry_only_their_own(client, hotels, pms, clock, make_api_key, make_staff,
                                                         login):
    shanghai, hangzhou = hotels
    dead, _waiting = dead_and_pending(pms, clock)
    make_connection(pms.url, "HGH")
    prefer(make_guest("C-9", name="Hangzhou").id, "Lake view", property_code="HGH")
    hangzhou_message = messages()[-1]
    hangzhou_key = make_api_key("integrations:admin", properties=[hangzhou])

    listed = client.get("/api/v1/outbox", headers=hangzhou_key).json["items"]
    assert [m["id"] for m in listed] == [hangzhou_message.id]
    assert client.post(f"/api/v1/outbox/{dead.id}/retry", headers=hangzhou_key).status_code == 404
    assert messages(id=dead.id)[0].status == "dead"
    assert client.get("/api/v1/outbox", headers=make_api_key("guests:write", properties=[shanghai])).status_code == 403

    login(make_staff("manager", properties=[shanghai]))
    assert client.get("/admin/integrations").status_code == 403
    assert client.post(f"/admin/integrations/outbox/{dead.id}/retry").status_code == 403
    assert messages(id=dead.id)[0].status == "dead"


def test_operators_deliver_list_and_retry_from_the_command_line(app, hotels, pms, clock, monkeypatch):
    # The waiting fact backs off for the whole 30 s: only the retried one is due in the round below.
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    dead, _waiting = dead_and_pending(pms, clock)
    runner = app.test_cli_runner()

    listed = runner.invoke(args=["guestrel", "outbox", "list", "--status", "dead"])
    assert listed.exit_code == 0, listed.output
    [line] = listed.output.splitlines()
    assert line.startswith(f"{dead.id}\t") and f"\tnotespms\tSHA\t{dead.guest_id}\tdead\t1\t\t" in line
    assert ACCESS_TOKEN not in listed.output and "AccessToken ***" in line

    retried = runner.invoke(args=["guestrel", "outbox", "retry", str(dead.id)])
    assert retried.exit_code == 0 and f"Message {dead.id} is now pending." in retried.output
    again = runner.invoke(args=["guestrel", "outbox", "retry", str(dead.id)])
    assert again.exit_code == 1 and "Only a dead message can be retried; this one is pending." in again.output

    # Due now, as written and retried in real time: the round takes them.
    delivered = runner.invoke(args=["guestrel", "outbox", "deliver"])
    assert delivered.exit_code == 0 and "1 message tried." in delivered.output
    assert messages(id=dead.id)[0].status == "delivered"
    assert runner.invoke(args=["guestrel", "outbox", "list", "--status", "dead"]).output.strip() == (
        "The outbox holds no such messages.")
