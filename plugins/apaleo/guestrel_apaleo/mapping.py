"""An apaleo reservation (GET /booking/v1/reservations/{id}, or one item of the list) as
guestrel's normalised events.

Every reservation gives a ReservationUpserted with its current details, followed by the event
of its status: CheckedIn for InHouse, CheckedOut for CheckedOut, ReservationCancelled for
Canceled, NoShow for NoShow (Confirmed needs none). The upsert comes first even for a cancelled
reservation, so one guestrel has not seen before is still recorded (as cancelled), and a
re-instated one (Canceled, then Confirmed again) is booked again.

Event ids are made of the reservation's id, the event's kind, apaleo's `modified` and a digest
of what the event says, not of the webhook's id: two deliveries, or a webhook and a poll, that
found the reservation in the same state give the same events, which guestrel applies once,
while a change that apaleo did not stamp with a new `modified` still counts as new.
"""
import dataclasses
import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    PayloadError,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
)

# apaleo's reservation ids are the booking id and a room number ("XPGMSXGF-1"). Checked before
# an id goes into a URL, so a hostile webhook cannot steer the call elsewhere.
RESERVATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
STATUS_EVENTS = {
    "Confirmed": None,
    "InHouse": "checked-in",
    "CheckedOut": "checked-out",
    "Canceled": "canceled",
    "NoShow": "no-show",
}
# Statuses whose total is what the stay earns or will earn; a cancelled or no-show
# reservation's total is a price that was never paid.
EARNING_STATUSES = {"Confirmed", "InHouse", "CheckedOut"}
CHANNELS = {"Direct": "direct", "BookingCom": "booking.com", "Expedia": "expedia", "Ibe": "ibe", "Hrs": "hrs"}
CENT = Decimal("0.01")


def _text(data: dict, key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"The {where}'s {key} is not text.")
    return value.strip() or None


def _object(data: dict, key: str, where: str) -> dict | None:
    value = data.get(key)
    if value is None or isinstance(value, dict):
        return value
    raise PayloadError(f"The {where}'s {key} is not an object.")


def moment(value, what: str) -> datetime:
    """An apaleo timestamp (ISO 8601 with an offset) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise PayloadError(f"The reservation's {what} is not a time with a UTC offset: {str(value)[:40]!r}.")
    return parsed


def _stay_date(value, what: str, hotel_zone: ZoneInfo | None) -> date:
    """The hotel's calendar date of an arrival or departure, which apaleo gives as the
    property's local time with its offset (a bare date is taken as it is)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    at = moment(value, what)
    return (at.astimezone(hotel_zone) if hotel_zone is not None else at).date()


def _amount(money: dict, where: str) -> Decimal:
    try:
        amount = Decimal(str(money["amount"]))
    except (KeyError, InvalidOperation) as error:
        raise PayloadError(f"The reservation's {where} has no amount.") from error
    if isinstance(money["amount"], bool) or not amount.is_finite():
        raise PayloadError(f"The reservation's {where} has no amount.")
    return amount.quantize(CENT)


def _revenue(reservation: dict) -> Revenue | None:
    """The reservation's gross total as revenue: its booked services (breakfast, parking...)
    as `other`, the rest as `room`. apaleo's reservation does not say which services are food
    and drink, so none are counted as food_and_beverage."""
    total = _object(reservation, "totalGrossAmount", "reservation")
    if total is None:
        return None
    amount = _amount(total, "totalGrossAmount")
    currency = _text(total, "currency", "totalGrossAmount")
    extras = Decimal(0)
    services = reservation.get("services")
    for item in services if isinstance(services, list) else ():
        service_total = item.get("totalAmount") if isinstance(item, dict) else None
        if isinstance(service_total, dict) and service_total.get("currency") == currency \
                and "grossAmount" in service_total:
            extras += _amount({"amount": service_total["grossAmount"]}, "service total")
    # A credit leaves a negative total; guestrel counts what a stay earned, not refunds.
    if amount < 0 or currency is None:
        return None
    extras = min(max(extras, Decimal(0)), amount)
    try:
        return Revenue(room=amount - extras, other=extras, currency=currency)
    except ValueError as error:
        raise PayloadError(f"The reservation's totalGrossAmount is not usable: {error}.") from error


def _guest(reservation: dict) -> GuestData | None:
    """The primary guest, or the booker when no guest is named. external_id stays None: apaleo
    keeps no guest profiles, only a person copied into each reservation, so there is no id that
    stays the same from one stay to the next. guestrel matches these guests by email, phone and
    name instead; the reservation or booking id would make a new guest of every returning one."""
    person = _object(reservation, "primaryGuest", "reservation") or _object(reservation, "booker", "reservation")
    if person is None:
        return None
    birth = _text(person, "birthDate", "guest")
    try:
        birthday = date.fromisoformat(birth[:10]) if birth else None
    except ValueError as error:
        raise PayloadError(f"The guest's birthDate is not a date: {birth[:40]!r}.") from error
    nationality = _text(person, "nationalityCountryCode", "guest")
    return GuestData(
        given_name=_text(person, "firstName", "guest"),
        family_name=_text(person, "lastName", "guest"),
        email=_text(person, "email", "guest"),
        phone=_text(person, "phone", "guest"),
        birthday=birthday,
        nationality=nationality.upper() if nationality else None,
        language=_text(person, "preferredLanguage", "guest"),
    )


def _channel(reservation: dict) -> str | None:
    code = _text(reservation, "channelCode", "reservation")
    source = _text(reservation, "source", "reservation")
    # A channel manager's reservations name the actual channel in `source`.
    if code == "ChannelManager" and source:
        return source
    return CHANNELS.get(code, code.lower() if code else None)


def _count(reservation: dict, key: str) -> int:
    value = reservation.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PayloadError(f"The reservation's {key} is not a number of people.")
    return value


def _children(reservation: dict) -> int:
    ages = reservation.get("childrenAges") or []
    if not isinstance(ages, list):
        raise PayloadError("The reservation's childrenAges is not a list.")
    return len(ages)


def _code(reservation: dict, key: str, field: str) -> str | None:
    embedded = _object(reservation, key, "reservation")
    return _text(embedded, field, key) if embedded else None


def _with_id(event, reservation_id: str, kind: str):
    """The event with its id: reservation, kind, apaleo's modification time and a digest of
    everything the event says."""
    content = {name: value for name, value in dataclasses.asdict(event).items() if name != "event_id"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:16]
    stamp = event.source_modified_at.strftime("%Y%m%dT%H%M%S.%f%z")
    return dataclasses.replace(event, event_id=f"{reservation_id}/{kind}/{stamp}/{digest}")


def reservation_id(value) -> str:
    if not isinstance(value, str) or not RESERVATION_ID.match(value):
        raise PayloadError(f"{str(value)[:80]!r} is not an apaleo reservation id.")
    return value


def reservation_events(reservation, property_id: str, hotel_zone: ZoneInfo | None = None,
                       fallback_modified: datetime | None = None) -> list:
    """The events of one apaleo reservation of the property `property_id`. `fallback_modified`
    stands in for a reservation without `modified` (the webhook's time). PayloadError for a
    reservation that is malformed or of another property."""
    if not isinstance(reservation, dict):
        raise PayloadError("A reservation is not a JSON object.")
    rid = reservation_id(reservation.get("id"))
    found_property = _code(reservation, "property", "id")
    if found_property != property_id:
        raise PayloadError(f"Reservation {rid} belongs to apaleo property {found_property!r}, "
                           f"not to this connection's {property_id}.")
    status = reservation.get("status")
    if status not in STATUS_EVENTS:
        raise PayloadError(f"Reservation {rid} has a status guestrel does not know: {str(status)[:40]!r}.")
    if reservation.get("modified") is not None:
        modified = moment(reservation["modified"], "modified")
    elif fallback_modified is not None:
        modified = fallback_modified
    else:
        raise PayloadError(f"Reservation {rid} has no modification time.")
    common = {"event_id": "-", "reservation_id": rid, "source_modified_at": modified}
    try:
        upserted = ReservationUpserted(
            **common,
            channel_confirmation=_text(reservation, "externalCode", "reservation"),
            guest=_guest(reservation),
            arrival=_stay_date(reservation.get("arrival"), "arrival", hotel_zone),
            departure=_stay_date(reservation.get("departure"), "departure", hotel_zone),
            room_type=_code(reservation, "unitGroup", "code"),
            room_number=_code(reservation, "unit", "name"),
            rate_code=_code(reservation, "ratePlan", "code"),
            channel=_channel(reservation),
            adults=_count(reservation, "adults"),
            children=_children(reservation),
            revenue=_revenue(reservation) if status in EARNING_STATUSES else None,
        )
        events = [_with_id(upserted, rid, "reservation")]
        kind = STATUS_EVENTS[status]
        if kind is not None:
            events.append(_with_id(_status_event(kind, reservation, common, upserted), rid, kind))
    except ValueError as error:
        raise PayloadError(f"Reservation {rid} cannot be read: {error}.") from error
    return events


def _status_event(kind: str, reservation: dict, common: dict, upserted: ReservationUpserted):
    if kind == "checked-in":
        at = reservation.get("checkInTime")
        return CheckedIn(**common, at=moment(at, "checkInTime") if at else common["source_modified_at"],
                         room_number=upserted.room_number)
    if kind == "checked-out":
        at = reservation.get("checkOutTime")
        return CheckedOut(**common, at=moment(at, "checkOutTime") if at else common["source_modified_at"],
                          revenue=upserted.revenue)
    return (ReservationCancelled if kind == "canceled" else NoShow)(**common)
