"""Admins add, change and test connections in the browser; the form comes from the adapter's
settings schema and never shows a secret back."""
import sqlalchemy as sa

from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.sync import connections, secret_box
from guestrel.sync.models import Connection

SETTINGS_FORM = {"name": "Shanghai PMS", "property_code": "SHA", "enabled": "y",
                 "setting_url": "https://pms.example.com", "setting_api_key": "s3cret-key"}


def _input(page: str, name: str) -> str:
    """The <input> tag of the field `name` on the page."""
    start = page.index(f'name="{name}"')
    return page[page.rindex("<input", 0, start):page.index(">", start) + 1]


def _stored() -> Connection:
    db.session.expire_all()
    return db.session.scalar(sa.select(Connection))


def test_an_admin_adds_a_connection_from_the_adapters_own_fields(client, hotels, make_staff, login):
    login(make_staff("admin"))

    chooser = client.get("/admin/integrations/connections/new").get_data(as_text=True)
    assert 'href="/admin/integrations/connections/new/jsonpms"' in chooser
    form = client.get("/admin/integrations/connections/new/jsonpms").get_data(as_text=True)
    assert 'type="text"' in _input(form, "setting_url") and "required" in _input(form, "setting_url")
    assert 'type="password"' in _input(form, "setting_api_key")
    assert 'type="password"' in _input(form, "setting_webhook_secret")

    saved = client.post("/admin/integrations/connections/new/jsonpms", data=SETTINGS_FORM, follow_redirects=True)

    page = saved.get_data(as_text=True)
    connection = _stored()
    assert "The connection Shanghai PMS is saved." in page
    assert f"/inbound/{connection.id}/{connection.inbound_token}" in page
    assert "s3cret-key" not in page
    assert connection.settings == {"url": "https://pms.example.com"} and connection.enabled
    assert secret_box.decrypt(connection.secrets) == {"api_key": "s3cret-key"}


def test_settings_the_adapter_refuses_are_shown_on_their_field_and_nothing_is_stored(client, hotels, make_staff,
                                                                                    login):
    login(make_staff("admin"))

    refused = client.post("/admin/integrations/connections/new/jsonpms",
                          data={**SETTINGS_FORM, "setting_url": "not a url"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    field = page.split('name="setting_url"')[1].split("</small>")[0]
    assert "Not a valid URL." in field
    assert _stored() is None
    missing = client.post("/admin/integrations/connections/new/jsonpms", data={**SETTINGS_FORM, "setting_api_key": ""})
    assert "This field is required." in missing.get_data(as_text=True) and _stored() is None


def test_editing_keeps_a_secret_left_empty_and_refuses_a_stale_version(client, hotels, make_staff, login):
    login(make_staff("admin"))
    client.post("/admin/integrations/connections/new/jsonpms", data=SETTINGS_FORM)
    connection = _stored()
    url = f"/admin/integrations/connections/{connection.id}"

    edit_page = client.get(url).get_data(as_text=True)
    assert 'value="1"' in _input(edit_page, "version") and "s3cret-key" not in edit_page
    changed = client.post(url, data={"name": "Opera", "version": "1", "setting_url": "https://new.example.com",
                                     "setting_api_key": ""}, follow_redirects=True)
    assert "Changes to Opera are saved." in changed.get_data(as_text=True)
    stored = _stored()
    assert (stored.name, stored.enabled, stored.version) == ("Opera", False, 2)
    assert stored.settings == {"url": "https://new.example.com"}
    assert secret_box.decrypt(stored.secrets) == {"api_key": "s3cret-key"}

    stale = client.post(url, data={"name": "Stale", "version": "1", "enabled": "y",
                                   "setting_url": "https://pms.example.com"})
    assert "changed by someone else" in stale.get_data(as_text=True)
    assert _stored().name == "Opera"


def test_testing_a_connection_says_whether_it_works(client, hotels, make_staff, login):
    login(make_staff("admin"))
    client.post("/admin/integrations/connections/new/jsonpms", data=SETTINGS_FORM)
    client.post("/admin/integrations/connections/new/jsonpms",
                data={**SETTINGS_FORM, "property_code": "HGH", "setting_api_key": "wrong-key"})
    working, failing = db.session.scalars(sa.select(Connection.id).order_by(Connection.id)).all()

    ok = client.post(f"/admin/integrations/connections/{working}/test", follow_redirects=True)
    refused = client.post(f"/admin/integrations/connections/{failing}/test", follow_redirects=True)

    assert "The connection works: https://pms.example.com answered" in ok.get_data(as_text=True)
    assert "The connection does not work:" in refused.get_data(as_text=True)


def test_an_unknown_adapter_or_connection_is_not_found_and_other_roles_are_refused(client, hotels, make_staff,
                                                                                   login):
    login(make_staff("admin"))
    assert client.get("/admin/integrations/connections/new/nosuch").status_code == 404
    assert client.get("/admin/integrations/connections/999").status_code == 404
    client.post("/logout")
    login(make_staff("manager", properties=[hotels[0]]))
    assert client.get("/admin/integrations/connections/new").status_code == 403


def test_the_connection_forms_need_their_csrf_token(make_app, json_pms, hotels, make_staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    staff = make_staff("admin")
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": staff.email, "password": "correct horse battery staple", "csrf_token": token})
    with app.app_context():
        connection = connections.create_connection(
            OPERATOR, {"adapter": "jsonpms", "property_code": "SHA", "name": "PMS",
                                     "settings": {"url": "https://pms.example.com", "api_key": "k"}}).connection

    assert client.post("/admin/integrations/connections/new/jsonpms", data=SETTINGS_FORM).status_code == 400
    assert client.post(f"/admin/integrations/connections/{connection.id}/test").status_code == 400
