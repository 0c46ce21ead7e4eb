"""`guestrel create-admin` and `guestrel create-api-client`, as an operator runs them."""
from guestrel.audit.models import AuditEntry
from guestrel.auth.models import ApiClient, StaffUser
from guestrel.extensions import db

ADMIN_PASSWORD = "operator chosen secret"


def _count(model):
    db.session.expire_all()
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar()


def test_create_admin_makes_an_admin_who_can_sign_in(app, login, monkeypatch):
    monkeypatch.setenv("GUESTREL_ADMIN_PASSWORD", ADMIN_PASSWORD)

    result = app.test_cli_runner().invoke(args=["guestrel", "create-admin", "Root@Example.test", "--name", "Root"])

    assert result.exit_code == 0, result.output
    assert "Admin root@example.test created." in result.output
    admin = db.session.execute(db.select(StaffUser).filter_by(email="root@example.test")).scalar_one()
    assert (admin.role, admin.name, admin.active) == ("admin", "Root", True)
    [entry] = db.session.execute(db.select(AuditEntry).filter_by(action="create")).scalars().all()
    assert (entry.entity_id, entry.staff_id, entry.api_client_id) == (admin.id, None, None)
    client = login(admin, password=ADMIN_PASSWORD)
    assert client.get("/admin/staff").status_code == 200


def test_create_admin_refuses_a_taken_e_mail(app, make_staff, monkeypatch):
    make_staff("manager", email="root@example.test")
    monkeypatch.setenv("GUESTREL_ADMIN_PASSWORD", ADMIN_PASSWORD)

    result = app.test_cli_runner().invoke(args=["guestrel", "create-admin", "ROOT@example.test"])

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert _count(StaffUser) == 1


def test_create_admin_refuses_a_short_password(app, monkeypatch):
    monkeypatch.setenv("GUESTREL_ADMIN_PASSWORD", "short")

    result = app.test_cli_runner().invoke(args=["guestrel", "create-admin", "root@example.test"])

    assert result.exit_code != 0
    assert "at least 10 characters" in result.output
    assert _count(StaffUser) == 0


def test_create_admin_asks_for_the_password_when_none_is_set(app, monkeypatch):
    monkeypatch.delenv("GUESTREL_ADMIN_PASSWORD", raising=False)

    result = app.test_cli_runner().invoke(
        args=["guestrel", "create-admin", "root@example.test"], input=f"{ADMIN_PASSWORD}\n{ADMIN_PASSWORD}\n"
    )

    assert result.exit_code == 0, result.output
    assert _count(StaffUser) == 1


def test_create_api_client_prints_a_working_key(app, client, hotels):
    result = app.test_cli_runner().invoke(
        args=["guestrel", "create-api-client", "Opera PMS", "--scope", "guests:read", "--scope", "staff:admin", "--property", "SHA"]
    )

    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    stored = db.session.execute(db.select(ApiClient)).scalar_one()
    assert (stored.name, stored.scopes, [p.code for p in stored.properties]) == (
        "Opera PMS", ["guests:read", "staff:admin"], ["SHA"]
    )
    response = client.get("/api/v1/staff", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def test_create_api_client_refuses_an_unknown_property_and_creates_nothing(app, hotels):
    result = app.test_cli_runner().invoke(
        args=["guestrel", "create-api-client", "Opera PMS", "--scope", "guests:read", "--property", "XYZ"]
    )

    assert result.exit_code != 0
    assert "XYZ" in result.output
    assert "grl_" not in result.output
    assert _count(ApiClient) == 0


def test_create_api_client_refuses_an_unknown_scope(app):
    result = app.test_cli_runner().invoke(args=["guestrel", "create-api-client", "Opera PMS", "--scope", "root"])

    assert result.exit_code != 0
    assert _count(ApiClient) == 0
