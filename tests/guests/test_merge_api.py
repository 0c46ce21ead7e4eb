"""Merging two profiles through the API, and the review list of possible duplicates: what moves,
what collapses, what the trail shows, and every refusal."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import identity, preference_service, service
from guestrel.guests.models import (
    Guest,
    GuestExternalId,
    GuestMatchReview,
    GuestSearchTerm,
    Preference,
    SpecialDate,
)
from guestrel.guests.signals import guest_merged
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


@dataclass
class Pair:
    survivor: Guest
    merged: Guest
    third: Guest
    fourth: Guest
    kept_juice: int
    other_juice: int
    pillow: int
    retired: int
    stay: int


def _set(model, row_id, **values):
    db.session.execute(sa.update(model).where(model.id == row_id).values(**values))
    db.session.commit()


def _review(guest_id, candidate_id, status="open"):
    db.session.add(GuestMatchReview(guest_id=guest_id, candidate_id=candidate_id, score=80,
                                    reasons=["email", "different_name"], status=status, source_system="opera"))
    db.session.commit()


@pytest.fixture
def pair(app, hotels) -> Pair:
    survivor = service.create_guest(SYSTEM, {
        "given_name": "Anna", "family_name": "Müller", "email": "anna@example.de", "vip_code": "GOLD",
        "birthday": date(1980, 1, 2), "external_ids": [{"system": "opera", "external_id": "A-1"}]})
    merged = service.create_guest(SYSTEM, {
        "given_name": "Anna", "family_name": "Mueller", "email": "anna.m@example.com", "company": "Nordlicht",
        "member_number": "M-77", "external_ids": [{"system": "mews", "external_id": "B-1"},
                                                  {"system": "opera", "external_id": "B-2"}]})
    third = service.create_guest(SYSTEM, {"given_name": "Peter", "family_name": "Mueller"})
    fourth = service.create_guest(SYSTEM, {"given_name": "Paul", "family_name": "Mueller"})
    kept = preference_service.add_preference(SYSTEM, survivor.id, {"category": "food_and_drink", "value": "Carrot juice"})
    other = preference_service.add_preference(SYSTEM, merged.id, {
        "category": "food_and_drink", "value": " carrot  JUICE", "detail": "A large glass", "alert_at_check_in": True})
    pillow = preference_service.add_preference(SYSTEM, merged.id, {
        "category": "bed_and_pillow", "value": "Feather-free pillow", "property_code": "SHA"})
    retired = preference_service.add_preference(SYSTEM, merged.id, {"category": "room", "value": "Low floor"})
    preference_service.retire_preference(SYSTEM, merged.id, retired.id)
    _set(Preference, kept.id, recorded_at=T0, last_confirmed_at=T0 + timedelta(days=10))
    _set(Preference, other.id, recorded_at=T0 + timedelta(days=5), last_confirmed_at=T0 + timedelta(days=20))
    for guest in (survivor, merged):
        service.add_special_date(SYSTEM, guest.id, {"kind": "other", "date": date(2015, 10, 1), "label": "First stay"})
    service.add_special_date(SYSTEM, merged.id, {"kind": "anniversary", "date": date(2010, 6, 1)})
    stay = stay_service.upsert_stay(SYSTEM, "SHA", "R-9", {
        "source_modified_at": T0, "guest_id": merged.id, "arrival": date(2026, 12, 1), "departure": date(2026, 12, 3),
    }).stay
    service.get_guest(SYSTEM, merged.id)
    _review(merged.id, survivor.id)
    _review(merged.id, third.id)
    _review(survivor.id, fourth.id)
    _review(fourth.id, merged.id)
    return Pair(service.get_guest(SYSTEM, survivor.id, audit_view=False),
                service.get_guest(SYSTEM, merged.id, audit_view=False), third, fourth, kept.id, other.id,
                pillow.id, retired.id, stay.id)


@pytest.fixture
def merger(make_api_key):
    return make_api_key("guests:merge", name="CRM desk")


def merge(client, headers, pair, *, choices=None, if_match=None, merged_version=None, survivor=None, merged=None):
    survivor = survivor or pair.survivor
    body = {"merged_guest_id": (merged or pair.merged).id,
            "merged_version": merged_version or (merged or pair.merged).version,
            "choices": choices if choices is not None else {"family_name": "survivor", "email": "survivor"}}
    headers = {**headers, "If-Match": if_match or f'"{survivor.version}"'} if if_match != "" else headers
    return client.post(f"/api/v1/guests/{survivor.id}/merge", json=body, headers=headers)


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def rows(model, **where):
    query = sa.select(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    db.session.expire_all()
    return db.session.scalars(query.order_by(*model.__table__.primary_key.columns)).all()


def test_a_merge_moves_every_kind_of_row_to_the_survivor(client, merger, pair):
    entries_of_merged = {entry.id for entry in rows(AuditEntry, guest_id=pair.merged.id)}
    versions = (pair.survivor.version, pair.merged.version)

    response = merge(client, merger, pair, choices={"family_name": "survivor", "email": "merged"})

    assert response.status_code == 200, response.json
    body = response.json
    assert response.headers["ETag"] == f'"{versions[0] + 1}"'
    assert (body["id"], body["family_name"], body["email"]) == (pair.survivor.id, "Müller", "anna.m@example.com")
    assert (body["company"], body["member_number"], body["vip_code"]) == ("Nordlicht", "M-77", "GOLD")
    assert {(e["system"], e["external_id"]) for e in body["external_ids"]} == {
        ("opera", "A-1"), ("mews", "B-1"), ("opera", "B-2")}

    tombstone = fresh(Guest, pair.merged.id)
    assert tombstone.merged_into_id == pair.survivor.id and tombstone.member_number is None
    assert tombstone.version == versions[1] + 1
    for model in (GuestExternalId, Preference, SpecialDate, GuestSearchTerm):
        assert rows(model, guest_id=pair.merged.id) == [], model
    assert {p.id for p in rows(Preference, guest_id=pair.survivor.id)} == {
        pair.kept_juice, pair.other_juice, pair.pillow, pair.retired}
    assert sorted((d.kind, d.date) for d in rows(SpecialDate, guest_id=pair.survivor.id)) == [
        ("anniversary", date(2010, 6, 1)), ("other", date(2015, 10, 1))]
    assert fresh(Stay, pair.stay).guest_id == pair.survivor.id
    assert entries_of_merged <= {entry.id for entry in rows(AuditEntry, guest_id=pair.survivor.id)}
    assert rows(AuditEntry, guest_id=pair.merged.id) == []
    terms = {t.term for t in rows(GuestSearchTerm, guest_id=pair.survivor.id)}
    assert {"@anna.m@example.com", "m77", "muller"} <= terms and "@anna@example.de" not in terms

    reviews = {(r.guest_id, r.candidate_id): r for r in rows(GuestMatchReview)}
    decided = reviews[(pair.merged.id, pair.survivor.id)]
    assert decided.status == "merged" and decided.decided_by_client_id is not None and decided.decided_at
    assert reviews[(pair.survivor.id, pair.third.id)].status == "open"
    assert (pair.fourth.id, pair.merged.id) not in reviews and (pair.fourth.id, pair.survivor.id) not in reviews
    assert reviews[(pair.survivor.id, pair.fourth.id)].status == "open"


def test_identical_preferences_collapse_into_the_first_recorded_with_the_latest_confirmation(client, merger, pair):
    assert merge(client, merger, pair).status_code == 200

    kept, duplicate = fresh(Preference, pair.kept_juice), fresh(Preference, pair.other_juice)
    assert kept.retired_at is None and duplicate.retired_at is not None
    assert (kept.recorded_at, kept.last_confirmed_at) == (T0, T0 + timedelta(days=20))
    assert (kept.value, kept.detail, kept.alert_at_check_in) == ("Carrot juice", "A large glass", True)
    active = preference_service.list_preferences(SYSTEM, pair.survivor.id)
    assert sorted(p.value for p in active) == ["Carrot juice", "Feather-free pillow"]
    retire = rows(AuditEntry, entity_type="preference", entity_id=pair.other_juice, action="retire")[-1]
    assert retire.changes["duplicate_of"] == [None, pair.kept_juice]


def test_the_survivors_trail_shows_the_merged_guests_history_and_one_merge_entry(client, merger, make_api_key, pair):
    assert merge(client, merger, pair, choices={"family_name": "merged", "email": "survivor"}).status_code == 200

    auditor = make_api_key("audit:read")
    items = client.get(f"/api/v1/audit?guest_id={pair.survivor.id}&limit=200", headers=auditor).json["items"]
    created = {(item["entity_type"], item["entity_id"]) for item in items if item["action"] == "create"}
    assert {("guest", pair.merged.id), ("guest", pair.survivor.id), ("stay", pair.stay)} <= created
    assert any(item["action"] == "view" and item["entity_id"] == pair.merged.id for item in items)
    [entry] = [item for item in items if item["action"] == "merge"]
    assert (entry["entity_id"], entry["actor"]["name"]) == (pair.survivor.id, "CRM desk")
    changes = entry["changes"]
    assert changes["merged_guest"] == [pair.merged.id, pair.survivor.id]
    assert changes["family_name"] == ["Müller", "Mueller"]
    assert changes["choices"][1] == {"family_name": "merged", "email": "survivor", "company": "merged",
                                     "member_number": "merged", "vip_code": "survivor", "birthday": "survivor"}
    assert changes["discarded"][0] == {"email": "anna.m@example.com"}
    assert changes["moved"][1] | {"audit_entries": 0} == {
        "external_ids": 2, "special_dates": 1, "special_dates_dropped": 1, "preferences": 3,
        "preferences_collapsed": 1, "stays": 1, "reviews": 3, "audit_entries": 0}
    assert client.get(f"/api/v1/audit?guest_id={pair.merged.id}", headers=auditor).json["items"] == []


def test_a_merged_guest_answers_404_naming_the_survivor_and_its_links_lead_there(client, merger, make_api_key, pair):
    assert merge(client, merger, pair).status_code == 200
    reader = make_api_key("guests:write", "stays:write")
    message = f"Guest {pair.merged.id} was merged into guest {pair.survivor.id}."

    profile = client.get(f"/api/v1/guests/{pair.merged.id}", headers=reader)
    preferences = client.get(f"/api/v1/guests/{pair.merged.id}/preferences", headers=reader)
    change = client.patch(f"/api/v1/guests/{pair.merged.id}", json={"notes": "x"},
                          headers={**reader, "If-Match": f'"{pair.merged.version}"'})
    by_id = client.get("/api/v1/guests/by-external-id/mews/B-1", headers=reader)
    by_email = client.get("/api/v1/guests?email=anna.m@example.com", headers=reader)
    stay = client.put("/api/v1/properties/SHA/stays/R-10", headers=reader, json={
        "source_modified_at": "2026-11-01T00:00:00+00:00", "guest_id": pair.merged.id,
        "arrival": "2027-01-01", "departure": "2027-01-02"})

    assert (profile.status_code, profile.json["message"]) == (404, message)
    assert (preferences.status_code, preferences.json["message"]) == (404, message)
    assert change.status_code == 404
    assert by_id.status_code == 200 and by_id.json["id"] == pair.survivor.id
    assert by_email.json["items"] == []
    assert stay.status_code == 201 and stay.json["stay"]["guest_id"] == pair.survivor.id


def test_a_merged_profile_is_never_matched_again(app, client, merger, pair):
    assert merge(client, merger, pair).status_code == 200

    again = identity.resolve(SYSTEM, "channel", {"given_name": "Anna", "family_name": "Mueller",
                                                 "email": "anna.m@example.com"})

    assert again.created and again.guest_id not in (pair.merged.id, pair.survivor.id)
    assert all(c.guest_id != pair.merged.id for c in again.reviews)


@pytest.mark.parametrize("stale", ["survivor", "merged"])
def test_a_stale_version_is_refused_with_412_and_nothing_moves(client, merger, pair, stale):
    versions = {"if_match": f'"{pair.survivor.version - (stale == "survivor")}"',
                "merged_version": pair.merged.version + (stale == "merged")}

    response = merge(client, merger, pair, **versions)

    assert response.status_code == 412
    assert "changed by someone else" in response.json["message"]
    assert fresh(Guest, pair.merged.id).merged_into_id is None
    assert len(rows(GuestExternalId, guest_id=pair.merged.id)) == 2


def test_a_merge_without_if_match_is_refused_with_428(client, merger, pair):
    response = merge(client, merger, pair, if_match="")
    assert response.status_code == 428
    assert fresh(Guest, pair.merged.id).merged_into_id is None


def test_a_key_without_guests_merge_is_refused(client, make_api_key, pair):
    response = merge(client, make_api_key("guests:write", "audit:read"), pair)
    assert response.status_code == 403
    assert "guests:merge" in response.json["message"]
    assert fresh(Guest, pair.merged.id).merged_into_id is None


def test_merging_with_itself_with_a_merged_guest_or_into_a_merged_guest_is_refused(client, merger, pair):
    itself = merge(client, merger, pair, merged=pair.survivor)
    assert itself.status_code == 422
    assert itself.json["errors"]["json"]["merged_guest_id"] == ["A guest cannot be merged with itself."]
    missing = client.post(f"/api/v1/guests/{pair.survivor.id}/merge", headers={**merger, "If-Match": '"1"'},
                          json={"merged_guest_id": 999999, "merged_version": 1})
    assert missing.status_code == 422
    assert merge(client, merger, pair).status_code == 200
    survivor = fresh(Guest, pair.survivor.id)

    again = merge(client, merger, pair, survivor=survivor, merged=pair.merged)
    into_tombstone = merge(client, merger, pair, survivor=pair.merged, merged=pair.third,
                           if_match=f'"{pair.merged.version}"')

    assert again.status_code == 422
    assert again.json["errors"]["json"]["merged_guest_id"] == [
        f"Guest {pair.merged.id} was merged into guest {pair.survivor.id} already."]
    assert into_tombstone.status_code == 404
    assert into_tombstone.json["message"] == f"Guest {pair.merged.id} was merged into guest {pair.survivor.id}."


def test_a_field_both_hold_differently_needs_a_choice(client, merger, pair):
    unchosen = merge(client, merger, pair, choices={})
    unknown = merge(client, merger, pair, choices={"family_name": "survivor", "version": "merged", "email": "both"})

    assert unchosen.status_code == 422
    assert unchosen.json["errors"]["json"]["choices"] == ["Choose which value to keep for: family_name, email."]
    assert unknown.status_code == 422
    assert set(unknown.json["errors"]["json"]["choices"]) == {"version", "email"}
    assert fresh(Guest, pair.merged.id).merged_into_id is None


def test_a_key_bound_to_one_hotel_merges_only_guests_with_nothing_elsewhere(client, make_api_key, hotels, pair):
    shanghai_key = make_api_key("guests:merge", properties=[hotels[0]])
    hangzhou_key = make_api_key("guests:merge", properties=[hotels[1]])

    refused = merge(client, hangzhou_key, pair)
    assert refused.status_code == 403
    assert "hotels you do not work for" in refused.json["message"]
    assert fresh(Guest, pair.merged.id).merged_into_id is None
    assert merge(client, shanghai_key, pair).status_code == 200


def test_other_domains_move_their_rows_on_the_signal_and_a_failure_rolls_the_merge_back(app, client, merger, pair):
    heard = []

    def moving(sender, **facts):
        heard.append(facts)

    def failing(sender, **facts):
        raise RuntimeError("the points ledger is locked")

    with guest_merged.connected_to(failing, sender=app):
        failed = merge(client, merger, pair)
    assert failed.status_code == 500
    assert fresh(Guest, pair.merged.id).merged_into_id is None
    assert len(rows(GuestExternalId, guest_id=pair.merged.id)) == 2

    with guest_merged.connected_to(moving, sender=app):
        assert merge(client, merger, pair).status_code == 200
    assert heard == [{"survivor_id": pair.survivor.id, "merged_id": pair.merged.id}]


# -- the review list --------------------------------------------------------------------------


def test_open_reviews_are_listed_with_both_guests_a_page_at_a_time(client, merger, pair):
    first = client.get("/api/v1/guests/match-reviews?limit=2", headers=merger)
    second = client.get(f"/api/v1/guests/match-reviews?limit=2&after={first.json['next_after']}", headers=merger)

    assert first.status_code == 200
    items = first.json["items"] + second.json["items"]
    assert second.json["next_after"] is None
    assert [(i["guest"]["id"], i["candidate"]["id"]) for i in items] == [
        (pair.merged.id, pair.survivor.id), (pair.merged.id, pair.third.id),
        (pair.survivor.id, pair.fourth.id), (pair.fourth.id, pair.merged.id)]
    item = items[0]
    assert (item["guest"]["email"], item["candidate"]["member_number"]) == ("anna.m@example.com", None)
    assert (item["score"], item["reasons"], item["status"], item["source_system"]) == (
        80, ["email", "different_name"], "open", "opera")


def test_a_dismissed_pair_leaves_the_list_and_both_trails_record_it(client, merger, pair):
    review = rows(GuestMatchReview, guest_id=pair.merged.id, candidate_id=pair.third.id)[0]

    response = client.post(f"/api/v1/guests/match-reviews/{review.id}/dismiss", headers=merger)
    again = client.post(f"/api/v1/guests/match-reviews/{review.id}/dismiss", headers=merger)

    assert response.status_code == 200 and again.status_code == 200
    assert (response.json["status"], response.json["guest"]["id"]) == ("dismissed", pair.merged.id)
    stored = fresh(GuestMatchReview, review.id)
    assert stored.status == "dismissed" and stored.decided_by_client_id is not None
    listed = client.get("/api/v1/guests/match-reviews", headers=merger).json["items"]
    assert review.id not in {item["id"] for item in listed}
    entries = rows(AuditEntry, entity_type="guest_match_review", action="update")
    assert {entry.guest_id for entry in entries} == {pair.merged.id, pair.third.id}
    assert all(entry.changes == {"status": ["open", "dismissed"]} for entry in entries)


def test_a_merged_pair_cannot_be_dismissed_and_an_unknown_one_is_not_found(client, merger, pair):
    review = rows(GuestMatchReview, guest_id=pair.merged.id, candidate_id=pair.survivor.id)[0]
    assert merge(client, merger, pair).status_code == 200

    merged = client.post(f"/api/v1/guests/match-reviews/{review.id}/dismiss", headers=merger)
    unknown = client.post("/api/v1/guests/match-reviews/999999/dismiss", headers=merger)

    assert (merged.status_code, merged.json["message"]) == (422, "These guests were merged already.")
    assert unknown.status_code == 404


def test_the_review_list_needs_guests_merge(client, make_api_key, pair):
    writer = make_api_key("guests:write")
    assert client.get("/api/v1/guests/match-reviews", headers=writer).status_code == 403
    review = rows(GuestMatchReview)[0]
    assert client.post(f"/api/v1/guests/match-reviews/{review.id}/dismiss", headers=writer).status_code == 403
    assert fresh(GuestMatchReview, review.id).status == "open"
