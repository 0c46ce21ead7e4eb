"""One demo PMS connection's settings: the hotel it simulates and how busy it is."""
import zoneinfo
from decimal import Decimal

import marshmallow
from marshmallow import fields, validate

# Room numbers are handed out per arrival day in blocks that a week of stays never reuses, so
# these bounds keep two guests out of one room (see simulation._room_number).
MAX_ARRIVALS_PER_DAY = 20
MAX_NIGHTS = 6
MAX_KNOWN_GUESTS = 100


def _known_timezone(name: str):
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise marshmallow.ValidationError("Use an IANA time zone such as Asia/Shanghai.") from error


class KnownGuest(marshmallow.Schema):
    """A guest guestrel knows already, by their id in this PMS (guestrel's external id in the
    system "demo_pms"), whom the simulator books again and again. `arrival` (with `nights`)
    books the guest once more, certainly, on that day: the demo's way to make a story play."""

    external_id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    given_name = fields.String(validate=validate.Length(min=1, max=100))
    family_name = fields.String(validate=validate.Length(min=1, max=100))
    email = fields.Email()
    phone = fields.String(validate=validate.Length(min=1, max=40))
    arrival = fields.Date()
    nights = fields.Integer(load_default=2, strict=True, validate=validate.Range(min=1, max=MAX_NIGHTS))

    @marshmallow.validates_schema
    def _named(self, data, **_kwargs):
        if not (data.get("given_name") or data.get("family_name")):
            raise marshmallow.ValidationError("Give the guest's given or family name.", "given_name")


class DemoPmsSettings(marshmallow.Schema):
    """hotel_code, hotel_name: the hotel as the simulated PMS calls it (the code starts its
    reservation ids). timezone, currency: the hotel's. arrivals_per_day: about how many guests
    arrive each day. check_in_hour, check_out_hour: the hotel's hours, on its clock; guests come
    and go around them. nightly_rate: the price of a standard double, in the hotel's currency.
    seed: another seed plays another week. guests: the known guests (see KnownGuest)."""

    hotel_code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9]{2,10}$",
                                                                       error="Use 2 to 10 capital letters or digits."))
    hotel_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(required=True, validate=_known_timezone)
    currency = fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{3}$",
                                                                     error="Use an ISO 4217 code such as CNY."))
    arrivals_per_day = fields.Integer(load_default=8, strict=True,
                                      validate=validate.Range(min=0, max=MAX_ARRIVALS_PER_DAY))
    check_in_hour = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=8, max=18))
    check_out_hour = fields.Integer(load_default=12, strict=True, validate=validate.Range(min=6, max=14))
    nightly_rate = fields.Decimal(load_default=Decimal("880.00"), places=2, as_string=True,
                                  validate=validate.Range(min=1, max=100_000))
    seed = fields.Integer(load_default=1, strict=True)
    guests = fields.List(fields.Nested(KnownGuest), load_default=list,
                         validate=validate.Length(max=MAX_KNOWN_GUESTS))

    @marshmallow.validates("guests")
    def _distinct(self, guests, **_kwargs):
        ids = [guest["external_id"] for guest in guests]
        if len(ids) != len(set(ids)):
            raise marshmallow.ValidationError("Each guest is listed once.")
