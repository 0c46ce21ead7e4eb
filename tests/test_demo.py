"""The demo data: a chain of two hotels, one account per role and guests with preferences, loaded
through the services, idempotently, and announced with the accounts to sign in with."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guestrel import demo
from guestrel.alerts import rule_service
from guestrel.audit.models import AuditEntry
from guestrel.auth.models import StaffUser
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId, Preference, SpecialDate
from guestrel.loyalty import points as loyalty_points
from guestrel.loyalty import service as loyalty_service
from guestrel.properties.models import Property
from guestrel.sync import connections
from guestrel.sync.models import Connection

GUESTS = 40


def counts() -> dict:
    tables = (Property, StaffUser, Guest, GuestExternalId, Preference, SpecialDate, AuditEntry, Connection)
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
    li_wei = db.session.scalar(sa.select(Guest).where(Guest.full_name == "李伟"))
    assert loyalty_service.tier_of(li_wei.id).name == "Platinum" and loyalty_points.balance(li_wei.id) == 12_400
    tiers = loyalty_service.tiers_of([guest.id for guest in db.session.scalars(sa.select(Guest))])
    assert {tier.code for tier in tiers.values()} == {"SILVER", "GOLD", "PLATINUM"}
    assert [rule.name for rule in rule_service.list_rules(OPERATOR)] == ["Platinum welcome"]


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


def test_seed_connects_each_hotel_to_the_demo_pms_with_li_wei_due_at_hangzhou_tomorrow(app):
    lines = list(demo.seed(guest_count=GUESTS))

    views = {view.property_code: view for view in connections.list_connections(OPERATOR)}
    assert sorted(views) == ["HGH", "SHA"]
    assert all(view.connection.adapter == "demo_pms" and view.connection.enabled for view in views.values())
    assert all(connections.check_connection(OPERATOR, view.connection.id).ok for view in views.values())
    li_wei = db.session.scalars(sa.select(Guest).filter_by(full_name="李伟")).one()
    [his_id] = [row.external_id for row in li_wei.external_ids if row.system == "demo_pms"]
    tomorrow = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)).isoformat()
    known = {code: {guest["external_id"]: guest for guest in view.connection.settings["guests"]}
             for code, view in views.items()}
    assert known["HGH"][his_id]["arrival"] == tomorrow and known["HGH"][his_id]["family_name"] == "李"
    # Each hotel has regulars of its own, all of them guests guestrel knows by their demo PMS id.
    assert (len(known["SHA"]), len(known["HGH"])) == (demo.KNOWN_GUESTS_PER_HOTEL, 1 + demo.KNOWN_GUESTS_PER_HOTEL)
    assert not set(known["SHA"]) & set(known["HGH"])
    stored = set(db.session.scalars(sa.select(GuestExternalId.external_id).filter_by(system="demo_pms")))
    assert set(known["SHA"]) | set(known["HGH"]) <= stored
    assert any("arrives at Hangzhou tomorrow" in line for line in lines)


def test_seed_without_the_demo_pms_plugin_says_no_arrivals_are_simulated(make_app):
    app = make_app(GUESTREL_PLUGINS_BLOCKED=["demo_pms"])
    with app.app_context():
        lines = list(demo.seed(guest_count=5))

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Connection)) == 0
    assert "The demo_pms plugin is not installed, so no arrivals are simulated." in lines


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
