"""The chain's loyalty tiers and a guest's tier, through the service, the API and the pages:
who may define tiers and place guests in them, what is refused and why, the audit trail, and
a merged guest's tier."""
import re

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import merge
from guestrel.guests import service as guest_service
from guestrel.loyalty import service as loyalty_service
from guestrel.loyalty.models import LoyaltyMembership, LoyaltyTier
from guestrel.service_errors import InvalidDataError
from tests.guests.desk_support import part
from tests.loyalty.support import GOLD_BENEFITS, chain_tiers, place

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def guest(**fields):
    return guest_service.create_guest(OPERATOR, {"given_name": "Wei", "family_name": "Li", **fields})


def tier_code(guest_id):
    db.session.expire_all()
    membership = db.session.get(LoyaltyMembership, guest_id)
    return membership.tier.code if membership else None


def test_an_admin_key_defines_tiers_and_every_reader_lists_them_best_first(client, make_api_key):
    admin, reader = make_api_key("loyalty:admin"), make_api_key("loyalty:read")

    created = [client.post("/api/v1/loyalty/tiers", headers=admin, json=body) for body in (
        {"code": "gold", "name": "Gold", "rank": 20, "benefits": GOLD_BENEFITS},
        {"code": "PLATINUM", "name": "Platinum", "rank": 30, "benefits": ["Club lounge access"]},
        {"code": "SILVER", "name": "Silver", "rank": 10})]
    listed = client.get("/api/v1/loyalty/tiers", headers=reader).json["items"]
    one = client.get("/api/v1/loyalty/tiers/gold", headers=reader)

    assert [answer.status_code for answer in created] == [201, 201, 201]
    assert [tier["code"] for tier in listed] == ["PLATINUM", "GOLD", "SILVER"]
    assert one.json["benefits"] == GOLD_BENEFITS and one.headers["ETag"] == '"1"'
    assert listed[2]["benefits"] == []
    trail = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "loyalty_tier")).all()
    assert len(trail) == 3 and trail[0].changes["code"] == [None, "GOLD"]


def test_a_tier_with_a_taken_code_or_rank_or_bad_values_is_refused_saying_why(client, make_api_key):
    admin = make_api_key("loyalty:admin")
    chain_tiers()

    taken_code = client.post("/api/v1/loyalty/tiers", headers=admin, json={"code": "Gold", "name": "Or", "rank": 25})
    taken_rank = client.post("/api/v1/loyalty/tiers", headers=admin, json={"code": "JADE", "name": "Jade", "rank": 20})
    bad_code = client.post("/api/v1/loyalty/tiers", headers=admin, json={"code": "Gold tier!", "name": "x", "rank": 40})
    too_many = client.post("/api/v1/loyalty/tiers", headers=admin, json={
        "code": "JADE", "name": "Jade", "rank": 40, "benefits": [f"Benefit {n}" for n in range(21)]})
    missing = client.post("/api/v1/loyalty/tiers", headers=admin, json={"code": "JADE"})

    assert taken_code.status_code == 409 and "code or this rank" in taken_code.json["message"]
    assert taken_rank.status_code == 409
    assert bad_code.status_code == 422 and "letters, digits" in str(bad_code.json["errors"]["json"]["code"])
    assert too_many.status_code == 422 and "benefits" in too_many.json["errors"]["json"]
    assert missing.status_code == 422 and {"name", "rank"} <= set(missing.json["errors"]["json"])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoyaltyTier)) == 3


def test_changing_a_tier_needs_the_version_read_and_a_key_of_the_whole_chain(client, hotels, make_api_key):
    chain_tiers()
    admin = make_api_key("loyalty:admin")
    hotel_admin = make_api_key("loyalty:admin", properties=[hotels[0]])

    read = client.get("/api/v1/loyalty/tiers/GOLD", headers=admin)
    without = client.patch("/api/v1/loyalty/tiers/GOLD", headers=admin, json={"name": "Golden"})
    stale = client.patch("/api/v1/loyalty/tiers/GOLD", headers={**admin, "If-Match": '"9"'}, json={"name": "Golden"})
    by_a_hotel = client.patch("/api/v1/loyalty/tiers/GOLD", headers={**hotel_admin, "If-Match": read.headers["ETag"]},
                              json={"name": "Golden"})
    changed = client.patch("/api/v1/loyalty/tiers/GOLD", headers={**admin, "If-Match": read.headers["ETag"]},
                           json={"name": "Golden", "benefits": ["Late check-out until 15:00"]})
    unknown = client.patch("/api/v1/loyalty/tiers/JADE", headers={**admin, "If-Match": '"1"'}, json={"name": "x"})

    assert without.status_code == 428 and stale.status_code == 412
    assert by_a_hotel.status_code == 403 and "whole chain" in by_a_hotel.json["message"]
    assert changed.status_code == 200 and changed.json["name"] == "Golden" and changed.headers["ETag"] == '"2"'
    assert changed.json["benefits"] == ["Late check-out until 15:00"]
    assert unknown.status_code == 404


def test_a_key_places_a_guest_in_a_tier_recorded_in_the_guests_audit_trail(client, make_api_key):
    chain_tiers()
    li = guest()
    writer, reader = make_api_key("loyalty:write"), make_api_key("loyalty:read")

    none_yet = client.get(f"/api/v1/guests/{li.id}/membership", headers=reader).json
    placed = client.put(f"/api/v1/guests/{li.id}/membership", headers=writer, json={"tier": "gold"})
    raised = client.put(f"/api/v1/guests/{li.id}/membership", headers=writer, json={"tier": "PLATINUM"})
    again = client.put(f"/api/v1/guests/{li.id}/membership", headers=writer, json={"tier": "PLATINUM"})
    read = client.get(f"/api/v1/guests/{li.id}/membership", headers=reader).json
    unknown = client.put(f"/api/v1/guests/{li.id}/membership", headers=writer, json={"tier": "JADE"})
    nobody = client.put("/api/v1/guests/999999/membership", headers=writer, json={"tier": "GOLD"})
    by_reader = client.put(f"/api/v1/guests/{li.id}/membership", headers=reader, json={"tier": "GOLD"})

    assert none_yet == {"guest_id": li.id, "tier": None, "points": 0}
    assert placed.status_code == 200 and placed.json["tier"]["code"] == "GOLD"
    assert raised.json["tier"]["benefits"][1] == "Club lounge access"
    assert read["tier"]["code"] == "PLATINUM" and again.status_code == 200
    assert unknown.status_code == 422 and "JADE" in unknown.json["errors"]["json"]["tier"][0]
    assert nobody.status_code == 404 and by_reader.status_code == 403
    assert tier_code(li.id) == "PLATINUM"
    changes = [entry.changes["tier"] for entry in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.entity_type == "loyalty_membership", AuditEntry.action == "update",
        AuditEntry.guest_id == li.id).order_by(AuditEntry.id))]
    # Setting the tier it has already changes nothing and records nothing.
    assert changes == [[None, "GOLD"], ["GOLD", "PLATINUM"]]
    views = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "loyalty_membership", AuditEntry.action == "view"))
    assert views == 2


def test_taking_a_guest_out_of_every_tier(client, make_api_key):
    chain_tiers()
    li = guest()
    place(li.id, "GOLD")

    answer = client.put(f"/api/v1/guests/{li.id}/membership", headers=make_api_key("loyalty:write"),
                        json={"tier": None})

    assert answer.json == {"guest_id": li.id, "tier": None, "points": 0}
    assert tier_code(li.id) is None


def test_a_merged_guest_leaves_the_better_tier_to_the_survivor(app):
    chain_tiers()
    survivor, merged, plain = guest(), guest(email="wei@example.com"), guest(given_name="Fang")
    other = guest(given_name="Fang", email="fang@example.com")
    place(survivor.id, "SILVER")
    place(merged.id, "PLATINUM")
    place(other.id, "GOLD")

    merge.merge_guests(OPERATOR, survivor.id, merged.id, survivor.version, merged.version, {})
    merge.merge_guests(OPERATOR, plain.id, other.id, plain.version, other.version, {})

    assert tier_code(survivor.id) == "PLATINUM" and tier_code(merged.id) is None
    assert tier_code(plain.id) == "GOLD" and tier_code(other.id) is None


def test_placing_a_merged_guest_is_refused_naming_the_survivor(app):
    chain_tiers()
    survivor, merged = guest(), guest(email="wei@example.com")
    merge.merge_guests(OPERATOR, survivor.id, merged.id, survivor.version, merged.version, {})

    with pytest.raises(loyalty_service.NotFoundError, match=f"merged into guest {survivor.id}"):
        place(merged.id, "GOLD")


def test_the_benefits_form_takes_one_benefit_a_line_and_refuses_a_long_one(app):
    with pytest.raises(InvalidDataError) as refused:
        loyalty_service.create_tier(OPERATOR, {"code": "JADE", "name": "Jade", "rank": 5, "benefits": "x" * 201})
    tier = loyalty_service.create_tier(OPERATOR, {"code": "jade", "name": "Jade", "rank": 5,
                                                  "benefits": "Free minibar\n\n  Late check-out  \n"})

    assert "200 characters" in refused.value.errors["benefits"][0]
    assert (tier.code, tier.benefits) == ("JADE", ["Free minibar", "Late check-out"])


# -- the pages ----------------------------------------------------------------------------------


def test_an_admin_adds_and_edits_a_tier_in_the_browser(client, make_staff, login):
    login(make_staff("admin"))

    added = client.post("/admin/loyalty-tiers/new", data={
        "code": "platinum", "name": "Platinum", "rank": "30", "benefits": "Club lounge access\nLate check-out until 16:00"},
        follow_redirects=True)
    refused = client.post("/admin/loyalty-tiers/new", data={"code": "PLATINUM", "name": "Again", "rank": "31"})
    edited = client.post("/admin/loyalty-tiers/PLATINUM", data={
        "code": "PLATINUM", "name": "Platinum Elite", "rank": "30", "benefits": "Club lounge access", "version": "1"},
        follow_redirects=True)
    stale = client.post("/admin/loyalty-tiers/PLATINUM", data={
        "code": "PLATINUM", "name": "Old", "rank": "30", "benefits": "", "version": "1"})

    assert "Tier Platinum saved." in added.text and "Late check-out until 16:00" in added.text
    assert refused.status_code == 200 and "Another tier has this code or this rank already." in refused.text
    assert "Tier Platinum Elite saved." in edited.text
    assert stale.status_code == 200 and "changed by someone else" in stale.text
    tier = db.session.scalar(sa.select(LoyaltyTier).execution_options(populate_existing=True))
    assert (tier.name, tier.benefits) == ("Platinum Elite", ["Club lounge access"])


def test_a_manager_places_a_guest_in_a_tier_from_the_profile_and_the_desk_only_reads_it(
        client, hotels, make_staff, login):
    chain_tiers()
    li = guest()
    login(make_staff("manager", properties=[hotels[0]]))

    form_page = client.get(f"/guests/{li.id}").text
    placed = client.post(f"/guests/{li.id}/tier", data={"tier": "GOLD"}, follow_redirects=True)
    refused = client.post(f"/guests/{li.id}/tier", data={"tier": "JADE"}, follow_redirects=True)
    login(make_staff("front_desk", properties=[hotels[0]]))
    desk_page = client.get(f"/guests/{li.id}").text

    assert 'action="/guests/%d/tier"' % li.id in form_page
    assert "Loyalty tier set to Gold." in placed.text
    assert "Changed the loyalty tier" in part(placed.text, "history") and "GOLD" in part(placed.text, "history")
    assert "Choose one of the tiers." in refused.text
    assert tier_code(li.id) == "GOLD"
    assert "Gold" in desk_page and GOLD_BENEFITS[0] in desk_page
    assert 'action="/guests/%d/tier"' % li.id not in desk_page


def test_the_guests_audit_trail_names_tier_and_points_entries(client, make_staff, login, make_api_key):
    chain_tiers()
    li = guest()
    writer = make_api_key("loyalty:write")
    client.put(f"/api/v1/guests/{li.id}/membership", headers=writer, json={"tier": "GOLD"})
    client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "award", "points": 300, "reason": "Welcome", "idempotency_key": "welcome-1"})
    login(make_staff("admin"))

    trail = client.get(f"/audit/guests/{li.id}").text

    assert "Guest's loyalty tier #" in trail and "Points entry #" in trail
