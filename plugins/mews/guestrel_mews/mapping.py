"""Mews records (reservations ver 2023-06-06, customers, and the resources, resource categories,
rates and age categories they refer to) turned into guestrel's normalised events.

A *bundle* is what one page or one webhook fetched: {"reservations": {"Reservations": [...]},
"customers": {"Customers": [...]}, "resources": ..., "resourceCategories": ..., "rates": ...,
"ageCategories": ...}, each part Mews's answer as it came. Anything that is not the shape Mews
documents raises PayloadError naming the record and the field.
"""
from datetime import date, datetime, timezone, tzinfo

from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    PayloadError,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
)

# Mews's reservation states that mean "booked, not yet arrived" (Enquired is the older name).
BOOKED_STATES = frozenset({"Inquired", "Enquired", "Requested", "Optional", "Confirmed"})
KNOWN_STATES = BOOKED_STATES | {"Started", "Processed", "Canceled"}
ALL_STATES = ["Inquired", "Confirmed", "Started", "Processed", "Canceled", "Optional", "Requested"]
# No room holds more people: a larger count is a broken or hostile payload.
MAX_PERSONS = 500
ID_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 500
# The bundle's parts and the key of the list in each (Mews keeps the room, room type, rate and
# age categories apart from the reservation).
PARTS = {
    "reservations": "Reservations",
    "customers": "Customers",
    "resources": "Resources",
    "resourceCategories": "ResourceCategories",
    "rates": "Rates",
    "ageCategories": "AgeCategories",
}


def _label(record: dict, kind: str) -> str:
    record_id = record.get("Id")
    return f"{kind} {record_id}" if isinstance(record_id, str) and len(record_id) <= ID_MAX_LENGTH else kind


def text(record: dict, key: str, kind: str, required: bool = False, max_length: int = TEXT_MAX_LENGTH) -> str | None:
    """The string `key` of `record`; None for null, absent or blank unless required."""
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadError(f"{_label(record, kind)}: {key} is not text.")
    value = value.strip() if value else None
    if value is None and required:
        raise PayloadError(f"{_label(record, kind)}: {key} is missing.")
    if value is not None and len(value) > max_length:
        raise PayloadError(f"{_label(record, kind)}: {key} is longer than {max_length} characters.")
    return value


def record_id(record: dict, key: str, kind: str) -> str:
    return text(record, key, kind, required=True, max_length=ID_MAX_LENGTH)


def moment(record: dict, key: str, kind: str, required: bool = False) -> datetime | None:
    """A Mews UTC time (ISO 8601, e.g. 2023-04-23T14:00:00Z) as an aware datetime."""
    value = text(record, key, kind, required=required, max_length=40)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(f"{_label(record, kind)}: {key} is not a date and time: {value!r}.") from None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def _first_moment(record: dict, keys: tuple, kind: str) -> datetime:
    for key in keys:
        found = moment(record, key, kind)
        if found is not None:
            return found
    raise PayloadError(f"{_label(record, kind)}: {' and '.join(keys)} are missing.")


def _birth_date(record: dict) -> date | None:
    value = text(record, "BirthDate", "Customer", max_length=40)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise PayloadError(f"{_label(record, 'Customer')}: BirthDate is not a date: {value!r}.") from None


def records(bundle: dict, part: str) -> list[dict]:
    """The records of one part of the bundle; [] for a part that was not fetched."""
    answer = bundle.get(part)
    if answer is None:
        return []
    key = PARTS[part]
    items = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PayloadError(f"The {part} part holds no list of {key} objects.")
    return items


def _by_id(bundle: dict, part: str, kind: str) -> dict:
    return {record_id(item, "Id", kind): item for item in records(bundle, part)}


def _localized(texts) -> str | None:
    """One text of a Mews localized text ({"en-US": "Double"}): English if there is one."""
    if not isinstance(texts, dict):
        return None
    values = {key: value for key, value in texts.items() if isinstance(value, str) and value.strip()}
    if not values:
        return None
    english = sorted(key for key in values if key.lower().startswith("en"))
    return values[english[0] if english else sorted(values)[0]].strip()[:TEXT_MAX_LENGTH]


def guest(customer: dict) -> GuestData:
    kind = "Customer"
    language = text(customer, "PreferredLanguageCode", kind, max_length=40) or text(customer, "LanguageCode", kind,
                                                                                      max_length=40)
    # An OTA's relay address reaches the guest only through that OTA: not theirs to keep.
    ota_email = customer.get("HasOtaEmail") is True
    return GuestData(
        external_id=record_id(customer, "Id", kind),
        given_name=text(customer, "FirstName", kind),
        family_name=text(customer, "LastName", kind),
        email=None if ota_email else text(customer, "Email", kind),
        phone=text(customer, "Phone", kind, max_length=60),
        member_number=text(customer, "LoyaltyCode", kind, max_length=100),
        birthday=_birth_date(customer),
        nationality=text(customer, "NationalityCode", kind, max_length=40),
        language=language,
    )


def profile_event(customer: dict) -> ProfileUpdated:
    updated = moment(customer, "UpdatedUtc", "Customer", required=True)
    customer_id = record_id(customer, "Id", "Customer")
    return ProfileUpdated(event_id=f"customer:{customer_id}:{_stamp(updated)}", source_modified_at=updated,
                          guest=guest(customer))


def _stamp(value: datetime) -> str:
    # One moment, one text: "…Z" and "…+00:00" from two fetches make the same event id.
    return value.astimezone(timezone.utc).isoformat()


class Lookups:
    """The records a bundle's reservations refer to, by id."""

    def __init__(self, bundle: dict, tz: tzinfo):
        self.tz = tz
        self.customers = _by_id(bundle, "customers", "Customer")
        self.rooms = {key: text(item, "Name", "Resource", max_length=100)
                      for key, item in _by_id(bundle, "resources", "Resource").items()}
        self.room_types = {key: _localized(item.get("ShortNames")) or _localized(item.get("Names"))
                           for key, item in _by_id(bundle, "resourceCategories", "Resource category").items()}
        self.rates = {key: text(item, "ShortName", "Rate", max_length=100) or text(item, "Name", "Rate")
                      for key, item in _by_id(bundle, "rates", "Rate").items()}
        self.children_categories = {key for key, item in _by_id(bundle, "ageCategories", "Age category").items()
                                    if item.get("Classification") == "Child"}


def _person_counts(reservation: dict, lookups: Lookups) -> tuple[int, int]:
    counts = reservation.get("PersonCounts") or []
    if not isinstance(counts, list) or not all(isinstance(item, dict) for item in counts):
        raise PayloadError(f"{_label(reservation, 'Reservation')}: PersonCounts is not a list of objects.")
    adults = children = 0
    for item in counts:
        count = item.get("Count")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PERSONS:
            raise PayloadError(f"{_label(reservation, 'Reservation')}: a person count is not a whole number "
                               f"from 0 to {MAX_PERSONS}.")
        if text(item, "AgeCategoryId", "Person count", max_length=ID_MAX_LENGTH) in lookups.children_categories:
            children += count
        else:
            adults += count
    if adults + children > MAX_PERSONS:
        raise PayloadError(f"{_label(reservation, 'Reservation')}: more than {MAX_PERSONS} people.")
    return adults, children


def _guest_of(reservation: dict, lookups: Lookups) -> GuestData | None:
    kind = "Reservation"
    if text(reservation, "AccountType", kind, max_length=40) not in (None, "Customer"):
        return None
    account = text(reservation, "AccountId", kind, max_length=ID_MAX_LENGTH)
    customer = lookups.customers.get(account)
    return guest(customer) if customer is not None else None


def reservation_events(reservation: dict, lookups: Lookups) -> list:
    """The reservation as it now is (ReservationUpserted) and, by its state, what happened to it."""
    kind = "Reservation"
    reservation_id = record_id(reservation, "Id", kind)
    state = text(reservation, "State", kind, required=True, max_length=40)
    if state not in KNOWN_STATES:
        raise PayloadError(f"{_label(reservation, kind)}: the state {state!r} is not one guestrel knows.")
    updated = moment(reservation, "UpdatedUtc", kind, required=True)
    start = _first_moment(reservation, ("ScheduledStartUtc", "StartUtc"), kind)
    end = _first_moment(reservation, ("ScheduledEndUtc", "EndUtc"), kind)
    adults, children = _person_counts(reservation, lookups)
    room = lookups.rooms.get(text(reservation, "AssignedResourceId", kind, max_length=ID_MAX_LENGTH))
    common = {"reservation_id": reservation_id, "source_modified_at": updated}
    prefix = f"reservation:{reservation_id}:{_stamp(updated)}"
    try:
        events = [ReservationUpserted(
            **common, event_id=f"{prefix}:upserted",
            channel_confirmation=text(reservation, "ChannelNumber", kind, max_length=100),
            guest=_guest_of(reservation, lookups),
            arrival=start.astimezone(lookups.tz).date(),
            departure=end.astimezone(lookups.tz).date(),
            room_type=lookups.room_types.get(text(reservation, "RequestedResourceCategoryId", kind,
                                                  max_length=ID_MAX_LENGTH)),
            room_number=room,
            rate_code=lookups.rates.get(text(reservation, "RateId", kind, max_length=ID_MAX_LENGTH)),
            channel=text(reservation, "OriginDetails", kind, max_length=100) or text(reservation, "Origin", kind,
                                                                                    max_length=100),
            adults=adults, children=children,
        )]
        if state == "Started":
            at = _first_moment(reservation, ("ActualStartUtc", "StartUtc", "ScheduledStartUtc"), kind)
            events.append(CheckedIn(**common, event_id=f"{prefix}:checked_in", at=at, room_number=room))
        elif state == "Processed":
            at = _first_moment(reservation, ("ActualEndUtc", "EndUtc", "ScheduledEndUtc"), kind)
            events.append(CheckedOut(**common, event_id=f"{prefix}:checked_out", at=at))
        elif state == "Canceled":
            no_show = reservation.get("CancellationReason") == "NoShow"
            event = NoShow if no_show else ReservationCancelled
            events.append(event(**common, event_id=f"{prefix}:{'no_show' if no_show else 'cancelled'}"))
    except (ValueError, OverflowError) as error:
        raise PayloadError(f"{_label(reservation, kind)}: {error}.") from error
    return events


def events(bundle, tz: tzinfo) -> list:
    """The bundle's events: each customer's profile first (so that reservations find their
    guests), then each reservation's."""
    if not isinstance(bundle, dict):
        raise PayloadError("The page is not a JSON object.")
    lookups = Lookups(bundle, tz)
    found = [profile_event(customer) for customer in lookups.customers.values()]
    for reservation in records(bundle, "reservations"):
        found.extend(reservation_events(reservation, lookups))
    return found


def referenced_ids(reservations: list[dict]) -> dict:
    """What the reservations refer to, to fetch with them: {part: ids}, and the services of
    their resource categories and rates (Mews asks for them)."""
    refs = {"customers": [], "resources": [], "resourceCategories": [], "rates": [], "ageCategories": [],
            "services": []}
    for reservation in reservations:
        kind = "Reservation"
        if text(reservation, "AccountType", kind, max_length=40) in (None, "Customer"):
            refs["customers"].append(text(reservation, "AccountId", kind, max_length=ID_MAX_LENGTH))
        refs["resources"].append(text(reservation, "AssignedResourceId", kind, max_length=ID_MAX_LENGTH))
        refs["resourceCategories"].append(text(reservation, "RequestedResourceCategoryId", kind,
                                               max_length=ID_MAX_LENGTH))
        refs["rates"].append(text(reservation, "RateId", kind, max_length=ID_MAX_LENGTH))
        refs["services"].append(text(reservation, "ServiceId", kind, max_length=ID_MAX_LENGTH))
        counts = reservation.get("PersonCounts")
        if isinstance(counts, list):
            refs["ageCategories"].extend(text(item, "AgeCategoryId", "Person count", max_length=ID_MAX_LENGTH)
                                         for item in counts if isinstance(item, dict))
    return {part: list(dict.fromkeys(value for value in ids if value)) for part, ids in refs.items()}
