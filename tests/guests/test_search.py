"""Finding guests: by the start of any word of their names in any script (Chinese also by pinyin),
by e-mail, by phone in any format, by external id, a page at a time."""
import unicodedata

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pypinyin import lazy_pinyin

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import search, service
from guestrel.database import utcnow
from guestrel.guests.models import Guest, GuestExternalId, GuestSearchTerm

PMS = Principal(permissions=frozenset({"guests:read", "guests:contact", "guests:write"}), property_ids=None,
                api_client_id=None)


@pytest.fixture
def reader(make_api_key):
    return make_api_key("guests:read")


@pytest.fixture
def guests(app):
    """A few guests of a chain in Shanghai, by a short name."""
    people = {
        "zhang_wei": {"given_name": "伟", "family_name": "张", "full_name": "张伟", "phone": "+86 138 0013 8000"},
        "zhang_min": {"given_name": "敏", "family_name": "张", "email": "min.zhang@QQ.com"},
        "wang_wei": {"full_name": "王伟", "email": "Wang.Wei@Example.com"},
        "jose": {"given_name": "José", "family_name": "García Márquez", "phone": "+34 612 345 678"},
        "josephine": {"given_name": "Josephine", "family_name": "Baker",
                      "external_ids": [{"system": "opera", "external_id": "OP-1"}]},
        "lu": {"full_name": "吕布"},
    }
    return {key: service.create_guest(PMS, data).id for key, data in people.items()}


def found(client, headers, **params) -> set[int]:
    response = client.get("/api/v1/guests", query_string={"limit": 200, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {item["id"] for item in response.get_json()["items"]}


@pytest.mark.parametrize("query, expected", [
    ("zhang wei", {"zhang_wei"}),
    ("zhangwei", {"zhang_wei"}),
    ("Zhang", {"zhang_wei", "zhang_min"}),
    ("张", {"zhang_wei", "zhang_min"}),
    ("张伟", {"zhang_wei"}),
    ("wei", {"zhang_wei", "wang_wei"}),
    ("wei zh", {"zhang_wei"}),
    ("jose", {"jose", "josephine"}),
    ("José García", {"jose"}),
    ("JOSE marquez", {"jose"}),
    ("lu bu", {"lu"}),
    ("lv", {"lu"}),
    ("wang.wei@example", {"wang_wei"}),
    ("min.zhang", {"zhang_min"}),
    ("smith", set()),
    ("!!!", set()),
])
def test_search_by_name_finds_guests_in_any_script(client, reader, guests, query, expected):
    assert found(client, reader, q=query) == {guests[key] for key in expected}


def test_search_by_email_ignores_case(client, reader, guests):
    assert found(client, reader, email="MIN.ZHANG@qq.com") == {guests["zhang_min"]}
    assert found(client, reader, email="min.zhang@qq") == set()


@pytest.mark.parametrize("phone", ["13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "(+86) 13800138000"])
def test_search_by_phone_accepts_any_format_of_the_number(client, reader, guests, phone):
    assert found(client, reader, phone=phone) == {guests["zhang_wei"]}


def test_search_by_external_id(client, reader, guests):
    assert found(client, reader, external_system="opera", external_id="OP-1") == {guests["josephine"]}
    assert found(client, reader, external_id="OP-1") == {guests["josephine"]}
    assert found(client, reader, external_system="mews", external_id="OP-1") == set()


def test_criteria_are_combined(client, reader, guests):
    assert found(client, reader, q="zhang", phone="13800138000") == {guests["zhang_wei"]}
    assert found(client, reader, q="zhang min", phone="13800138000") == set()


def test_search_results_are_summaries(client, reader, guests):
    response = client.get("/api/v1/guests", query_string={"q": "zhang wei"}, headers=reader)
    [item] = response.get_json()["items"]
    assert item == {"id": guests["zhang_wei"], "given_name": "伟", "family_name": "张", "full_name": "张伟",
                    "email": None, "phone": "+8613800138000", "vip_code": None, "member_number": None,
                    "version": 1, "matched_by": "name", "in_house": []}
    assert response.get_json()["next_after"] is None


def test_pages_follow_each_other_without_duplicates_or_gaps(client, reader):
    ids = [service.create_guest(PMS, {"given_name": "Page", "family_name": f"Tester{n}"}).id for n in range(7)]
    service.create_guest(PMS, {"given_name": "Someone", "family_name": "Else"})
    seen, after, pages = [], None, 0
    while True:
        params = {"q": "page tester", "limit": 3, **({"after": after} if after else {})}
        body = client.get("/api/v1/guests", query_string=params, headers=reader).get_json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        after = body["next_after"]
        if after is None:
            break
        assert after == seen[-1]
    assert seen == ids
    assert pages == 3


def test_listing_without_criteria_pages_through_every_guest(client, reader):
    ids = [service.create_guest(PMS, {"given_name": f"Guest{n}"}).id for n in range(5)]
    first = client.get("/api/v1/guests?limit=4", headers=reader).get_json()
    second = client.get(f"/api/v1/guests?limit=4&after={first['next_after']}", headers=reader).get_json()
    assert [g["id"] for g in first["items"] + second["items"]] == ids
    assert second["next_after"] is None


def test_search_scans_the_term_index_for_a_rare_word(app):
    now = utcnow()
    guests = [{"id": n, "given_name": "Wei", "version": 1, "created_at": now, "updated_at": now} for n in range(1, 3001)]
    db.session.execute(sa.insert(Guest), guests)
    terms = [{"guest_id": n, "term": "wei"} for n in range(1, 3001)] + [{"guest_id": 1234, "term": "xiaoming"}]
    db.session.execute(sa.insert(GuestSearchTerm), terms)
    db.session.commit()
    dialect = db.engine.dialect.name
    explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    with db.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        for tokens in (["xiaoming"], ["xiaoming", "wei"]):
            statement = search.search_statement(dialect, tokens=tokens, after=10, limit=51)
            sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(str(row) for row in connection.execute(sa.text(explain + sql)))
            assert "ix_guest_search_terms_term_guest" in plan, plan
    assert [g.id for g in service.search_guests(PMS, q="xiaoming wei").items] == [1234]


def test_an_external_id_without_its_system_is_found_through_the_unique_index(app):
    now = utcnow()
    db.session.execute(sa.insert(Guest), [{"id": n, "given_name": "Wei", "version": 1, "created_at": now,
                                           "updated_at": now} for n in range(1, 3001)])
    db.session.execute(sa.insert(GuestExternalId), [
        {"guest_id": n, "system": system, "external_id": f"{system}-{n}", "created_at": now}
        for n in range(1, 3001) for system in ("opera", "mews")])
    db.session.commit()
    dialect = db.engine.dialect.name
    explain = "EXPLAIN QUERY PLAN " if dialect == "sqlite" else "EXPLAIN "
    systems = tuple(db.session.scalars(search.external_systems_statement()))
    statement = search.search_statement(dialect, external_system=systems, external_id="mews-1234", limit=51)
    sql = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        connection.execute(sa.text("ANALYZE"))
        plan = "\n".join(str(row) for row in connection.execute(sa.text(explain + sql)))
    # Each system's ids are looked up in the unique index on (system, external_id), not scanned.
    assert "external_id=?" in plan if dialect == "sqlite" else "Seq Scan on guest_external_ids" not in plan, plan
    assert sorted(systems) == ["mews", "opera"]
    assert [g.id for g in service.search_guests(PMS, external_id="mews-1234").items] == [1234]


# -- the normalisation, property-tested ------------------------------------------------------

name_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda text: "@" not in unicodedata.normalize("NFKC", text))  # an @ marks an e-mail in a query
chinese_name = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(lambda c: lazy_pinyin(c, errors="ignore")),
    min_size=1, max_size=4,
)


def matches(terms: set[str], query: str) -> bool:
    """What the search statement does in SQL: every query token starts one of the terms."""
    tokens = search.query_tokens(query)
    return bool(tokens) and all(any(term.startswith(token) for term in terms) for token in tokens)


@given(given_name=name_text, family_name=name_text, full_name=st.none() | name_text)
def test_a_guest_is_found_by_each_word_of_its_names_in_any_case(given_name, family_name, full_name):
    terms = search.terms_for(given_name, family_name, full_name, None)
    for name in filter(None, (given_name, family_name, full_name)):
        for word in name.split():
            if search.query_tokens(word):
                assert matches(terms, word)
                assert matches(terms, word.upper())
                assert matches(terms, word.lower())


@given(family_name=chinese_name, given_name=chinese_name)
def test_a_chinese_guest_is_found_by_pinyin_with_or_without_spaces(family_name, given_name):
    terms = search.terms_for(given_name, family_name, None, None)
    syllables = lazy_pinyin(family_name + given_name)
    assert matches(terms, " ".join(syllables))
    assert matches(terms, "".join(syllables))
    assert matches(terms, family_name + given_name)
    assert matches(terms, family_name)


@given(email=st.emails())
def test_a_guest_is_found_by_the_start_of_its_email_or_domain_in_any_case(email):
    terms = search.terms_for("Anna", None, None, email)
    assert matches(terms, email.upper())
    assert matches(terms, email[: email.index("@") + 1])
    assert matches(terms, email[email.index("@"):])


@given(email=st.emails(), query=name_text)
def test_no_name_search_reaches_an_email_term(email, query):
    """Who may not see addresses searches by names only: no word of a name starts an e-mail term."""
    email_terms = search.terms_for(None, None, None, email)
    assert not matches(email_terms, query)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(given_name=name_text, family_name=name_text)
def test_a_stored_guest_is_found_through_the_database_by_its_own_names(app, given_name, family_name):
    assume(search.query_tokens(given_name) and search.query_tokens(family_name))
    guest = service.create_guest(PMS, {"given_name": given_name, "family_name": family_name})
    for query in (given_name, family_name, f"{family_name} {given_name}"):
        assert guest.id in {g.id for g in service.search_guests(PMS, q=query, limit=200).items}
    db.session.execute(sa.delete(Guest).where(Guest.id == guest.id))
    db.session.commit()
