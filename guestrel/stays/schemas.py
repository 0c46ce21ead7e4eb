"""The stays API contract. Shapes, types and lengths are checked here (unknown fields refused);
the service checks what depends on the stored stay (departure after arrival, the guest exists)."""
from decimal import Decimal

from flask_babel import gettext as _
from marshmallow import Schema, ValidationError, fields, validate

from guestrel.properties.service import currencies
from guestrel.stays.models import STAY_STATUSES, Stay
from guestrel.stays.clean import GUESTS_MAX, MONEY_MAX, REVENUE_FIELDS
from guestrel.stays.service import PAGE_SIZE_MAX, status_label

columns = Stay.__table__.c


def _cents(value: Decimal):
    if value.as_tuple().exponent < -2:
        raise ValidationError(_("Use at most two decimals."))


def _currency(value: str):
    if value.upper() not in currencies():
        raise ValidationError(_("Choose an ISO 4217 currency code such as CNY."))


def _amount(**kwargs):
    return fields.Decimal(as_string=True, validate=[validate.Range(min=0, max=MONEY_MAX), _cents], **kwargs)


def _text(column, **kwargs):
    return fields.String(allow_none=True, validate=validate.Length(max=column.type.length), **kwargs)


class RevenueSchema(Schema):
    room = _amount(metadata={"example": "1800.00"})
    food_and_beverage = _amount(metadata={"example": "320.50"})
    other = _amount(metadata={"example": "0.00"})
    currency = fields.String(validate=_currency, metadata={"description": "ISO 4217; default: the hotel's", "example": "CNY"})


class GuestExternalIdSchema(Schema):
    system = fields.String(required=True, validate=validate.Length(min=1, max=40), metadata={"example": "mews"})
    id = fields.String(required=True, validate=validate.Length(min=1, max=100), metadata={"example": "c-4711"})


class StayUpsertSchema(Schema):
    source_modified_at = fields.AwareDateTime(required=True, metadata={
        "description": "When the source last changed the reservation, with its UTC offset; an older update is ignored",
        "example": "2026-11-25T08:30:00Z",
    })
    status = fields.String(validate=validate.OneOf(STAY_STATUSES), metadata={"description": "Default for a new reservation: booked"})
    arrival = fields.Date(metadata={"description": "Required for a new reservation", "example": "2026-12-01"})
    departure = fields.Date(metadata={"description": "After the arrival; required for a new reservation", "example": "2026-12-03"})
    room_type = _text(columns.room_type, metadata={"example": "DLX"})
    room_number = _text(columns.room_number, metadata={"example": "1208"})
    rate_code = _text(columns.rate_code, metadata={"example": "BAR"})
    channel = _text(columns.channel, metadata={"description": "The booking channel's code", "example": "booking_com"})
    channel_confirmation = _text(columns.channel_confirmation, metadata={"example": "4032187765"})
    adults = fields.Integer(strict=True, validate=validate.Range(min=0, max=GUESTS_MAX))
    children = fields.Integer(strict=True, validate=validate.Range(min=0, max=GUESTS_MAX))
    revenue = fields.Nested(RevenueSchema)
    guest_id = fields.Integer(strict=True, metadata={"description": "Omit both guest fields to keep the stay's guest"})
    guest_external_id = fields.Nested(GuestExternalIdSchema, metadata={"description": "Needs guests:read"})
    checked_in_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Default: source_modified_at when it enters in_house"})
    checked_out_at = fields.AwareDateTime(allow_none=True, metadata={"description": "Default: source_modified_at when it enters checked_out"})


class CheckInSchema(Schema):
    at = fields.AwareDateTime(metadata={"description": "Default: now"})


class CheckOutSchema(CheckInSchema):
    revenue = fields.Nested(RevenueSchema, metadata={"description": "The stay's final revenue"})


class NoBodySchema(Schema):
    pass


def _revenue(stay) -> dict:
    values = {name: str(getattr(stay, column)) for name, column in REVENUE_FIELDS.items()}
    return {**values, "currency": stay.currency}


class StaySchema(Schema):
    id = fields.Integer(dump_only=True)
    property_code = fields.Function(lambda s: s.stay_property.code, dump_only=True, metadata={"type": "string"})
    pms_id = fields.String(dump_only=True)
    guest_id = fields.Integer(dump_only=True, allow_none=True)
    channel = fields.String(dump_only=True)
    channel_confirmation = fields.String(dump_only=True)
    status = fields.String(dump_only=True, metadata={"enum": list(STAY_STATUSES)})
    status_label = fields.Function(lambda s: status_label(s.status), dump_only=True,
                                   metadata={"type": "string", "description": "In the request's language"})
    arrival = fields.Date(dump_only=True)
    departure = fields.Date(dump_only=True)
    room_type = fields.String(dump_only=True)
    room_number = fields.String(dump_only=True)
    rate_code = fields.String(dump_only=True)
    adults = fields.Integer(dump_only=True)
    children = fields.Integer(dump_only=True)
    revenue = fields.Function(_revenue, dump_only=True, metadata={"type": "object", "description": "Amounts as decimal strings"})
    source_modified_at = fields.DateTime(dump_only=True)
    checked_in_at = fields.DateTime(dump_only=True)
    checked_out_at = fields.DateTime(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class UpsertResultSchema(Schema):
    outcome = fields.String(dump_only=True, metadata={"enum": ["created", "updated", "ignored_stale", "ignored_duplicate"]})
    ignored = fields.String(dump_only=True, allow_none=True, metadata={
        "enum": ["stale", "duplicate", None],
        "description": "stale: older than the stored update; duplicate: the stored update again. Nothing was changed.",
    })
    stay = fields.Nested(StaySchema, dump_only=True, metadata={"description": "The stay as stored"})


class StayPageSchema(Schema):
    items = fields.List(fields.Nested(StaySchema))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last"})


class StayQuerySchema(Schema):
    guest_id = fields.Integer(validate=validate.Range(min=1))
    property_code = fields.String(data_key="property", validate=validate.Length(min=1, max=16),
                                  metadata={"description": "A hotel code", "example": "SHA"})
    arrival_from = fields.Date(metadata={"description": "Inclusive"})
    arrival_to = fields.Date(metadata={"description": "Inclusive"})
    status = fields.String(validate=validate.OneOf(STAY_STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "The `next_after` of the previous page"})
