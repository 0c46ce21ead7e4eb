"""The demo data: a chain of two hotels, one account per role and guests with preferences, loaded
through the services, idempotently, and announced with the accounts to sign in with."""
import sqlalchemy as sa

from guestrel import demo
from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId, Preference, SpecialDate
from guestrel.properties.models import Property

GUESTS = 40


def counts() -> dict:
    tables = (Property, StaffUser, Guest, GuestExternalId, Preference, SpecialDate, AuditEntry)
    return {table.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(table)) for table in tables}


def test_seed_creates_the_chain_its_staff_and_guests(app):
    lines = list(demo.seed(guest_count=GUESTS))

    assert f"Added 2 hotels, 5 staff members and {GUESTS} guests." in lines
    hotels = db.session.scalars(sa.select(Property).order_by(Property.code)).all()
    assert [(p.code, p.name, p.timezone, p.currency) for p in hotels] == [
        ("HGH", "Hangzhou West Lake Hotel", "Asia/Shanghai", "CNY"),
        ("SHA", "Shanghai Bund Hotel", "Asia/Shanghai", "CNY"),
    ]
    staff = db.session.scalars(sa.select(StaffUser)).all()
    assert sorted(s.role for s in staff) == ["admin", "front_desk", "housekeeping", "manager", "marketing"]
    assert counts()["Guest"] == GUESTS
    assert counts()["Preference"] > GUESTS / 2
    demo_ids = sa.select(sa.func.count()).select_from(GuestExternalId).filter_by(system="demo_pms")
    assert db.session.scalar(demo_ids) == GUESTS
    names = " ".join(g.display_name for g in db.session.scalars(sa.select(Guest)))
    assert any("\u4e00" <= char <= "\u9fff" for char in names), "Chinese names"
    assert any(char.isascii() and char.isalpha() for char in names), "Western names"


def test_a_second_seed_changes_nothing_and_still_prints_the_accounts(app):
    list(demo.seed(guest_count=GUESTS))
    before = counts()

    lines = list(demo.seed(guest_count=GUESTS))

    assert counts() == before
    assert "The demo data is already there; nothing was changed." in lines
    assert any("frontdesk@demo.guestrel.test" in line for line in lines)


def test_an_interrupted_seed_is_completed_by_the_next_run(app):
    list(demo.seed(guest_count=10))

    lines = list(demo.seed(guest_count=15))

    assert "Added 0 hotels, 0 staff members and 5 guests." in lines
    assert counts()["Guest"] == 15


def test_mr_li_wei_gets_his_carrot_juice_everywhere(app):
    list(demo.seed(guest_count=GUESTS))

    li_wei = db.session.scalars(sa.select(Guest).filter_by(full_name="李伟", salutation="Mr.")).one()
    [juice] = db.session.scalars(sa.select(Preference).filter_by(guest_id=li_wei.id, value="Carrot juice")).all()
    assert (li_wei.given_name, li_wei.family_name) == ("伟", "李")
    assert juice.category.code == "food_and_drink"
    assert juice.detail == "A large glass in the fridge before arrival"
    assert juice.property_id is None and juice.source == "staff" and juice.retired_at is None
    assert juice.alert_at_check_in and juice.prepare_before_arrival


def test_demo_staff_sign_in_with_the_printed_password(app, client):
    lines = list(demo.seed(guest_count=5))

    response = client.post("/login", data={"email": "housekeeping@demo.guestrel.test", "password": demo.DEMO_PASSWORD})

    assert any(demo.DEMO_PASSWORD in line for line in lines)
    assert response.status_code == 302
    page = client.get("/guests", query_string={"q": "li wei"}).get_data(as_text=True)
    assert "李伟" in page and "li.wei@example.com" not in page


def test_seed_demo_command_ends_with_the_address_and_the_accounts(app):
    result = app.test_cli_runner().invoke(args=["guestrel", "seed-demo", "--guests", "5"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "http://127.0.0.1:8000" in "\n".join(lines[-7:])
    for email in ("frontdesk@demo.guestrel.test", "housekeeping@demo.guestrel.test", "marketing@demo.guestrel.test",
                  "manager@demo.guestrel.test", "admin@demo.guestrel.test"):
        assert any(email in line for line in lines[-5:])
    assert f"password of every demo account is: {demo.DEMO_PASSWORD}" in result.output
