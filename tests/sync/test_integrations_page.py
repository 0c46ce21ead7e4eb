from guestrel.auth.service import OPERATOR
from guestrel.sync import connections
from tests.sync.conftest import deliver, payload, upsert


def test_the_integrations_page_shows_connections_without_secrets_and_failed_messages(client, hotels, make_staff,
                                                                                      login):
    connection = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "Shanghai PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection
    deliver(payload(upsert("e1")))
    failed = deliver(payload(upsert("e2"), version=9))
    login(make_staff("admin"))

    page = client.get("/admin/integrations").get_data(as_text=True)
    assert "Shanghai PMS" in page and f"/inbound/{connection.id}/{connection.inbound_token}" in page
    assert "applied 1, failed 1" in page
    assert "s3cret-key" not in page
    assert "unknown payload version 9" in page
    assert f"/admin/integrations/inbox/{failed.id}/replay" in page


def test_replaying_from_the_page_applies_the_message_once_fixed(client, hotels, make_staff, login, adapter_module):
    failed = deliver(payload(upsert("e1"), version=9))
    login(make_staff("admin"))

    still = client.post(f"/admin/integrations/inbox/{failed.id}/replay", follow_redirects=True)
    assert f"Message {failed.id} still fails: unknown payload version 9" in still.get_data(as_text=True)

    adapter_module.ACCEPTED_VERSIONS.add(9)
    fixed = client.post(f"/admin/integrations/inbox/{failed.id}/replay", follow_redirects=True)
    text = fixed.get_data(as_text=True)
    assert f"Message {failed.id} was replayed." in text and "No failed messages." in text

    again = client.post(f"/admin/integrations/inbox/{failed.id}/replay", follow_redirects=True)
    assert "Only a failed message can be replayed; this one is applied." in again.get_data(as_text=True)


def test_the_replay_form_needs_its_csrf_token(make_app, json_pms, hotels, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    failed = deliver(payload(upsert("e1"), version=9))
    staff = make_staff("admin")
    client = app.test_client()
    with app.app_context():
        login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": staff.email, "password": "correct horse battery staple", "csrf_token": token})
    page = client.get("/admin/integrations")
    assert page.status_code == 200
    assert client.post(f"/admin/integrations/inbox/{failed.id}/replay").status_code == 400
    form_token = page.get_data(as_text=True).split('name="csrf_token" value="')[-1].split('"')[0]
    replayed = client.post(f"/admin/integrations/inbox/{failed.id}/replay", data={"csrf_token": form_token})
    assert replayed.status_code == 302
