"""The points ledger: entries only ever added, the balance their sum and never below zero, a
retried request booked once, racing redemptions that cannot overspend, a merge that moves the
balance, and the profile's points for the desk and for managers."""
import threading
import uuid

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import merge
from guestrel.guests import service as guest_service
from guestrel.loyalty import points
from guestrel.loyalty.models import PointsEntry
from guestrel.service_errors import ConflictError, InvalidDataError

RACERS = 8


def guest(**fields):
    return guest_service.create_guest(OPERATOR, {"given_name": "Wei", "family_name": "Li", **fields})


def book(guest_id, kind, amount, reason="Stay in December", key=None):
    return points.record(OPERATOR, guest_id, {"kind": kind, "points": amount, "reason": reason,
                                              "idempotency_key": key or uuid.uuid4().hex})


def stored(guest_id):
    db.session.rollback()
    return db.session.scalars(sa.select(PointsEntry).where(PointsEntry.guest_id == guest_id)
                              .order_by(PointsEntry.id)).all()


def test_awards_and_redemptions_add_entries_and_the_balance_is_their_sum(app):
    li = guest()

    book(li.id, "award", 1200)
    book(li.id, "redeem", 500, reason="Breakfast voucher")
    adjusted = book(li.id, "adjust", -100, reason="Double award in November")

    assert adjusted.balance == 600 and points.balance(li.id) == 600
    assert [(entry.kind, entry.points) for entry in stored(li.id)] == [("award", 1200), ("redeem", -500), ("adjust", -100)]
    trail = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "points_entry")).all()
    assert [entry.changes["points"][1] for entry in trail] == [1200, -500, -100]
    assert all(entry.guest_id == li.id for entry in trail)


def test_a_redemption_the_balance_cannot_cover_is_refused_and_nothing_is_booked(app):
    li = guest()
    book(li.id, "award", 300)

    with pytest.raises(InvalidDataError) as refused:
        book(li.id, "redeem", 500)
    with pytest.raises(InvalidDataError):
        book(li.id, "adjust", -301)

    assert "has 300 points: 500 cannot be taken off" in refused.value.errors["points"][0]
    assert points.balance(li.id) == 300 and len(stored(li.id)) == 1


def test_a_retry_with_the_same_key_books_once_and_another_entry_with_it_is_refused(app):
    li = guest()

    first = book(li.id, "award", 800, key="stay-4711")
    again = book(li.id, "award", 800, key="stay-4711")
    with pytest.raises(ConflictError):
        book(li.id, "award", 900, key="stay-4711")

    assert (first.replayed, again.replayed) == (False, True)
    assert again.entry.id == first.entry.id and again.balance == 800
    assert len(stored(li.id)) == 1


@pytest.mark.parametrize("data, field", [
    ({"kind": "award", "points": 0, "reason": "x"}, "points"),
    ({"kind": "award", "points": -5, "reason": "x"}, "points"),
    ({"kind": "award", "points": "500", "reason": "x"}, "points"),
    ({"kind": "gift", "points": 5, "reason": "x"}, "kind"),
    ({"kind": "merge", "points": 5, "reason": "x"}, "kind"),
    ({"kind": "award", "points": 5, "reason": ""}, "reason"),
    ({"kind": "award", "points": 5, "reason": "x", "idempotency_key": "k" * 101}, "idempotency_key"),
])
def test_an_entry_with_a_wrong_value_is_refused_naming_the_field(app, data, field):
    li = guest()

    with pytest.raises(InvalidDataError) as refused:
        points.record(OPERATOR, li.id, {"idempotency_key": uuid.uuid4().hex, **data})

    assert field in refused.value.errors
    assert stored(li.id) == []


def test_racing_redemptions_never_overspend(app):
    guest_id = guest().id
    book(guest_id, "award", 500)
    db.session.remove()
    results, start = [], threading.Barrier(RACERS)

    def redeem():
        with app.app_context():
            start.wait()
            try:
                book(guest_id, "redeem", 100)
                results.append("booked")
            except InvalidDataError:
                results.append("refused")
            finally:
                db.session.remove()

    racers = [threading.Thread(target=redeem) for _ in range(RACERS)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=60)

    assert sorted(results) == ["booked"] * 5 + ["refused"] * (RACERS - 5)
    assert points.balance(guest_id) == 0


def test_a_merge_moves_the_balance_with_a_pair_of_entries(app):
    survivor, merged = guest(), guest(email="wei@example.com")
    book(survivor.id, "award", 100)
    book(merged.id, "award", 2500)

    merge.merge_guests(OPERATOR, survivor.id, merged.id, survivor.version, merged.version, {})

    assert points.balance(survivor.id) == 2600 and points.balance(merged.id) == 0
    assert [(entry.kind, entry.points) for entry in stored(merged.id)][-1] == ("merge", -2500)
    assert stored(survivor.id)[-1].reason == f"Merged from guest #{merged.id}"


# -- the API ------------------------------------------------------------------------------------


def test_a_pms_key_awards_and_redeems_points_and_reads_the_ledger(client, hotels, make_api_key):
    li = guest()
    writer = make_api_key("loyalty:write", properties=[hotels[0]])
    key = str(uuid.uuid4())

    awarded = client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "award", "points": 1500, "reason": "Stay R-1", "idempotency_key": key, "property_code": "SHA"})
    retried = client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "award", "points": 1500, "reason": "Stay R-1", "idempotency_key": key, "property_code": "SHA"})
    overdrawn = client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "redeem", "points": 2000, "reason": "Suite upgrade", "idempotency_key": str(uuid.uuid4())})
    elsewhere = client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "award", "points": 10, "reason": "x", "idempotency_key": str(uuid.uuid4()), "property_code": "HGH"})
    redeemed = client.post(f"/api/v1/guests/{li.id}/points", headers=writer, json={
        "kind": "redeem", "points": 400, "reason": "Spa voucher", "idempotency_key": str(uuid.uuid4())})
    ledger = client.get(f"/api/v1/guests/{li.id}/points?limit=1", headers=writer).json
    older = client.get(f"/api/v1/guests/{li.id}/points?before={ledger['next_before']}", headers=writer).json
    membership = client.get(f"/api/v1/guests/{li.id}/membership", headers=writer).json

    assert awarded.status_code == 201 and awarded.json["balance"] == 1500
    assert awarded.json["entry"]["property_code"] == "SHA"
    assert retried.status_code == 200 and retried.json["entry"]["id"] == awarded.json["entry"]["id"]
    assert overdrawn.status_code == 422 and "1500 points" in overdrawn.json["errors"]["json"]["points"][0]
    assert elsewhere.status_code == 404
    assert redeemed.status_code == 201 and redeemed.json["entry"]["points"] == -400
    assert ledger["balance"] == 1100 and [item["reason"] for item in ledger["items"]] == ["Spa voucher"]
    assert [item["reason"] for item in older["items"]] == ["Stay R-1"] and older["next_before"] is None
    assert membership["points"] == 1100
    views = db.session.scalars(sa.select(AuditEntry.entity_type).where(
        AuditEntry.action == "view", AuditEntry.guest_id == li.id).order_by(AuditEntry.id)).all()
    assert views == ["points", "points", "loyalty_membership"]


# -- the profile --------------------------------------------------------------------------------


def test_a_manager_books_points_on_the_profile_once_however_often_the_form_is_sent(client, hotels, make_staff, login):
    li = guest()
    book(li.id, "award", 1000)
    login(make_staff("manager", properties=[hotels[0]]))
    page = client.get(f"/guests/{li.id}").text
    key = page.split('name="idempotency_key" type="hidden" value="')[1].split('"')[0]
    form = {"kind": "award", "points": "250", "reason": "Apology for the noise", "idempotency_key": key}

    booked = client.post(f"/guests/{li.id}/points", data=form, follow_redirects=True)
    client.post(f"/guests/{li.id}/points", data=form)
    refused = client.post(f"/guests/{li.id}/points", data={**form, "kind": "redeem", "points": "5000",
                                                           "idempotency_key": uuid.uuid4().hex})

    assert "250 points booked; the balance is 1,250." in booked.text
    assert "Apology for the noise" in booked.text and "+250" in booked.text
    assert refused.status_code == 422 and "5000 cannot be taken off" in refused.text
    assert 'value="5000"' in refused.text
    assert points.balance(li.id) == 1250 and len(stored(li.id)) == 2


def test_the_desk_sees_the_points_at_check_in_and_cannot_book_any(client, hotels, make_staff, login):
    li = guest()
    book(li.id, "award", 12400)
    login(make_staff("front_desk", properties=[hotels[0]]))

    page = client.get(f"/guests/{li.id}").text

    assert "12,400" in page and "Stay in December" in page
    assert f'action="/guests/{li.id}/points"' not in page
    assert client.post(f"/guests/{li.id}/points", data={"kind": "award", "points": "1", "reason": "x",
                                                        "idempotency_key": "k"}).status_code == 403
