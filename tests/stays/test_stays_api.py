"""The stays API as a PMS integration uses it: PUT each reservation as often as it likes, read
stays back, and move them through check-in and check-out."""
import pytest
import sqlalchemy as sa

from guestrel.extensions import db
from guestrel.stays import signals
from guestrel.stays.models import Stay

BOOKING = {
    "source_modified_at": "2026-11-20T08:00:00Z",
    "arrival": "2026-12-01",
    "departure": "2026-12-03",
    "room_type": "DLX",
    "adults": 2,
}


@pytest.fixture
def pms(hotels, make_api_key):
    """A Shanghai PMS key."""
    shanghai, _ = hotels
    return make_api_key("stays:write", "guests:read", properties=[shanghai])


def stay_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Stay))


def test_put_creates_then_updates_then_ignores_a_stale_update(client, pms):
    created = client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms)
    assert created.status_code == 201, created.json
    assert created.json["outcome"] == "created" and created.json["ignored"] is None
    stay = created.json["stay"]
    assert created.headers["Location"].endswith(f"/api/v1/stays/{stay['id']}")
    assert (stay["property_code"], stay["pms_id"], stay["status"], stay["adults"]) == ("SHA", "R-1", "booked", 2)
    assert stay["revenue"] == {"room": "0.00", "food_and_beverage": "0.00", "other": "0.00", "currency": "CNY"}

    updated = client.put("/api/v1/properties/SHA/stays/R-1", headers=pms, json={
        "source_modified_at": "2026-11-20T09:00:00+01:00", "room_number": "1208"})
    assert updated.status_code == 200
    assert (updated.json["outcome"], updated.json["stay"]["room_number"]) == ("updated", "1208")

    stale = client.put("/api/v1/properties/SHA/stays/R-1", headers=pms, json={
        "source_modified_at": "2026-11-20T07:59:59Z", "status": "cancelled"})
    assert stale.status_code == 200
    assert (stale.json["ignored"], stale.json["stay"]["status"]) == ("stale", "booked")
    assert db.session.scalar(sa.select(Stay.status)) == "booked"


def test_the_same_put_twice_answers_duplicate_and_has_one_effect(client, pms):
    client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms)
    again = client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms)
    assert (again.status_code, again.json["ignored"]) == (200, "duplicate")
    assert stay_count() == 1


def test_check_in_and_check_out_with_revenue_announce_once(client, pms, hotels):
    heard = []

    def listener(sender, **facts):
        heard.append(facts["stay_id"])

    signals.stay_checked_in.connect(listener)
    signals.stay_checked_out.connect(listener)
    try:
        stay_id = client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms).json["stay"]["id"]
        checked_in = client.post(f"/api/v1/stays/{stay_id}/check-in", json={"at": "2026-12-01T06:30:00Z"}, headers=pms)
        repeated = client.post(f"/api/v1/stays/{stay_id}/check-in", json={}, headers=pms)
        checked_out = client.post(f"/api/v1/stays/{stay_id}/check-out", headers=pms, json={
            "revenue": {"room": "1800.00", "food_and_beverage": 320.5, "other": "0", "currency": "CNY"}})
    finally:
        signals.stay_checked_in.disconnect(listener)
        signals.stay_checked_out.disconnect(listener)

    assert checked_in.status_code == 200 and checked_in.json["checked_in_at"].startswith("2026-12-01T06:30:00")
    assert repeated.status_code == 200 and repeated.json["status"] == "in_house"
    assert checked_out.status_code == 200
    assert checked_out.json["revenue"] == {"room": "1800.00", "food_and_beverage": "320.50", "other": "0.00", "currency": "CNY"}
    assert heard == [stay_id, stay_id]
    assert client.post(f"/api/v1/stays/{stay_id}/cancel", json={}, headers=pms).status_code == 409
    assert client.get(f"/api/v1/stays/{stay_id}", headers=pms).json["status"] == "checked_out"


def test_no_show_and_cancel(client, pms):
    first = client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms).json["stay"]["id"]
    second = client.put("/api/v1/properties/SHA/stays/R-2", json=BOOKING, headers=pms).json["stay"]["id"]
    assert client.post(f"/api/v1/stays/{first}/no-show", headers=pms).json["status"] == "no_show"
    assert client.post(f"/api/v1/stays/{second}/cancel", headers=pms).json["status"] == "cancelled"
    assert client.post(f"/api/v1/stays/{second}/check-in", json={}, headers=pms).status_code == 409


def test_a_shanghai_key_cannot_write_or_read_hangzhou_stays(client, hotels, pms, make_api_key):
    _, hangzhou = hotels
    hgh = make_api_key("stays:write", properties=[hangzhou])
    hgh_stay = client.put("/api/v1/properties/HGH/stays/R-9", json=BOOKING, headers=hgh).json["stay"]["id"]

    refused = client.put("/api/v1/properties/HGH/stays/R-9", headers=pms, json={**BOOKING, "source_modified_at": "2027-01-01T00:00:00Z"})
    assert refused.status_code == 403 and refused.json["message"]
    assert client.put("/api/v1/properties/HGH/stays/R-10", json=BOOKING, headers=pms).status_code == 403
    assert client.get(f"/api/v1/stays/{hgh_stay}", headers=pms).status_code == 404
    for action in ("check-in", "cancel", "no-show"):
        assert client.post(f"/api/v1/stays/{hgh_stay}/{action}", json={}, headers=pms).status_code == 404
    assert client.get("/api/v1/stays", headers=pms).json["items"] == []
    assert client.get("/api/v1/stays?property=HGH", headers=pms).status_code == 404
    assert stay_count() == 1
    assert db.session.scalar(sa.select(Stay.status)) == "booked"


def test_list_filters_by_guest_property_dates_and_status(client, pms, hotels, make_api_key):
    guest = client.post("/api/v1/guests", json={"given_name": "Wei"}, headers=make_api_key("guests:write")).json
    client.put("/api/v1/properties/SHA/stays/R-1", json={**BOOKING, "guest_id": guest["id"]}, headers=pms)
    client.put("/api/v1/properties/SHA/stays/R-2", json={**BOOKING, "arrival": "2026-12-02"}, headers=pms)

    def ids(query):
        response = client.get(f"/api/v1/stays?{query}", headers=pms)
        assert response.status_code == 200, response.json
        return [item["pms_id"] for item in response.json["items"]]

    assert ids(f"guest_id={guest['id']}") == ["R-1"]
    assert ids("property=sha&arrival_from=2026-12-02&arrival_to=2026-12-31") == ["R-2"]
    assert ids("status=booked&limit=1") == ["R-1"]
    page = client.get("/api/v1/stays?limit=1", headers=pms).json
    assert ids(f"limit=1&after={page['next_after']}") == ["R-2"]


@pytest.mark.parametrize("body, field", [
    ({**BOOKING, "departure": "2026-12-01"}, "departure"),
    ({**BOOKING, "departure": "2026-11-30"}, "departure"),
    ({**BOOKING, "arrival": "2026-02-30"}, "arrival"),
    ({**BOOKING, "revenue": {"room": -5}}, "revenue"),
    ({**BOOKING, "revenue": {"room": "12.345"}}, "revenue"),
    ({**BOOKING, "revenue": {"room": "NaN"}}, "revenue"),
    ({**BOOKING, "revenue": {"currency": "ABC"}}, "revenue"),
    ({**BOOKING, "source_modified_at": "2026-11-20T08:00:00"}, "source_modified_at"),
    ({**BOOKING, "status": "checked_in"}, "status"),
    ({**BOOKING, "adults": "two"}, "adults"),
    ({**BOOKING, "nights": 2}, "nights"),
    ({**BOOKING, "guest_id": 424242}, "guest_id"),
    ({key: value for key, value in BOOKING.items() if key != "source_modified_at"}, "source_modified_at"),
])
def test_bad_input_is_refused_with_422_naming_the_field_and_nothing_is_written(client, pms, body, field):
    response = client.put("/api/v1/properties/SHA/stays/R-1", json=body, headers=pms)
    assert response.status_code == 422, response.json
    assert response.json["message"]
    assert field in response.json["errors"]["json"]
    assert stay_count() == 0


def test_bad_input_to_commands_and_queries_is_refused(client, pms):
    stay_id = client.put("/api/v1/properties/SHA/stays/R-1", json=BOOKING, headers=pms).json["stay"]["id"]
    assert client.post(f"/api/v1/stays/{stay_id}/check-in", json={"at": "yesterday"}, headers=pms).status_code == 422
    assert client.post(f"/api/v1/stays/{stay_id}/cancel", json={"reason": "x"}, headers=pms).status_code == 422
    assert client.get("/api/v1/stays?arrival_from=2026-13-01", headers=pms).status_code == 422
    assert client.get("/api/v1/stays?hotel=SHA", headers=pms).status_code == 422
    assert client.get("/api/v1/stays?arrival_from=2026-12-05&arrival_to=2026-12-01", headers=pms).status_code == 422
    assert client.put("/api/v1/properties/NOPE/stays/R-1", json=BOOKING, headers=pms).status_code == 404
    assert client.get(f"/api/v1/stays/{stay_id}", headers=pms).json["status"] == "booked"


def test_linking_by_external_id_needs_guests_read(client, hotels, make_api_key):
    shanghai, _ = hotels
    client.post("/api/v1/guests", headers=make_api_key("guests:write"), json={
        "given_name": "Wei", "external_ids": [{"system": "mews", "external_id": "C-7"}]})
    stays_only = make_api_key("stays:write", properties=[shanghai])
    body = {**BOOKING, "guest_external_id": {"system": "mews", "id": "C-7"}}
    assert client.put("/api/v1/properties/SHA/stays/R-1", json=body, headers=stays_only).status_code == 403
    assert stay_count() == 0
