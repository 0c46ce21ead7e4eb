"""A guest's loyalty member number: one spelling, one guest per number, editable by staff who write
guests, shown on the profile and found by the search."""
import sqlalchemy as sa

from guestrel.extensions import db
from guestrel.guests.models import Guest

# What a browser sends besides the typed fields: every select, with its empty choice.
EMPTY_SELECTS = {"nationality": "", "account_owner_id": ""}


def test_the_api_stores_one_spelling_and_finds_the_guest_by_it(client, make_api_key):
    writer = make_api_key("guests:write")

    created = client.post("/api/v1/guests", headers=writer, json={"given_name": "Wei", "member_number": " gr-1234 56 "})

    assert created.status_code == 201
    assert created.json["member_number"] == "GR-123456"
    for query in ("GR-123456", "gr123456", "1234", "gr"):
        found = client.get("/api/v1/guests", query_string={"q": query}, headers=writer).json["items"]
        assert [g["member_number"] for g in found] == ["GR-123456"], query


def test_a_member_number_belongs_to_one_guest(client, make_api_key):
    writer = make_api_key("guests:write")
    first = client.post("/api/v1/guests", headers=writer, json={"given_name": "Wei", "member_number": "M1"}).json
    other = client.post("/api/v1/guests", headers=writer, json={"given_name": "Li"}).json

    taken = client.post("/api/v1/guests", headers=writer, json={"given_name": "Na", "member_number": "m1"})
    changed = client.patch(f"/api/v1/guests/{other['id']}", headers={**writer, "If-Match": '"1"'},
                           json={"member_number": "M1"})
    too_long = client.patch(f"/api/v1/guests/{other['id']}", headers={**writer, "If-Match": '"1"'},
                            json={"member_number": "9" * 41})

    assert taken.status_code == 409 and changed.status_code == 409
    assert changed.json["message"] == f"Guest {first['id']} has this member number already."
    assert too_long.status_code == 422 and "member_number" in too_long.json["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest).where(Guest.member_number.is_not(None))) == 1


def test_staff_record_the_member_number_on_the_profile_and_search_by_it(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))
    created = client.post("/guests/new", data={**EMPTY_SELECTS, "given_name": "Anna", "family_name": "Müller", "member_number": "gold 77"})
    guest = db.session.scalars(sa.select(Guest)).one()

    profile = client.get(created.headers["Location"]).text
    search = client.get("/guests?q=gold77").text

    assert guest.member_number == "GOLD77"
    assert "Member number" in profile and "<code>GOLD77</code>" in profile
    assert f'href="/guests/{guest.id}"' in search


def test_a_taken_member_number_is_shown_next_to_the_field(client, hotels, make_staff, login):
    login(make_staff("front_desk", properties=[hotels[0]]))
    client.post("/guests/new", data={**EMPTY_SELECTS, "given_name": "Anna", "member_number": "M1"})

    response = client.post("/guests/new", data={**EMPTY_SELECTS, "given_name": "Lena", "member_number": "M1"})

    assert response.status_code == 200
    assert "has this member number already." in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Guest)) == 1
