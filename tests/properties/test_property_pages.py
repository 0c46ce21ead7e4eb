"""The admin pages for properties: list, add, edit, refusals and who may open them."""
import re

from guestrel.audit.models import AuditEntry
from guestrel.auth import service as auth_service
from guestrel.extensions import db
from guestrel.properties.models import Property

NEW_HOTEL = {"code": "ctu", "name": "Chengdu Kuanzhai", "timezone": "Asia/Shanghai", "currency": "CNY"}



def _property(code):
    db.session.expire_all()
    return db.session.execute(db.select(Property).filter_by(code=code)).scalar_one_or_none()


def _property_count():
    return db.session.execute(db.select(db.func.count()).select_from(Property)).scalar()


def test_admin_sees_every_property_with_its_details(client, hotels, make_staff, login):
    login(make_staff("admin"))

    page = client.get("/admin/properties")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Shanghai Bund" in html and "Hangzhou West Lake" in html
    assert "Asia/Shanghai" in html and "CNY" in html
    assert 'href="/admin/properties/SHA/edit"' in html


def test_admin_adds_a_property_through_the_form(client, hotels, make_staff, login):
    admin = make_staff("admin")
    login(admin)

    assert client.get("/admin/properties/new").status_code == 200
    response = client.post("/admin/properties/new", data=NEW_HOTEL, follow_redirects=True)

    assert response.status_code == 200
    assert response.request.path == "/admin/properties"
    assert "Property CTU added." in response.get_data(as_text=True)
    stored = _property("CTU")
    assert (stored.name, stored.timezone, stored.currency) == ("Chengdu Kuanzhai", "Asia/Shanghai", "CNY")
    entry = db.session.execute(db.select(AuditEntry).filter_by(entity_type="property")).scalar_one()
    assert (entry.action, entry.staff_id, entry.entity_id) == ("create", admin.id, stored.id)


def test_add_form_shows_the_errors_and_keeps_nothing(client, hotels, make_staff, login):
    login(make_staff("admin"))

    response = client.post(
        "/admin/properties/new",
        data={"code": "c!", "name": "", "timezone": "Asia/Atlantis", "currency": "XYZ"},
    )

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('aria-invalid="true"') == 4
    assert "Not a valid choice" in html
    assert _property_count() == 2


def test_add_form_explains_a_badly_formed_code(client, hotels, make_staff, login):
    login(make_staff("admin"))

    response = client.post("/admin/properties/new", data={**NEW_HOTEL, "code": "ctu 2"})

    assert "Use 2 to 16 letters, digits or hyphens." in response.get_data(as_text=True)
    assert _property_count() == 2


def test_add_form_refuses_a_code_already_taken(client, hotels, make_staff, login):
    login(make_staff("admin"))

    response = client.post("/admin/properties/new", data={**NEW_HOTEL, "code": "hgh"})

    assert response.status_code == 200
    assert "Another property already has the code HGH." in response.get_data(as_text=True)
    assert _property("HGH").name == "Hangzhou West Lake"
    assert _property_count() == 2


def test_admin_edits_a_property_and_the_change_is_audited(client, hotels, make_staff, login):
    sha, _hgh = hotels
    admin = make_staff("admin")
    login(admin)

    form = client.get("/admin/properties/SHA/edit").get_data(as_text=True)
    assert 'value="Shanghai Bund"' in form
    assert '<option selected value="Asia/Shanghai">' in form
    response = client.post(
        "/admin/properties/SHA/edit",
        data={"name": "Shanghai Bund Hotel", "timezone": "Asia/Shanghai", "currency": "HKD"},
    )

    assert response.status_code == 302
    stored = _property("SHA")
    assert (stored.name, stored.currency) == ("Shanghai Bund Hotel", "HKD")
    entry = db.session.execute(db.select(AuditEntry).filter_by(entity_type="property")).scalar_one()
    assert entry.action == "update"
    assert entry.staff_id == admin.id
    assert entry.property_id == sha.id
    assert entry.changes == {"currency": ["CNY", "HKD"], "name": ["Shanghai Bund", "Shanghai Bund Hotel"]}


def test_edit_form_shows_errors_and_changes_nothing(client, hotels, make_staff, login):
    login(make_staff("admin"))

    response = client.post(
        "/admin/properties/SHA/edit", data={"name": "", "timezone": "Nowhere/City", "currency": "CNY"}
    )

    assert response.status_code == 200
    assert response.get_data(as_text=True).count('aria-invalid="true"') == 2
    assert _property("SHA").name == "Shanghai Bund"


def test_editing_an_unknown_property_is_404(client, hotels, make_staff, login):
    login(make_staff("admin"))

    assert client.get("/admin/properties/NOPE/edit").status_code == 404


def test_staff_without_properties_write_get_403(client, hotels, make_staff, login):
    sha, _hgh = hotels
    for role in ("front_desk", "manager"):
        staff_client = client.application.test_client()
        login(make_staff(role, properties=[sha]), test_client=staff_client)

        assert staff_client.get("/admin/properties").status_code == 403
        assert staff_client.get("/admin/properties/new").status_code == 403
        assert staff_client.post("/admin/properties/new", data=NEW_HOTEL).status_code == 403
        assert staff_client.post("/admin/properties/SHA/edit", data={**NEW_HOTEL, "name": "X"}).status_code == 403
    assert _property("CTU") is None
    assert _property("SHA").name == "Shanghai Bund"


def test_front_desk_session_does_not_open_the_api(client, hotels, make_staff, login):
    sha, _hgh = hotels
    login(make_staff("front_desk", properties=[sha]))

    # The session is valid for pages (403, not a redirect to the login), yet the API ignores it.
    assert client.get("/admin/properties").status_code == 403
    assert client.post("/api/v1/properties", json=NEW_HOTEL).status_code == 401
    assert client.get("/api/v1/properties").status_code == 401
    assert _property("CTU") is None


def test_anonymous_visitors_are_sent_to_the_login(client, hotels):
    response = client.get("/admin/properties")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_add_form_without_csrf_token_is_refused(make_app, hotels):
    app = make_app(WTF_CSRF_ENABLED=True)
    browser = app.test_client()
    auth_service.create_staff(email="csrf@example.test", name="Admin", password="a long passphrase", role="admin")
    db.session.commit()
    login_page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    signed_in = browser.post(
        "/login", data={"email": "csrf@example.test", "password": "a long passphrase", "csrf_token": token}
    )
    assert signed_in.status_code == 302

    response = browser.post("/admin/properties/new", data=NEW_HOTEL)

    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert _property("CTU") is None
