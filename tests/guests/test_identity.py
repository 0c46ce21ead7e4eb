"""Identity resolution: each rung of the ladder links with certainty, doubtful matches make a new
profile and a review row instead, and what staff recorded is never overwritten."""
from datetime import date

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.extensions import db
from guestrel.guests import identity, service
from guestrel.guests.models import Guest, GuestExternalId, GuestMatchReview
from guestrel.service_errors import PermissionDeniedError
from tests.statements import counted

SYSTEM = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)
PMS = Principal(permissions=frozenset({"guests:read", "guests:contact", "guests:write"}), property_ids=None)


def existing(**values) -> Guest:
    return service.create_guest(SYSTEM, values)


def stored(guest_id) -> Guest:
    db.session.expire_all()
    return db.session.get(Guest, guest_id)


def external_ids(guest_id) -> set:
    return {(row.system, row.external_id) for row in
            db.session.scalars(sa.select(GuestExternalId).where(GuestExternalId.guest_id == guest_id))}


def guest_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Guest))


def open_reviews() -> list[GuestMatchReview]:
    return db.session.scalars(sa.select(GuestMatchReview).where(GuestMatchReview.status == "open")
                              .order_by(GuestMatchReview.id)).all()


def assert_linked(resolution, guest: Guest, rung: str):
    assert (resolution.guest_id, resolution.created, resolution.matched_by) == (guest.id, False, rung)
    assert resolution.reviews == ()


def test_the_sources_external_id_links_and_fills_only_the_empty_fields(app):
    guest = existing(given_name="Wei", family_name="Zhang", company="Bund Capital",
                     external_ids=[{"system": "opera", "external_id": "4711"}])

    resolution = identity.resolve(PMS, "Opera", {
        "external_id": "4711", "given_name": "Wilson", "family_name": "Zhang", "phone": "138 0013 8000",
        "language": "zh-cn",
    })

    assert_linked(resolution, guest, "external_id")
    linked = stored(guest.id)
    assert (linked.given_name, linked.company) == ("Wei", "Bund Capital")
    assert (linked.phone, linked.language) == ("+8613800138000", "zh-CN")
    assert guest_count() == 1
    fill = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.guest_id == guest.id,
                                                          AuditEntry.action == "update")).one()
    assert fill.changes == {"language": [None, "zh-CN"], "phone": [None, "+8613800138000"]}


def test_a_member_number_links_and_the_incoming_external_id_is_added(app):
    guest = existing(given_name="Wei", family_name="Zhang", member_number="GR-1234-5678")

    first = identity.resolve(PMS, "mews", {"external_id": "m-9", "member_number": "gr-1234-5678",
                                           "given_name": "W.", "family_name": "Chang"})
    again = identity.resolve(PMS, "mews", {"external_id": "m-9", "given_name": "Someone", "family_name": "Else"})

    assert_linked(first, guest, "member_number")
    assert_linked(again, guest, "external_id")
    assert external_ids(guest.id) == {("mews", "m-9")}
    assert stored(guest.id).given_name == "Wei"


@pytest.mark.parametrize("incoming_name", [
    {"given_name": "ANNA", "family_name": "Mueller"},
    {"family_name": "MUELLER"},
    {"full_name": "Anna Mueller"},
    {},
])
def test_an_email_with_a_compatible_name_links(app, incoming_name):
    guest = existing(given_name="Anna", family_name="Mueller", email="anna.mueller@example.de")

    resolution = identity.resolve(PMS, "opera", {"external_id": "A-1", "email": " Anna.Mueller@Example.DE ",
                                                 **incoming_name})

    assert_linked(resolution, guest, "email")
    assert external_ids(guest.id) == {("opera", "A-1")}


def test_an_email_with_a_clearly_different_name_makes_a_new_profile_and_a_review(app):
    mother = existing(given_name="Anna", family_name="Müller", email="family.mueller@example.de")

    resolution = identity.resolve(PMS, "opera", {"external_id": "P-7", "given_name": "Peter",
                                                 "family_name": "Müller", "email": "family.mueller@example.de"})

    assert resolution.created and resolution.matched_by == "new"
    assert resolution.guest_id != mother.id
    assert external_ids(mother.id) == set() and external_ids(resolution.guest_id) == {("opera", "P-7")}
    review = open_reviews()[0]
    assert (review.guest_id, review.candidate_id, review.source_system) == (resolution.guest_id, mother.id, "opera")
    assert review.reasons == ["email", "different_name"]
    assert review.score < identity.SIMILAR_NAME_SCORE
    created = stored(resolution.guest_id)
    assert (created.given_name, created.email) == ("Peter", "family.mueller@example.de")


def test_a_phone_alone_is_a_review_never_a_link(app):
    father = existing(given_name="Wei", family_name="Li", phone="+86 139 1234 5678")

    resolution = identity.resolve(PMS, "opera", {"given_name": "Na", "family_name": "Li", "phone": "13912345678"})

    assert resolution.created and resolution.guest_id != father.id
    assert [(r.candidate_id, r.reasons) for r in open_reviews()] == [(father.id, ["phone", "different_name"])]


def test_a_phone_with_the_same_name_links(app):
    guest = existing(given_name="伟", family_name="李", phone="+86 139 1234 5678")

    resolution = identity.resolve(PMS, "opera", {"full_name": "Li Wei", "phone": "139 1234 5678"})

    assert_linked(resolution, guest, "phone")
    assert stored(guest.id).full_name == "Li Wei"


def test_the_same_name_and_birthday_link_across_scripts(app):
    guest = existing(full_name="张伟", birthday=date(1980, 5, 17))

    resolution = identity.resolve(PMS, "channel", {"given_name": "Wei", "family_name": "ZHANG", "birthday": "1980-05-17",
                                                   "email": "zw@example.cn"})

    assert_linked(resolution, guest, "name_birthday")
    assert stored(guest.id).email == "zw@example.cn"


def test_a_different_birthday_contradicts_an_email_match(app):
    existing(given_name="Anna", family_name="Müller", email="anna@example.de", birthday=date(1980, 1, 2))

    resolution = identity.resolve(PMS, "opera", {"given_name": "Anna", "family_name": "Müller",
                                                 "email": "anna@example.de", "birthday": "1999-09-09"})

    assert resolution.created
    assert open_reviews()[0].reasons == ["email", "same_name", "different_birthday"]


def test_a_similar_name_with_the_same_birthday_is_only_proposed(app):
    john = existing(given_name="John", family_name="Smith", birthday=date(1980, 1, 1))

    resolution = identity.resolve(PMS, "opera", {"given_name": "Jon", "family_name": "Smith", "birthday": "1980-01-01"})

    assert resolution.created and resolution.guest_id != john.id
    [candidate] = resolution.reviews
    assert (candidate.guest_id, candidate.reasons) == (john.id, ("birthday", "similar_name"))
    assert candidate.score >= identity.SIMILAR_NAME_SCORE
    assert [r.candidate_id for r in open_reviews()] == [john.id]


def test_a_rare_name_alone_is_proposed_a_common_one_is_not(app):
    rare = existing(given_name="Xiaoming", family_name="Zeng")
    for _ in range(identity.NAME_ONLY_MAX + 1):
        existing(given_name="Wei", family_name="Zhang")

    rare_again = identity.resolve(PMS, "opera", {"given_name": "Xiaoming", "family_name": "Zeng"})
    common_again = identity.resolve(PMS, "opera", {"given_name": "Wei", "family_name": "Zhang"})

    assert rare_again.created and [c.guest_id for c in rare_again.reviews] == [rare.id]
    assert common_again.created and common_again.reviews == ()


@pytest.mark.parametrize("relay", [
    "200158071-qu9v.4kqw@guest.booking.com", "x7y@m.expediapartnercentral.com", "abc@agoda-messaging.com",
    "36789346@guest.airbnb.com", "g.lin@guest.trip.com", "i5x9@guest.ctrip.com", "z@eu.guest.booking.com",
])
def test_a_channels_relay_address_never_matches_nor_fills_a_profile(app, relay):
    booked = existing(given_name="Anna", family_name="Schmidt", email=relay)
    member = existing(given_name="Tom", family_name="Lee", member_number="M1")

    other_guest = identity.resolve(PMS, "booking", {"given_name": "Peter", "family_name": "Brown", "email": relay})
    linked = identity.resolve(PMS, "booking", {"given_name": "Tom", "family_name": "Lee", "member_number": "M1",
                                               "email": relay})

    assert other_guest.created and other_guest.reviews == ()
    assert stored(other_guest.guest_id).email == relay
    assert_linked(linked, member, "member_number")
    assert stored(member.id).email is None
    assert open_reviews() == [] and booked.id not in {other_guest.guest_id, linked.guest_id}


@pytest.mark.parametrize("incoming", [
    {"given_name": "Peter", "family_name": "Müller", "email": "family.mueller@example.de"},
    {"given_name": "Na", "family_name": "Li", "phone": "+8613912345678"},
    {"external_id": "P-1", "given_name": "Peter", "family_name": "Müller"},
    {"given_name": "Ming", "family_name": "Wang", "birthday": "1990-03-04"},
])
def test_the_same_incoming_guest_twice_is_one_profile(app, incoming):
    existing(given_name="Anna", family_name="Müller", email="family.mueller@example.de", phone="+8613912345678")

    first = identity.resolve(PMS, "opera", incoming)
    second = identity.resolve(PMS, "opera", incoming)

    assert first.created and not second.created
    assert second.guest_id == first.guest_id
    assert guest_count() == 2
    assert len(open_reviews()) == len(first.reviews)


def test_a_phone_many_guests_share_proposes_only_similar_names(app):
    for given in ("Ann", "Bob", "Cid", "Dan"):
        existing(given_name=given, family_name="Travel", phone="+8621 6888 0000")
    similar = existing(given_name="Jonathan", family_name="Smith", phone="+8621 6888 0000")

    resolution = identity.resolve(PMS, "opera", {"given_name": "Jonathon", "family_name": "Smith",
                                                 "phone": "021 6888 0000"})

    assert resolution.created
    assert [c.guest_id for c in resolution.reviews] == [similar.id]


def test_a_resolution_reads_a_few_bounded_queries(app):
    for index in range(30):
        existing(given_name=f"Guest{index}", family_name="Sharing", phone="+8621 6888 0000",
                 email=f"g{index}@example.com", birthday=date(1980, 1, 1))

    with counted() as sent:
        identity.resolve(PMS, "opera", {"external_id": "Q", "given_name": "Guest1", "family_name": "Sharing",
                                        "birthday": "1980-01-01", "member_number": "X9", "phone": "02168880000"})
    statements = [s for s in sent if s.lstrip().upper().startswith("SELECT")]

    guest_reads = [s for s in statements if "FROM guests" in s or "FROM guest_search_terms" in s
                   or "FROM guest_external_ids" in s]
    assert len(guest_reads) <= 7, guest_reads
    assert all("LIMIT" in s for s in guest_reads if "guests.birthday =" in s or "guests.phone =" in s)


def test_resolving_needs_the_right_to_write_guests(app):
    reader = Principal(permissions=frozenset({"guests:read", "guests:contact"}), property_ids=None)
    with pytest.raises(PermissionDeniedError):
        identity.resolve(reader, "opera", {"given_name": "Anna"})
    assert guest_count() == 0
