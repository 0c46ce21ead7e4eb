"""An OTA_HotelResNotifRQ's HotelReservations as guestrel events: one per room stay.

Ids. The reservation's UniqueID (Type 14, "Reservation") is the channel manager's id of the
booking, the same on its Commit, Modify and Cancel messages: it is the stay's reservation_id.
HotelReservationID ResID_Type 14 is the booking channel's own reference (the number the guest
holds from Booking.com): the stay's channel_confirmation. ResID_Type 10 ("Hotel") is the PMS's
confirmation number, which a channel manager learns only after the PMS confirmed; keying on it
would split one booking in two, so it is not used. A reservation of several rooms becomes one
stay per RoomStay: the first keeps the reservation id, the n-th is "<id>/<n>".

Guests. A room's guest is the ResGuest its ResGuestRPHs name, else the primary ResGuest, else
the first, else the booker of ResGlobalInfo/Profiles. A channel rarely has guest profile ids, so
a guest without ProfileInfo/UniqueID is known by the reservation ("<hotel>:<reservation>:<RPH>"):
a modification updates the same guest, and duplicates across bookings are left to guestrel's
duplicate review. Every external id starts with the hotel code, as two channel managers of two
hotels may well use the same numbers.

Times. source_modified_at is the reservation's LastModifyDateTime, else its CreateDateTime,
else the message's TimeStamp; a time without a UTC offset is taken as UTC. event_id is the stay's
reservation id, the transaction (new, modify, cancel) and a digest of the message's TimeStamp and
EchoToken, so a channel resending a message resends the same events.
"""
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from guestrel.plugins.plugin_api import GuestData, ReservationCancelled, ReservationUpserted, Revenue

from guestrel_opentravel.document import (
    ERR_INVALID_CURRENCY,
    ERR_INVALID_DATE,
    ERR_INVALID_DATE_RANGE,
    ERR_INVALID_HOTEL_CODE,
    ERR_INVALID_STATUS,
    ERR_UNABLE_TO_PROCESS,
    EWT_AUTHORIZATION,
    EWT_PROCESSING_EXCEPTION,
    EWT_REQUIRED_FIELD_MISSING,
    REQUEST,
    Document,
    OtaError,
    attribute,
    child,
    children,
    descendants,
    invalid,
    missing,
    text,
)

# ResStatus (a HotelReservation's, else the message's transaction status) -> what happened.
TRANSACTIONS = {
    "commit": "new", "book": "new", "booked": "new", "reserved": "new",
    "modify": "modify", "modified": "modify",
    "cancel": "cancel", "cancelled": "cancel", "canceled": "cancel",
}
# OpenTravel Unique ID Types (UIT).
UIT_RESERVATION, UIT_CANCELLATION = "14", "15"
# OpenTravel Age Qualifying Codes (AQC): 8 child and 7 infant count as children, the others
# (10 adult, 11 senior, none given) as adults.
AQC_CHILDREN = {"8", "7"}
ID_MAX_LENGTH = 64
CODE_MAX_LENGTH = 40
GUESTS_MAX = 99
CENT = Decimal("0.01")
# ISO 4217 minor units go up to 4 (Uruguay's UYW).
DECIMAL_PLACES_MAX = 4
# What guestrel stores of an amount (12 digits, 2 of them decimals).
AMOUNT_MAX = Decimal("9999999999.99")


@dataclass(frozen=True)
class _Message:
    """What every HotelReservation of the message shares."""

    hotel_code: str
    timestamp: datetime
    digest: str
    status: str | None
    channel: str | None


def read_events(document: Document, hotel_code: str | None) -> list:
    """The events of every HotelReservation in the message, in order; OtaError naming the
    element at fault for anything missing, malformed, or for another hotel than `hotel_code`."""
    if not hotel_code:
        raise OtaError("This connection has no hotel_code setting.", EWT_PROCESSING_EXCEPTION, ERR_UNABLE_TO_PROCESS)
    request = document.request
    stamp = attribute(request, "TimeStamp")
    if stamp is None:
        raise missing(f"{REQUEST} TimeStamp")
    echo = attribute(request, "EchoToken") or ""
    message = _Message(
        hotel_code=hotel_code,
        timestamp=_moment(stamp, "TimeStamp"),
        digest=hashlib.sha256(f"{stamp}\n{echo}".encode()).hexdigest()[:16],
        status=attribute(request, "ResStatus"),
        channel=_channel(child(request, "POS")),
    )
    reservations = descendants(request, "HotelReservations", "HotelReservation")
    if not reservations:
        raise missing("HotelReservations/HotelReservation")
    events = []
    for number, reservation in enumerate(reservations, 1):
        try:
            events.extend(_reservation_events(reservation, message))
        except OtaError as error:
            raise error.within(f"HotelReservation {number}") from error
    return events


def _reservation_events(reservation: Element, message: _Message) -> list:
    status = attribute(reservation, "ResStatus") or message.status
    if status is None:
        raise missing("ResStatus")
    transaction = TRANSACTIONS.get(status.lower())
    if transaction is None:
        raise invalid("ResStatus", status, "one of Commit, Book, Modify or Cancel", ERR_INVALID_STATUS)
    reservation_id, confirmation = _ids(reservation)
    moment = message.timestamp
    for name in ("LastModifyDateTime", "CreateDateTime"):
        if attribute(reservation, name) is not None:
            moment = _moment(attribute(reservation, name), name)
            break
    global_info = child(reservation, "ResGlobalInfo")
    room_stays = descendants(reservation, "RoomStays", "RoomStay")
    _check_hotel(room_stays, global_info, message.hotel_code)

    def common(position: int) -> dict:
        stay_id = reservation_id if position == 1 else f"{reservation_id}/{position}"
        return {"event_id": f"{stay_id}:{transaction}:{message.digest}", "source_modified_at": moment,
                "reservation_id": stay_id}

    if transaction == "cancel":
        return [ReservationCancelled(**common(position)) for position in range(1, max(len(room_stays), 1) + 1)]
    if not room_stays:
        raise missing("RoomStays/RoomStay")
    guests = _Guests(reservation, message.hotel_code, reservation_id)
    channel = _channel(child(reservation, "POS")) or message.channel
    events = []
    for position, room_stay in enumerate(room_stays, 1):
        try:
            stay = _stay(room_stay, global_info if len(room_stays) == 1 else None)
        except OtaError as error:
            raise error.within(f"RoomStay {position}") from error
        events.append(ReservationUpserted(**common(position), channel_confirmation=confirmation,
                                          guest=guests.of(room_stay), channel=channel, **stay))
    return events


def _ids(reservation: Element) -> tuple[str, str]:
    """(the channel manager's reservation id, the booking channel's confirmation number)."""
    unique_ids = [(attribute(item, "Type"), attribute(item, "ID")) for item in children(reservation, "UniqueID")]
    unique_ids = [(kind, value) for kind, value in unique_ids if value and kind != UIT_CANCELLATION]
    references = [
        (attribute(item, "ResID_Type"), attribute(item, "ResID_Value"))
        for item in descendants(reservation, "ResGlobalInfo", "HotelReservationIDs", "HotelReservationID")
    ]
    channel_references = [value for kind, value in references if kind == UIT_RESERVATION and value]
    candidates = [value for kind, value in unique_ids if kind == UIT_RESERVATION] + [v for _k, v in unique_ids]
    reservation_id = (candidates or channel_references or [None])[0]
    if reservation_id is None:
        raise missing("UniqueID ID")
    confirmation = (channel_references or [reservation_id])[0]
    for name, value in (("UniqueID ID", reservation_id), ("HotelReservationID ResID_Value", confirmation)):
        if len(value) > ID_MAX_LENGTH:
            raise invalid(name, value, f"an id of at most {ID_MAX_LENGTH} characters")
    return reservation_id, confirmation


def _check_hotel(room_stays: list[Element], global_info: Element | None, hotel_code: str):
    codes = [attribute(child(room_stay, "BasicPropertyInfo"), "HotelCode") for room_stay in room_stays]
    global_code = attribute(child(global_info, "BasicPropertyInfo"), "HotelCode")
    codes = [code or global_code for code in codes] or [global_code]
    for code in codes:
        if code is None:
            raise missing("BasicPropertyInfo HotelCode")
        if code != hotel_code:
            raise OtaError(f"HotelCode {code!r} is not the hotel of this connection.", EWT_AUTHORIZATION,
                           ERR_INVALID_HOTEL_CODE)


def _stay(room_stay: Element, global_info: Element | None) -> dict:
    """The room stay's dates, codes, head counts and revenue. The reservation's ResGlobalInfo
    stands in for what a single room stay leaves out."""
    span = child(room_stay, "TimeSpan")
    if span is None and global_info is not None:
        span = child(global_info, "TimeSpan")
    start, end = attribute(span, "Start"), attribute(span, "End")
    if start is None or end is None:
        raise missing("TimeSpan Start" if start is None else "TimeSpan End")
    arrival, departure = _date(start, "TimeSpan Start"), _date(end, "TimeSpan End")
    if departure <= arrival:
        raise OtaError(f"TimeSpan End {end!r} is not after Start {start!r}.", EWT_REQUIRED_FIELD_MISSING,
                       ERR_INVALID_DATE_RANGE)
    rate = child(room_stay, "RoomRates", "RoomRate")
    counts = child(room_stay, "GuestCounts")
    if counts is None and global_info is not None:
        counts = child(global_info, "GuestCounts")
    total = child(room_stay, "Total")
    if total is None and global_info is not None:
        total = child(global_info, "Total")
    return {
        "arrival": arrival,
        "departure": departure,
        "room_type": _code(attribute(child(room_stay, "RoomTypes", "RoomType"), "RoomTypeCode")
                           or attribute(rate, "RoomTypeCode"), "RoomTypeCode"),
        "rate_code": _code(attribute(child(room_stay, "RatePlans", "RatePlan"), "RatePlanCode")
                           or attribute(rate, "RatePlanCode"), "RatePlanCode"),
        **_head_counts(counts),
        "revenue": _revenue(total),
    }


def _code(value: str | None, name: str) -> str | None:
    if value is not None and len(value) > CODE_MAX_LENGTH:
        raise invalid(name, value, f"a code of at most {CODE_MAX_LENGTH} characters")
    return value


def _head_counts(counts: Element | None) -> dict:
    if counts is None:
        return {}
    adults = children_count = 0
    for item in children(counts, "GuestCount"):
        value = attribute(item, "Count")
        if value is None:
            raise missing("GuestCount Count")
        if not _whole(value, GUESTS_MAX):
            raise invalid("GuestCount Count", value, f"a whole number from 0 to {GUESTS_MAX}")
        if attribute(item, "AgeQualifyingCode") in AQC_CHILDREN:
            children_count += int(value)
        else:
            adults += int(value)
    if adults > GUESTS_MAX or children_count > GUESTS_MAX:
        raise invalid("GuestCounts", f"{adults} adults, {children_count} children", f"at most {GUESTS_MAX} each")
    return {"adults": adults, "children": children_count}


def _revenue(total: Element | None) -> Revenue | None:
    """The room revenue from Total: AmountAfterTax, else AmountBeforeTax. An amount without a
    decimal point is in minor units when DecimalPlaces says so (OTA's convention: 8500 with
    DecimalPlaces 2 is 85.00)."""
    if total is None:
        return None
    name = "AmountAfterTax" if attribute(total, "AmountAfterTax") is not None else "AmountBeforeTax"
    value = attribute(total, name)
    if value is None:
        return None
    currency = attribute(total, "CurrencyCode")
    if currency is None:
        raise missing("Total CurrencyCode")
    if len(currency) != 3 or not currency.isalpha():
        raise invalid("Total CurrencyCode", currency, "an ISO 4217 code such as CNY", ERR_INVALID_CURRENCY)
    places = attribute(total, "DecimalPlaces")
    if places is not None and not _whole(places, DECIMAL_PLACES_MAX):
        raise invalid("Total DecimalPlaces", places, f"a whole number from 0 to {DECIMAL_PLACES_MAX}")
    try:
        amount = Decimal(value)
    except InvalidOperation as error:
        raise invalid(f"Total {name}", value, "an amount") from error
    if "." not in value and places is not None:
        amount = amount.scaleb(-int(places))
    if not amount.is_finite() or not 0 <= amount <= AMOUNT_MAX:
        raise invalid(f"Total {name}", value, f"an amount from 0 to {AMOUNT_MAX}")
    return Revenue(room=amount.quantize(CENT, rounding=ROUND_HALF_UP), currency=currency.upper())


class _Guests:
    """The reservation's guests: its ResGuests by RPH, and its booker."""

    def __init__(self, reservation: Element, hotel_code: str, reservation_id: str):
        self.prefix = f"{hotel_code}:{reservation_id}"
        self.hotel_code = hotel_code
        self.res_guests = []
        for position, res_guest in enumerate(descendants(reservation, "ResGuests", "ResGuest"), 1):
            rph = attribute(res_guest, "ResGuestRPH") or str(position)
            primary = (attribute(res_guest, "PrimaryIndicator") or "").lower() in ("true", "1")
            self.res_guests.append((rph, primary, self._guest(child(res_guest, "Profiles"), rph)))
        self.booker = self._guest(child(reservation, "ResGlobalInfo", "Profiles"), "booker")

    def of(self, room_stay: Element) -> GuestData | None:
        rphs = [attribute(item, "RPH") for item in descendants(room_stay, "ResGuestRPHs", "ResGuestRPH")]
        named = [guest for rph in rphs for own, _primary, guest in self.res_guests if own == rph]
        primary = [guest for _rph, is_primary, guest in self.res_guests if is_primary]
        in_order = [guest for _rph, _primary, guest in self.res_guests]
        return next((guest for guest in [*named, *primary, *in_order, self.booker] if guest is not None), None)

    def _guest(self, profiles: Element | None, fallback_id: str) -> GuestData | None:
        """The first person (Customer) among `profiles`, or None when none has a name."""
        for profile_info in children(profiles, "ProfileInfo"):
            customer = child(profile_info, "Profile", "Customer")
            name = child(customer, "PersonName")
            given, family = text(child(name, "GivenName")), text(child(name, "Surname"))
            if not (given or family):
                continue
            profile_id = attribute(child(profile_info, "UniqueID"), "ID")
            if profile_id is not None and len(profile_id) > ID_MAX_LENGTH:
                raise invalid("ProfileInfo UniqueID ID", profile_id, f"an id of at most {ID_MAX_LENGTH} characters")
            external_id = f"{self.hotel_code}:{profile_id}" if profile_id else f"{self.prefix}:{fallback_id}"
            return GuestData(
                external_id=external_id, given_name=given, family_name=family,
                email=text(child(customer, "Email")),
                phone=attribute(child(customer, "Telephone"), "PhoneNumber"),
                member_number=attribute(child(customer, "CustLoyalty"), "MembershipID"),
            )
        return None


def _channel(pos: Element | None) -> str | None:
    """Where the booking was made: the primary BookingChannel's company, else the first one,
    else the requestor. Cut to the 40 characters guestrel keeps of a label."""
    sources = children(pos, "Source")
    channels = [child(source, "BookingChannel") for source in sources]
    channels = [item for item in channels if item is not None]
    channels.sort(key=lambda item: (attribute(item, "Primary") or "").lower() not in ("true", "1"))
    for item in channels:
        company = child(item, "CompanyName")
        name = text(company) or attribute(company, "Code")
        if name:
            return name[:CODE_MAX_LENGTH]
    requestor = next((attribute(child(source, "RequestorID"), "ID") for source in sources
                      if attribute(child(source, "RequestorID"), "ID")), None)
    return requestor[:CODE_MAX_LENGTH] if requestor else None


def _whole(value: str, most: int) -> bool:
    """Whether `value` is a whole number from 0 to `most`, in ASCII digits."""
    return value.isascii() and value.isdigit() and int(value) <= most


def _date(value: str, name: str) -> date:
    try:
        return datetime.fromisoformat(value).date() if "T" in value else date.fromisoformat(value)
    except ValueError as error:
        raise invalid(name, value, "a date (YYYY-MM-DD)", ERR_INVALID_DATE) from error


def _moment(value: str, name: str) -> datetime:
    """A date and time; one without a UTC offset is taken as UTC, as channel managers send UTC."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise invalid(name, value, "a date and time (YYYY-MM-DDThh:mm:ss)", ERR_INVALID_DATE) from error
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
