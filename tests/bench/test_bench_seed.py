"""The benchmark's set-based seed writes rows the app reads like its own: the search terms equal
what the guests service computes, external ids are unique, and the app keeps working on top."""
from collections import defaultdict

import sqlalchemy as sa

from bench import names, seed
from guestrel.extensions import db
from guestrel.guests.search import terms_for

GUESTS = 2000


def _seed(count=GUESTS) -> seed.SeedResult:
    result = seed.seed(db.session.connection(), count)
    db.session.commit()
    return result


def test_seeded_search_terms_equal_the_terms_the_guests_service_computes(app):
    _seed()

    guests = db.session.execute(sa.text(
        "SELECT id, given_name, family_name, full_name, email, member_number FROM guests")).all()
    stored = defaultdict(set)
    for guest_id, term in db.session.execute(sa.text("SELECT guest_id, term FROM guest_search_terms")):
        stored[guest_id].add(term)
    assert len(guests) == GUESTS
    for guest in guests:
        assert stored[guest.id] == terms_for(guest.given_name, guest.family_name, guest.full_name, guest.email,
                                             guest.member_number), guest
    chinese = [guest for guest in guests if guest.full_name[0] > "\u3400"]
    assert GUESTS * 0.5 < len(chinese) < GUESTS * 0.8
    assert GUESTS * 0.2 < sum(1 for guest in guests if guest.member_number) < GUESTS * 0.4


def test_every_seeded_guest_has_a_unique_external_id_and_some_have_preferences(app):
    result = _seed()

    per_guest = db.session.execute(sa.text(
        "SELECT guests.id, COUNT(guest_external_ids.id) FROM guests"
        " LEFT JOIN guest_external_ids ON guest_external_ids.guest_id = guests.id GROUP BY guests.id"
    )).all()
    assert len(per_guest) == GUESTS
    assert min(count for _id, count in per_guest) >= 1
    systems = dict(db.session.execute(sa.text("SELECT system, COUNT(DISTINCT external_id) FROM guest_external_ids GROUP BY system")).all())
    assert set(systems) == {"mews", "opera"}
    assert sum(systems.values()) == result.external_ids
    preferences = db.session.execute(sa.text("SELECT COUNT(DISTINCT guest_id) FROM preferences")).scalar_one()
    assert GUESTS * 0.3 < preferences < GUESTS * 0.5


def test_seeded_guests_are_found_through_the_api_by_external_id_and_name(app, client, make_api_key):
    _seed()
    headers = make_api_key("guests:read")
    guest_id, system, external_id, given, family = db.session.execute(sa.text(
        "SELECT guests.id, system, external_id, given_name, family_name FROM guests"
        " JOIN guest_external_ids ON guest_external_ids.guest_id = guests.id ORDER BY guests.id LIMIT 1"
    )).one()

    by_id = client.get(f"/api/v1/guests/by-external-id/{system}/{external_id}", headers=headers)
    found = client.get("/api/v1/guests", query_string={"q": f"{given} {family}", "limit": 100}, headers=headers)

    assert by_id.status_code == 200
    assert (by_id.json["id"], by_id.json["given_name"], by_id.json["family_name"]) == (guest_id, given, family)
    assert found.status_code == 200
    assert guest_id in [item["id"] for item in found.json["items"]]
    assert all((item["given_name"], item["family_name"]) == (given, family)
               for item in found.json["items"] if item["matched_by"] != "corrected")


def test_seeding_again_adds_guests_after_the_existing_ones(app):
    first = _seed(500)
    second = _seed(300)

    assert (first.first_id, first.last_id, second.first_id, second.last_id) == (1, 500, 501, 800)
    assert db.session.execute(sa.text("SELECT COUNT(*) FROM guests")).scalar_one() == 800


def test_a_guest_created_through_the_api_after_seeding_gets_a_new_id(app, client, make_api_key):
    result = _seed(500)

    response = client.post("/api/v1/guests", json={"given_name": "Yu", "family_name": "Chen"},
                           headers=make_api_key("guests:write"))

    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json["id"] > result.last_id


def test_names_are_ascii_words_and_chinese_ones_are_also_written_in_characters():
    """Queries are built from the names as typed at a desk: pinyin or Latin words, and the
    characters of the Chinese full names."""
    given = {name for culture in names.CULTURES for name, _weight in culture.given_names}
    family = {name for culture in names.CULTURES for name, _weight in culture.family_names}
    chinese = {name for culture in names.CULTURES if culture.family_first
               for name, _weight in culture.given_names + culture.family_names}

    assert all(name.isascii() and name.isalpha() for name in given | family)
    assert chinese <= set(names.HAN)
