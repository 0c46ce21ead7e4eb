"""The search box, as GET /api/v1/guests?q= and guestrel.guests.finder read it: one query finds
a guest by name (misspelt too), pinyin, part of an e-mail address, phone, member number or the
room they are in house in, best matches first, in a fixed number of statements."""

import pytest
import sqlalchemy as sa

from guestrel.auth.permissions import Principal
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import finder, service, typos
from guestrel.stays import service as stay_service
from tests.statements import counted
from tests.tasks.support import book

PMS = Principal(permissions=frozenset({"guests:read", "guests:contact", "guests:write"}), property_ids=None)


@pytest.fixture
def reader(make_api_key):
    return make_api_key("guests:read")


@pytest.fixture
def people(app):
    people = {
        "zhang_wei": {"given_name": "伟", "family_name": "张", "full_name": "张伟", "phone": "+86 138 0013 8000",
                      "email": "zw1988@qq.com", "member_number": "GR-1208-88", "vip_code": "GOLD"},
        "li_wei": {"given_name": "伟", "family_name": "李", "full_name": "李伟", "email": "li.wei@example.com"},
        "john_smith": {"given_name": "John", "family_name": "Smith", "email": "jsmith@mail.example.org"},
        "jon_smith": {"given_name": "Jon", "family_name": "Smith"},
        "anna": {"given_name": "Anna", "family_name": "Berg", "email": "vip.lover@example.de",
                 "external_ids": [{"system": "opera", "external_id": "OP-4711"}]},
    }
    return {key: service.create_guest(PMS, data).id for key, data in people.items()}


def api(client, headers, q, **params) -> dict:
    response = client.get("/api/v1/guests", query_string={"q": q, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client, headers, q) -> list[tuple[int, str]]:
    return [(item["id"], item["matched_by"]) for item in api(client, headers, q)["items"]]


@pytest.mark.parametrize("query", ["zhnag wei", "zhangwie", "张伟", "zhang wei", "zhangwei"])
def test_a_chinese_name_is_found_by_pinyin_with_or_without_spaces_and_misspelt(client, reader, people, query):
    assert {guest_id for guest_id, _kind in found(client, reader, query)} == {people["zhang_wei"]}


def test_a_misspelt_name_is_corrected_and_the_correction_is_said(client, reader, people):
    body = api(client, reader, "jonh smith")

    # "jonh" is one letter from John and from Jon.
    assert {(item["id"], item["matched_by"]) for item in body["items"]} == {
        (people["john_smith"], "corrected"), (people["jon_smith"], "corrected")}
    assert body["corrected"] == "john smith"


def test_exact_matches_come_before_corrected_ones(client, reader, people):
    body = api(client, reader, "jon smith")

    assert [(item["id"], item["matched_by"]) for item in body["items"]] == [
        (people["jon_smith"], "name"), (people["john_smith"], "corrected")]


def test_nothing_is_corrected_when_enough_guests_match(client, reader, people):
    for n in range(3):
        service.create_guest(PMS, {"given_name": "Jon", "family_name": f"Smith{n}"})

    body = api(client, reader, "jon smith")

    assert body["corrected"] is None
    assert {kind for _id, kind in found(client, reader, "jon smith")} == {"name"}


@pytest.mark.parametrize("query", ["li.wei@", "LI.WEI@example", "li.wei", "example.com", "@example.com"])
def test_a_guest_is_found_by_the_start_of_an_email_address_or_its_domain(client, reader, people, query):
    assert (people["li_wei"], "email") in found(client, reader, query)


def test_a_domain_finds_only_guests_with_addresses_there(client, reader, people):
    assert {guest_id for guest_id, _kind in found(client, reader, "example.de")} == {people["anna"]}
    assert found(client, reader, "example.net") == []


@pytest.mark.parametrize("phone", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "(+86) 138 0013 8000"])
def test_a_phone_number_in_any_format_finds_the_guest(client, reader, people, phone):
    assert found(client, reader, phone) == [(people["zhang_wei"], "phone")]


@pytest.mark.parametrize("query", ["GR-1208-88", "gr120888", "GR 1208 88"])
def test_a_member_number_finds_its_guest(client, reader, people, query):
    assert [guest_id for guest_id, _kind in found(client, reader, query)] == [people["zhang_wei"]]
    assert found(client, reader, "GR-1208-88") == [(people["zhang_wei"], "member_number")]


def test_an_id_in_another_system_finds_its_guest(client, reader, people):
    assert found(client, reader, "OP-4711") == [(people["anna"], "external_id")]


def test_results_carry_vip_code_member_number_and_how_the_guest_was_found(client, reader, people):
    body = api(client, reader, "zhang wei")

    [item] = body["items"]
    assert item == {"id": people["zhang_wei"], "given_name": "伟", "family_name": "张", "full_name": "张伟",
                    "email": "zw1988@qq.com", "phone": "+8613800138000", "vip_code": "GOLD",
                    "member_number": "GR-1208-88", "version": 1, "matched_by": "name", "in_house": []}
    assert body["next_after"] is None and body["corrected"] is None


# -- rooms -------------------------------------------------------------------------------------


@pytest.fixture
def in_house(hotels, people):
    """Zhang Wei in house in room 1208 at Shanghai; Li Wei booked into 1208 at Hangzhou, not arrived."""
    stay = book(people["zhang_wei"], room="1208", pms_id="R-1", property_code="SHA")
    stay_service.check_in(OPERATOR, stay.id)
    book(people["li_wei"], room="1208", pms_id="R-2", property_code="HGH")
    return stay


def test_the_room_number_finds_the_guest_in_house_there_with_the_room_and_hotel(client, make_api_key, hotels,
                                                                                in_house, people):
    desk = make_api_key("guests:read", "stays:read", properties=[hotels[0]])

    body = api(client, desk, "1208")

    assert body["items"][0]["id"] == people["zhang_wei"] and body["items"][0]["matched_by"] == "room"
    assert body["items"][0]["in_house"] == [
        {"room_number": "1208", "property_code": "SHA", "property_name": "Shanghai Bund"}]
    assert people["li_wei"] not in {item["id"] for item in body["items"]}


def test_a_room_at_another_hotel_finds_nobody_by_room(client, make_api_key, hotels, in_house, people):
    other_hotel = make_api_key("guests:read", "stays:read", properties=[hotels[1]])

    items = api(client, other_hotel, "1208")["items"]

    assert "room" not in {item["matched_by"] for item in items}
    assert all(item["in_house"] == [] for item in items)


def test_a_name_match_in_house_shows_its_room(client, make_api_key, hotels, in_house, people):
    desk = make_api_key("guests:read", "stays:read", properties=[hotels[0]])

    [item] = api(client, desk, "zhang wei")["items"]

    assert item["matched_by"] == "name" and item["in_house"][0]["room_number"] == "1208"


def test_pages_follow_the_identified_guests_without_duplicates_or_gaps(client, make_api_key, hotels):
    members = [service.create_guest(PMS, {"given_name": f"Member{n}", "member_number": f"GR-77-0{n}"}).id
               for n in range(4)]
    stay = book(members[0], room="77", property_code="SHA")
    stay_service.check_in(OPERATOR, stay.id)
    desk = make_api_key("guests:read", "stays:read", properties=[hotels[0]])

    first = api(client, desk, "77", limit=2)
    second = api(client, desk, "77", limit=2, after=first["next_after"])

    assert [(item["id"], item["matched_by"]) for item in first["items"]] == [(members[0], "room"), (members[1], "name")]
    assert [item["id"] for item in second["items"]] == members[2:]
    assert second["next_after"] is None


def test_without_stays_access_rooms_neither_find_nor_show(client, reader, in_house, people):
    items = api(client, reader, "1208")["items"]

    assert "room" not in {item["matched_by"] for item in items}
    assert all(item["in_house"] == [] for item in items)


def test_the_stays_service_lists_only_in_house_guests_of_covered_hotels(make_staff, hotels, in_house, people):
    shanghai = Principal.for_staff(make_staff("housekeeping", properties=[hotels[0]]))
    hangzhou = Principal.for_staff(make_staff("front_desk", properties=[hotels[1]]))
    marketing = Principal(permissions=frozenset({"guests:read"}), property_ids=None)

    assert [r.guest_id for r in stay_service.in_house_guest_ids_by_room(shanghai, " 1208 ")] == [people["zhang_wei"]]
    assert stay_service.in_house_guest_ids_by_room(hangzhou, "1208") == []
    with pytest.raises(stay_service.PermissionDeniedError):
        stay_service.in_house_guest_ids_by_room(marketing, "1208")


# -- who may search by contact details ----------------------------------------------------------


def test_housekeeping_does_not_find_guests_by_email_or_phone(make_staff, hotels, people):
    housekeeping = Principal.for_staff(make_staff("housekeeping", properties=[hotels[0]]))

    for query in ("vip", "vip.lover", "example.de", "zw1988", "13800138000", "+86 138 0013 8000"):
        assert finder.find_guests(housekeeping, q=query).items == [], query
    with pytest.raises(service.PermissionDeniedError):
        finder.find_guests(housekeeping, q="li.wei@")
    assert [f.guest.id for f in finder.find_guests(housekeeping, q="anna").items] == [people["anna"]]


def test_the_api_refuses_a_query_longer_than_200_characters(client, reader, people):
    response = client.get("/api/v1/guests", query_string={"q": "x" * 201}, headers=reader)

    assert response.status_code == 422
    assert "q" in response.get_json()["errors"]["query"]


# -- bounded work ------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_guests", [0, 60])
def test_a_misspelt_search_takes_four_statements_however_many_guests_share_the_words(
    make_staff, hotels, people, extra_guests
):
    for n in range(extra_guests):
        service.create_guest(PMS, {"given_name": f"Zhangsan{n}", "family_name": "Wang", "full_name": f"Wang Zhan{n}"})
    desk = Principal.for_staff(make_staff("front_desk", properties=[hotels[0]]))
    db.session.expire_all()

    with counted() as statements:
        page = finder.find_guests(desk, q="zhnag wei")

    assert [f.guest.id for f in page.items] == [people["zhang_wei"]]
    # The words, the vocabulary near them, the corrected words, the rooms of the guests found.
    assert len(statements) == 4, statements
    assert not any("FROM guests " in s and "guest_search_terms" not in s and "WHERE guests.id" not in s
                   for s in statements)


def test_the_vocabulary_is_read_from_the_term_index(app, people):
    statement = typos.vocabulary_statement(["zhnag", "jonh"])
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    with db.engine.connect() as connection:
        plan = "\n".join(str(row) for row in connection.execute(sa.text(explain + sql)))

    assert "ix_guest_search_terms_term_guest" in plan, plan
    assert "SCAN guest_search_terms" not in plan and "Seq Scan" not in plan, plan


# -- the corrections themselves ----------------------------------------------------------------


def rows(vocabulary: dict, known=()) -> list[tuple[str, str]]:
    """Rows as vocabulary_statement returns them."""
    result = [(prefix, term) for prefix, terms in vocabulary.items() for term in terms]
    return result + [("=" + token, token + "x") for token in known]


@pytest.mark.parametrize("token, vocabulary, expected", [
    ("zhnag", {"zh": ["zhang", "zhao", "zhou"]}, ["zhang"]),
    ("wnag", {"wa": ["wang", "wan"], "wn": []}, ["wang"]),
    ("jonh", {"jo": ["john", "jon", "jones"], "jn": []}, ["john", "jon"]),
    ("smiht", {"sm": ["smith", "smyth"]}, ["smith"]),
    ("xyzzy", {"xy": ["xylophone"]}, []),
])
def test_a_word_is_corrected_to_the_nearest_terms(token, vocabulary, expected):
    assert typos.corrections([token], rows(vocabulary)).get(token, []) == expected


def test_only_words_no_term_starts_are_unknown():
    vocabulary_rows = [("=wei", "wei"), ("=zhnag", "zhong")]

    assert typos.unknown(["wei", "zhnag"], vocabulary_rows) == {"zhnag"}


@pytest.mark.parametrize("token, expected", [("zh", False), ("wei", True), ("1208", False), ("张伟", False),
                                              ("jos3", False), ("müller", True)])
def test_short_words_numbers_and_chinese_characters_are_not_corrected(token, expected):
    assert typos.correctable(token) is expected
