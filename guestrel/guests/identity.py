"""Identity resolution: which profile an incoming guest (from a PMS, a channel, an import) is.

The ladder, tried in this order; the first rung with a CERTAIN match links to that profile:

1. external_id    the source's own id for the guest, in the source's system: certain.
2. member_number  the chain's loyalty number belongs to one person: certain.
3. email          certain when the names are compatible: the same words, or one name's words
                  all in the other ("Müller" and "Anna Müller"), or no name given.
4. phone          certain only with the same name: families and travel agents share phones.
5. name_birthday  certain when the normalised names are the same and so are the birthdays.

Both birthdays known and different, or both member numbers known and different, contradict
rungs 3 to 5: a contradicted match is never certain. Names are compared as normalised words
(case, accents and script folded: 张伟 = Zhang Wei = wei zhang, Müller = Muller, while Mueller is
only similar); how alike they are is scored 0-100 with rapidfuzz's token-set ratio.

A DOUBTFUL match never links. It is a guest that shares the e-mail address or the phone number
without being certain (an e-mail with another name, a phone alone), or one with the same birthday
and a similar name (score >= SIMILAR_NAME_SCORE), or one with a similar name alone when at most
NAME_ONLY_MAX guests carry all the name's words (a rare name, not one of a thousand Zhang Weis).
A phone or e-mail shared by more than SHARED_VALUE_MAX guests (a travel agency's) proposes only
its guests with a similar name. The incoming guest then gets a new profile, and each doubtful
pair (at most REVIEWS_MAX, best score first) goes on the review list, where staff merge or
dismiss it (guestrel.guests.reviews, guestrel.guests.merge).

On a certain link the source's external id is added to the profile (the next delivery matches it
at once) and only the profile's EMPTY fields are filled from the incoming data: what staff
recorded is never overwritten. Merged profiles (tombstones) are never matched.

Each resolution reads at most four bounded, indexed queries: the external id; the guests with
the member number, e-mail or phone (one OR over their indexes); the guests born that day; the
guests whose search terms hold all the name's words. Fuzzy scoring runs only over those few rows.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import fuzz
from sqlalchemy.orm import aliased

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise, reviews, search, service
from guestrel.guests.models import Guest, GuestExternalId, GuestSearchTerm
from guestrel.guests.operation import require, transaction
from guestrel.service_errors import DuplicateError

# The domains where booking channels relay mail to a guest they do not reveal. Such an address
# stands for one booking, not a person: it is never matched nor copied into an existing profile.
# A domain covers its subdomains.
RELAY_EMAIL_DOMAINS = frozenset({
    "guest.booking.com", "mchat.booking.com",             # Booking.com
    "m.expediapartnercentral.com", "guest.expedia.com",   # Expedia group
    "agoda-messaging.com", "guest.agoda.com",             # Agoda
    "guest.airbnb.com",                                   # Airbnb
    "guest.trip.com", "guest.ctrip.com",                  # Trip.com, Ctrip
    "messages.homeaway.com",                              # Vrbo
})
MATCH_RUNGS = ("external_id", "member_number", "email", "phone", "name_birthday")
# The incoming guest's values used to create a profile or fill a matched one's empty fields.
GUEST_DATA_FIELDS = ("given_name", "family_name", "full_name", "email", "phone", "member_number",
                     "birthday", "nationality", "language")
SIMILAR_NAME_SCORE = 90
NAME_ONLY_MAX = 3
SHARED_VALUE_MAX = 3
REVIEWS_MAX = 5
CONTACT_POOL_MAX = 20
BIRTHDAY_POOL_MAX = 50


@dataclass(frozen=True)
class Resolution:
    guest_id: int
    created: bool
    # One of MATCH_RUNGS, or "new" for a created profile.
    matched_by: str
    # The doubtful candidates put on the review list with the new profile.
    reviews: tuple = ()


@dataclass(frozen=True)
class _Incoming:
    external_id: str | None
    member_number: str | None
    # For matching: None when absent, not an address, or a channel's relay address.
    email: str | None
    phone: str | None
    birthday: date | None
    words: frozenset
    values: dict


@dataclass
class _Evidence:
    guest: Guest
    score: int
    name: str  # same, compatible, different
    reasons: list = field(default_factory=list)
    contradicted: bool = False


def is_relay_email(address: str | None) -> bool:
    domain = (address or "").rpartition("@")[2].strip().lower()
    return any(domain == relay or domain.endswith("." + relay) for relay in RELAY_EMAIL_DOMAINS)


def _lenient(cleaner, value):
    try:
        return cleaner(value)
    except normalise.FieldError:
        return None


def _incoming(guest_data) -> _Incoming:
    values = {name: guest_data.get(name) for name in GUEST_DATA_FIELDS if guest_data.get(name) is not None}
    email = _lenient(normalise.email, values.get("email"))
    region = current_app.config["GUESTREL_DEFAULT_PHONE_REGION"]
    names = (values.get(name) for name in ("given_name", "family_name", "full_name"))
    return _Incoming(
        external_id=(guest_data.get("external_id") or "").strip() or None,
        member_number=_lenient(normalise.member_number, values.get("member_number")),
        email=None if is_relay_email(email) else email,
        phone=_lenient(lambda value: normalise.phone(value, region, strict=False), values.get("phone")),
        birthday=_lenient(normalise.as_date, values.get("birthday")),
        words=_name_words(*names),
        values=values,
    )


def _name_words(*names) -> frozenset:
    return frozenset(word for name in names if isinstance(name, str) for word in search.name_words(name))


def _guest_words(guest: Guest) -> frozenset:
    return _name_words(guest.given_name, guest.family_name, guest.full_name)


def _name_relation(incoming: frozenset, known: frozenset) -> str:
    if incoming == known:
        return "same"
    if incoming <= known or known <= incoming:
        return "compatible"
    return "different"


def _evidence(incoming: _Incoming, guest: Guest) -> _Evidence:
    words = _guest_words(guest)
    score = round(fuzz.token_set_ratio(" ".join(sorted(incoming.words)), " ".join(sorted(words))))
    found = _Evidence(guest, score, _name_relation(incoming.words, words))
    found.reasons.extend(reason for reason, matches in (
        ("email", incoming.email is not None and guest.email == incoming.email),
        ("phone", incoming.phone is not None and guest.phone == incoming.phone),
        ("birthday", incoming.birthday is not None and guest.birthday == incoming.birthday),
    ) if matches)
    if found.name == "same":
        found.reasons.append("same_name")
    elif score >= SIMILAR_NAME_SCORE:
        found.reasons.append("similar_name")
    else:
        found.reasons.append("different_name")
    for reason, value, known in (("different_birthday", incoming.birthday, guest.birthday),
                                 ("different_member_number", incoming.member_number, guest.member_number)):
        if value is not None and known is not None and value != known:
            found.reasons.append(reason)
            found.contradicted = True
    return found


def _certain(rung: str, incoming: _Incoming, found: _Evidence) -> bool:
    guest = found.guest
    if rung == "member_number":
        return incoming.member_number is not None and guest.member_number == incoming.member_number
    if found.contradicted:
        return False
    if rung == "email":
        return "email" in found.reasons and found.name in ("same", "compatible")
    if rung == "phone":
        return "phone" in found.reasons and found.name == "same"
    return "birthday" in found.reasons and found.name == "same"


# -- the queries ----------------------------------------------------------------------------


def _by_external_id(system: str, external_id: str) -> int | None:
    return db.session.scalar(
        sa.select(sa.func.coalesce(Guest.merged_into_id, Guest.id))
        .join(GuestExternalId, GuestExternalId.guest_id == Guest.id)
        .where(GuestExternalId.system == system, GuestExternalId.external_id == external_id)
    )


def _live(query):
    return query.where(Guest.merged_into_id.is_(None))


def _sharing_contact(incoming: _Incoming) -> list[Guest]:
    conditions = [column == value for column, value in (
        (Guest.member_number, incoming.member_number), (Guest.email, incoming.email), (Guest.phone, incoming.phone),
    ) if value is not None]
    if not conditions:
        return []
    return db.session.scalars(_live(sa.select(Guest).where(sa.or_(*conditions))).order_by(Guest.id)
                              .limit(CONTACT_POOL_MAX)).all()


def _born_that_day(incoming: _Incoming) -> list[Guest]:
    if incoming.birthday is None or not incoming.words:
        return []
    return db.session.scalars(_live(sa.select(Guest).where(Guest.birthday == incoming.birthday))
                              .order_by(Guest.id).limit(BIRTHDAY_POOL_MAX)).all()


def _carrying_the_name(incoming: _Incoming) -> list[Guest]:
    """Up to NAME_ONLY_MAX + 1 guests whose search terms hold every word of the name: the most
    selective (longest) word through the term index, the others by primary key."""
    if not incoming.words:
        return []
    first, *others = sorted(incoming.words, key=lambda word: (-len(word), word))[:search.MAX_QUERY_TOKENS]
    ids = sa.select(GuestSearchTerm.guest_id).where(GuestSearchTerm.term == first[:search.TERM_MAX_LENGTH])
    for word in others:
        other = aliased(GuestSearchTerm)
        ids = ids.where(sa.exists().where(other.guest_id == GuestSearchTerm.guest_id,
                                          other.term == word[:search.TERM_MAX_LENGTH]))
    ids = ids.order_by(GuestSearchTerm.guest_id).limit(NAME_ONLY_MAX + 1)
    return db.session.scalars(_live(sa.select(Guest).where(Guest.id.in_(ids.scalar_subquery())))).all()


# -- deciding -------------------------------------------------------------------------------


def _shared_widely(incoming: _Incoming, pool: list[Guest]) -> set[str]:
    """The contact values carried by more guests than one person plausibly has profiles."""
    counts = {reason: sum(1 for guest in pool if getattr(guest, reason) == getattr(incoming, reason))
              for reason in ("email", "phone") if getattr(incoming, reason) is not None}
    return {reason for reason, count in counts.items() if count > SHARED_VALUE_MAX}


def _doubtful(found: _Evidence, widely_shared: set, rarely_named: set) -> bool:
    similar = found.score >= SIMILAR_NAME_SCORE
    shared = {"email", "phone"} & set(found.reasons)
    if shared - widely_shared or (shared and similar):
        return True
    if "birthday" in found.reasons and similar:
        return True
    return found.guest.id in rarely_named and similar and not found.contradicted


def _decide(incoming: _Incoming):
    """(rung, guest) of the first certain match, else (None, doubtful candidates)."""
    contact = _sharing_contact(incoming)
    born = _born_that_day(incoming)
    by_id = {guest.id: guest for guest in (*contact, *born)}
    evidence = {guest_id: _evidence(incoming, guest) for guest_id, guest in by_id.items()}
    for rung in MATCH_RUNGS[1:]:
        certain = [guest_id for guest_id, found in evidence.items() if _certain(rung, incoming, found)]
        if certain:
            # Several certain profiles are duplicates of each other already: the oldest wins.
            return rung, by_id[min(certain)]
    named = _carrying_the_name(incoming)
    rarely_named = {guest.id for guest in named} if len(named) <= NAME_ONLY_MAX else set()
    for guest in named:
        evidence.setdefault(guest.id, _evidence(incoming, guest))
    widely_shared = _shared_widely(incoming, contact)
    doubtful = [found for found in evidence.values() if _doubtful(found, widely_shared, rarely_named)]
    doubtful.sort(key=lambda found: (-found.score, found.guest.id))
    return None, [reviews.Candidate(found.guest.id, found.score, tuple(found.reasons))
                  for found in doubtful[:REVIEWS_MAX]]


def _fill_empty(principal: Principal, guest: Guest, incoming: _Incoming):
    values = {name: value for name, value in incoming.values.items() if getattr(guest, name) is None}
    if is_relay_email(values.get("email")):
        del values["email"]
    changes = service.valid_guest_values(values)
    if changes:
        service.apply_changes(principal, guest, changes)


def _match(system: str, incoming: _Incoming):
    """(rung, guest) of the certain match, else (None, the doubtful candidates)."""
    if incoming.external_id:
        guest_id = _by_external_id(system, incoming.external_id)
        if guest_id is not None:
            return "external_id", db.session.get(Guest, guest_id)
    return _decide(incoming)


def _resolve_once(principal: Principal, system: str, incoming: _Incoming) -> Resolution:
    with transaction(duplicate_message=str(service.TAKEN)):
        rung, found = _match(system, incoming)
        if rung is not None:
            if incoming.external_id:
                service.link_external_id(principal, found.id, system, incoming.external_id)
            _fill_empty(principal, found, incoming)
            return Resolution(found.id, created=False, matched_by=rung)
        external_ids = [{"system": system, "external_id": incoming.external_id}] if incoming.external_id else []
        created = service.insert_guest(principal, incoming.values | {"external_ids": external_ids})
        reviews.open_reviews(principal, created.id, found, system)
    return Resolution(created.id, created=True, matched_by="new", reviews=tuple(found))


def resolve(principal: Principal, system: str, guest_data) -> Resolution:
    """The profile of the guest `guest_data` (a mapping of external_id and GUEST_DATA_FIELDS)
    describes, as system `system` (an adapter's name) sent it: linked to an existing profile on
    a certain match, otherwise a new profile with its doubtful candidates on the review list.
    One transaction; InvalidDataError when a new profile cannot be created (no name)."""
    require(principal, "guests:write")
    require(principal, "guests:contact")
    system = (system or "").strip().lower()
    incoming = _incoming(guest_data)
    try:
        return _resolve_once(principal, system, incoming)
    except DuplicateError:
        # A concurrent resolution stored the same external id or member number first: ours now
        # finds that profile.
        return _resolve_once(principal, system, incoming)
