"""The search box: one query, read every way a desk clerk may mean it, for the guest list page
and GET /api/v1/guests?q= alike.

Names in any script, Chinese names in pinyin with or without spaces, the start of an e-mail
address or of its domain and member numbers are indexed terms (guestrel.guests.search). The
query is also tried, each reading one bounded statement, as the room of a guest in house at
the reader's hotels, a phone number in any format when it is mostly digits, and an id in
another system. When the exact readings find fewer than FEW guests, misspelt words are
corrected against the term vocabulary (guestrel.guests.typos).

A page lists, in this order: the guests the query identifies (room, phone, external id), the
guests whose terms match (an exact member number first), then the guests found with corrected
words. Only the term matches are paged (by id, `after`); the others are few by nature and
come on the first page. Contact details search only for readers with guests:contact.
"""
import re
from dataclasses import dataclass

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise, search, service, typos
from guestrel.guests.models import Guest
from guestrel.service_errors import InvalidDataError
from guestrel.stays import service as stay_service

# Fewer exact matches than this on the first page: the query may be misspelt.
FEW = 3
# Digits with the usual separators, at least six digits: "+86 138 0013 8000", "(0)21-5555-1234".
PHONE_LIKE = re.compile(r"[\d\s().+/-]+")
PHONE_DIGITS_MIN = 6
ROOM_LIKE = re.compile(r"[0-9a-z][0-9a-z-]{0,9}", re.IGNORECASE)
ID_LENGTH_MAX = 100
# How a guest was found, best first.
MATCH_KINDS = ("room", "phone", "external_id", "member_number", "email", "name", "corrected")


@dataclass(frozen=True)
class Found:
    guest: Guest
    # One of MATCH_KINDS; None in a listing without a query.
    matched_by: str | None
    # Where the guest is in house at the reader's hotels (stay_service.InHouseRoom).
    rooms: tuple = ()


@dataclass(frozen=True)
class FoundPage:
    items: list[Found]
    # The id to pass as `after` for the next page, None on the last page.
    next_after: int | None
    # The query with its misspelt words corrected, when guests found so are on the page.
    corrected: str | None = None


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


def _identified(principal, query: str, criteria: dict, limit: int) -> list[tuple[Guest, str]]:
    """The guests the whole query names: a room, a phone number, an id in another system."""
    single = len(query.split()) == 1 and _has_digit(query)
    readings = []
    if single and ROOM_LIKE.fullmatch(query) and stay_service.sees_rooms(principal):
        ids = {room.guest_id for room in stay_service.in_house_guest_ids_by_room(principal, query)}
        if ids:
            readings.append(("room", {"guest_ids": ids}))
    digits = sum(c.isdigit() for c in query)
    if (PHONE_LIKE.fullmatch(query) and digits >= PHONE_DIGITS_MIN and "phone" not in criteria
            and service.can_see_contact(principal)):
        try:
            readings.append(("phone", service.search_criteria(principal, phone=query, limit=limit)))
        except InvalidDataError:
            pass  # not a phone number after all
    if single and len(query) <= ID_LENGTH_MAX and "external_id" not in criteria:
        given_system = "external_system" in criteria
        readings.append(("external_id", {"external_id": query} if given_system
                         else service.search_criteria(principal, external_id=query, limit=limit)))
    found = {}
    for kind, reading in readings:
        for guest in service.search_page({**criteria, **reading}, limit).items:
            found.setdefault(guest.id, (guest, kind))
    return list(found.values())


def _term_kind(guest: Guest, query: str, tokens: list[str]) -> str:
    member = guest.member_number
    if member and member == normalise.member_number(query):
        return "member_number"
    address = (guest.email or "").lower()
    terms = {search.EMAIL_MARK + address, search.EMAIL_MARK + address.rpartition("@")[2]}
    marked = [token for token in tokens if token.startswith(search.EMAIL_MARK)]
    if address and any(term.startswith(token) for token in marked for term in terms):
        return "email"
    return "name"


def _corrected(query: str, tokens: list[str], criteria: dict, limit: int) -> tuple[list[Guest], str | None]:
    """Guests found once misspelt words are corrected, with the corrected query; two
    statements (the vocabulary near the words, the search), none without a word to correct.

    Words no term starts are misspelt, and all of them are replaced by their corrections. When
    every word starts a term and few guests match, any one of the words may be the misspelt
    one: each is replaced in turn, the others kept."""
    correctable = [token for token in tokens if typos.correctable(token)]
    if not correctable:
        return [], None
    rows = db.session.execute(typos.vocabulary_statement(correctable)).all()
    unknown = typos.unknown(correctable, rows)
    corrections = typos.corrections(unknown or correctable, rows)
    if unknown and set(corrections) == unknown:
        readings = [corrections]
    elif not unknown and corrections:
        readings = [{token: alternatives} for token, alternatives in corrections.items()]
    else:
        return [], None
    first, *others = readings
    guests = service.search_page({**criteria, "tokens": tokens, "corrections": first,
                                  "other_readings": [(tokens, fixes) for fixes in others]}, limit).items
    words = search.WORD.findall(search.fold(query))
    return guests, " ".join(corrections[word][0] if word in corrections else word for word in words)


def _with_rooms(principal, found: list[tuple[Guest, str | None]]) -> list[Found]:
    rooms = {}
    if found and stay_service.sees_rooms(principal):
        for room in stay_service.in_house_rooms(principal, [guest.id for guest, _kind in found]):
            rooms.setdefault(room.guest_id, []).append(room)
    return [Found(guest, kind, tuple(rooms.get(guest.id, ()))) for guest, kind in found]


def find_guests(
    principal: Principal, *, q=None, email=None, phone=None, external_system=None, external_id=None,
    limit: int = 50, after: int | None = None,
) -> FoundPage:
    """A page of the guests the query finds, meeting all the other given criteria (as in
    service.search_guests), best matches first. A fixed number of statements: at most three
    for what the query identifies, one for the terms, two for corrections, one for rooms."""
    criteria = service.search_criteria(principal, q=q, email=email, phone=phone, external_system=external_system,
                                       external_id=external_id, limit=limit)
    query = " ".join((q or "").split())
    if not query:
        page = service.search_page(criteria, limit, after)
        return FoundPage(_with_rooms(principal, [(guest, None) for guest in page.items]), page.next_after)

    identified = _identified(principal, query, criteria, limit)[:limit]
    shown = {guest.id for guest, _kind in identified}
    tokens = search.query_tokens(query)
    email_tokens = search.email_query_tokens(query) if service.can_see_contact(principal) else []
    terms_page = service.GuestPage(items=[], next_after=None)
    if tokens:
        readings = [(email_tokens, None)] if email_tokens else []
        terms_page = service.search_page({**criteria, "tokens": tokens, "other_readings": readings}, limit, after)
    matched = [guest for guest in terms_page.items if guest.id not in shown]
    next_after = terms_page.next_after
    if after is None:
        # The first page shows the identified guests too: the word matches that no longer fit
        # start the next page.
        space = limit - len(identified)
        if len(matched) > space:
            matched, next_after = matched[:space], (matched[space - 1].id if space else 0)
    by_terms = sorted(((guest, _term_kind(guest, query, tokens + email_tokens)) for guest in matched),
                      key=lambda pair: pair[1] != "member_number")
    if after is not None:
        return FoundPage(_with_rooms(principal, by_terms), next_after)

    found = identified + by_terms
    corrected = None
    if len(found) < FEW:
        guests, corrected = _corrected(query, tokens, criteria, limit)
        shown |= {guest.id for guest, _kind in by_terms}
        extra = [(guest, "corrected") for guest in guests if guest.id not in shown][:limit - len(found)]
        found += extra
        corrected = corrected if extra else None
    return FoundPage(_with_rooms(principal, found), next_after, corrected)
