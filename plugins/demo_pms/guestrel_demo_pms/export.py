"""The simulated PMS's export: one page of the reservations that changed in a window of time,
with their guests' profiles, as JSON. `write` makes a page, `read` checks one and loads it.

    {"format": "demo_pms.changes/1",
     "hotel": {"code": "HGH", "name": "...", "timezone": "Asia/Shanghai", "currency": "CNY"},
     "window": {"after": "2026-11-24T09:00:00+00:00" or null for the first export, "until": ...},
     "profiles": [{"id": "DEMO-00000", "given_name": "伟", "family_name": "李", "email": ..., ...}],
     "reservations": [{"id": "HGH-261126-01", "profile_id": "DEMO-00000", "state": "in_house",
                       "arrival": "2026-11-26", "departure": "2026-11-28", "room_type": "DLX", ...,
                       "changes": [{"kind": "checked_in", "at": "...", "room_number": "1208"}]}]}

`changes` lists only the reservation's changes in the window; `state` is where it stands at
the window's end.
"""
import json

import marshmallow
from marshmallow import fields, validate

from guestrel_demo_pms.simulation import CHANGE_KINDS, Change, Hotel, Reservation

FORMAT = "demo_pms.changes/1"
STATES = {"booked": "reserved", "checked_in": "in_house", "checked_out": "checked_out",
          "cancelled": "cancelled", "no_show": "no_show"}
MAX_ITEMS = 10_000


class _Strict(marshmallow.Schema):
    class Meta:
        unknown = marshmallow.RAISE


def _text(max_length=100, **options):
    return fields.String(validate=validate.Length(min=1, max=max_length), **options)


class MoneySchema(_Strict):
    room = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0))
    food_and_beverage = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0))
    other = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0))


class ChangeSchema(_Strict):
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    at = fields.AwareDateTime(required=True, format="iso")
    room_number = _text(20, allow_none=True, load_default=None)
    revenue = fields.Nested(MoneySchema, allow_none=True, load_default=None)


class ProfileSchema(_Strict):
    id = _text(required=True)
    given_name = _text(allow_none=True, load_default=None)
    family_name = _text(allow_none=True, load_default=None)
    full_name = _text(200, allow_none=True, load_default=None)
    email = _text(254, allow_none=True, load_default=None)
    phone = _text(40, allow_none=True, load_default=None)
    nationality = _text(2, allow_none=True, load_default=None)
    language = _text(35, allow_none=True, load_default=None)


class ReservationSchema(_Strict):
    id = _text(required=True)
    profile_id = _text(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES.values()))
    arrival = fields.Date(required=True)
    departure = fields.Date(required=True)
    room_type = _text(40, required=True)
    room_number = _text(20, required=True)
    rate_code = _text(40, required=True)
    channel = _text(40, required=True)
    channel_confirmation = _text(allow_none=True, load_default=None)
    adults = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=20))
    children = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=20))
    nightly_rate = fields.Decimal(required=True, places=2, as_string=True, validate=validate.Range(min=0))
    changes = fields.List(fields.Nested(ChangeSchema), required=True, validate=validate.Length(min=1))

    @marshmallow.validates_schema
    def _stays_a_night(self, data, **_kwargs):
        if "arrival" in data and "departure" in data and data["departure"] <= data["arrival"]:
            raise marshmallow.ValidationError("The departure is not after the arrival.", "departure")


class HotelSchema(_Strict):
    code = _text(10, required=True)
    name = _text(200, required=True)
    timezone = _text(required=True)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$"))


class WindowSchema(_Strict):
    after = fields.AwareDateTime(required=True, allow_none=True, format="iso")
    until = fields.AwareDateTime(required=True, format="iso")


class PageSchema(_Strict):
    format = fields.String(required=True, validate=validate.Equal(FORMAT))
    hotel = fields.Nested(HotelSchema, required=True)
    window = fields.Nested(WindowSchema, required=True)
    profiles = fields.List(fields.Nested(ProfileSchema), required=True, validate=validate.Length(max=MAX_ITEMS))
    reservations = fields.List(fields.Nested(ReservationSchema), required=True,
                               validate=validate.Length(max=MAX_ITEMS))

    @marshmallow.validates_schema
    def _profiles_known(self, data, **_kwargs):
        known = {profile["id"] for profile in data.get("profiles", [])}
        unknown = sorted({r["profile_id"] for r in data.get("reservations", [])} - known)
        if unknown:
            raise marshmallow.ValidationError(f"No profile is given for {', '.join(unknown[:3])}.", "reservations")


def _change(change: Change) -> dict:
    item = {"kind": change.kind, "at": change.at}
    if change.room_number is not None:
        item["room_number"] = change.room_number
    if change.revenue is not None:
        item["revenue"] = change.revenue
    return item


def _reservation(reservation: Reservation, changes, until) -> dict:
    state = STATES[reservation.changes_until(until)[-1].kind]
    return {
        "id": reservation.id, "profile_id": reservation.guest["external_id"], "state": state,
        "arrival": reservation.arrival, "departure": reservation.departure, "room_type": reservation.room_type,
        "room_number": reservation.room_number, "rate_code": reservation.rate_code, "channel": reservation.channel,
        "channel_confirmation": reservation.channel_confirmation, "adults": reservation.adults,
        "children": reservation.children, "nightly_rate": reservation.nightly_rate,
        "changes": [_change(change) for change in changes],
    }


def write(hotel: Hotel, after, until, found: list[tuple[Reservation, tuple[Change, ...]]]) -> bytes:
    """The page for the window (after, until] holding `found` (reservations with their changes
    in it), oldest change first."""
    found = sorted(found, key=lambda item: (item[1][0].at, item[0].id))
    profiles = {}
    for reservation, _changes in found:
        guest = dict(reservation.guest)
        profiles.setdefault(guest["external_id"], {"id": guest.pop("external_id"), **guest})
    page = {
        "format": FORMAT,
        "hotel": {"code": hotel.code, "name": hotel.name, "timezone": hotel.zone.key, "currency": hotel.currency},
        "window": {"after": after, "until": until},
        "profiles": list(profiles.values()),
        "reservations": [_reservation(reservation, changes, until) for reservation, changes in found],
    }
    return json.dumps(PageSchema().dump(page), ensure_ascii=False, sort_keys=True).encode()


def read(body: bytes) -> dict:
    """The page loaded (dates, times and amounts as Python values); ValueError, with what is
    wrong, for anything this export never writes."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise ValueError(f"The page is not JSON: {str(error)[:200]}") from None
    if not isinstance(data, dict):
        raise ValueError("The page is not a JSON object.")
    try:
        return PageSchema().load(data)
    except marshmallow.ValidationError as error:
        raise ValueError(f"The page is not a demo PMS export: {json.dumps(error.messages)[:500]}") from None
