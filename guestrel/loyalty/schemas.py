"""The loyalty tiers API contract."""
from marshmallow import Schema, fields, validate

from guestrel.loyalty.points import PAGE_MAX, POINTS_MAX, RECORDED_KINDS
from guestrel.loyalty.service import BENEFIT_LENGTH, BENEFITS_MAX, RANK_MAX

BENEFITS = fields.List(fields.String(validate=validate.Length(max=BENEFIT_LENGTH)),
                       validate=validate.Length(max=BENEFITS_MAX),
                       metadata={"description": "What members of the tier are given, one text each",
                                 "example": ["Late check-out until 14:00", "Lounge access"]})


class TierSchema(Schema):
    code = fields.String(dump_only=True, metadata={"example": "PLATINUM"})
    name = fields.String(dump_only=True, metadata={"example": "Platinum"})
    rank = fields.Integer(dump_only=True, metadata={"description": "The higher, the better"})
    benefits = fields.List(fields.String(), dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Also the ETag: send it as If-Match to change the tier"})


class TierListSchema(Schema):
    items = fields.List(fields.Nested(TierSchema))


class TierCreateSchema(Schema):
    code = fields.String(required=True, metadata={"description": "Up to 20 letters, digits, - or _", "example": "PLATINUM"})
    name = fields.String(required=True, metadata={"example": "Platinum"})
    rank = fields.Integer(required=True, validate=validate.Range(min=0, max=RANK_MAX),
                          metadata={"description": "The higher, the better; one tier per rank", "example": 30})
    benefits = BENEFITS


class TierUpdateSchema(Schema):
    code = fields.String()
    name = fields.String()
    rank = fields.Integer(validate=validate.Range(min=0, max=RANK_MAX))
    benefits = BENEFITS


class MembershipSchema(Schema):
    guest_id = fields.Integer(dump_only=True)
    tier = fields.Nested(TierSchema, dump_only=True, allow_none=True, metadata={"description": "Null: no tier"})
    points = fields.Integer(dump_only=True, metadata={"description": "The points balance"})


class MembershipUpdateSchema(Schema):
    tier = fields.String(required=True, allow_none=True,
                         metadata={"description": "The tier's code; null takes the guest out of every tier",
                                   "example": "GOLD"})


class PointsEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True, metadata={"description": "award, redeem, adjust or merge"})
    points = fields.Integer(dump_only=True, metadata={"description": "Signed: a redemption is negative"})
    reason = fields.String(dump_only=True)
    idempotency_key = fields.String(dump_only=True)
    property_code = fields.Function(lambda entry: entry.entry_property.code if entry.entry_property else None,
                                    dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class LedgerSchema(Schema):
    balance = fields.Integer()
    items = fields.List(fields.Nested(PointsEntrySchema))
    next_before = fields.Integer(allow_none=True, metadata={"description": "Pass as `before` for the next page"})


class LedgerQuerySchema(Schema):
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=PAGE_MAX))
    before = fields.Integer(validate=validate.Range(min=1))


class PointsCreateSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(RECORDED_KINDS),
                         metadata={"description": "award, redeem or adjust"})
    points = fields.Integer(required=True, strict=True, validate=validate.Range(min=-POINTS_MAX, max=POINTS_MAX),
                            metadata={"description": "Positive for award and redeem; either sign for adjust",
                                      "example": 500})
    reason = fields.String(required=True, metadata={"example": "Stay 2026-12-01 to 2026-12-03, room revenue"})
    idempotency_key = fields.String(required=True, metadata={
        "description": "Unique to this entry across the chain (a UUID): a retry with the same key answers the "
                       "stored entry and books nothing", "example": "6f1c2b0e-2f43-4b7f-9d55-1f1f0c3e8a10"})
    property_code = fields.String(allow_none=True, metadata={"description": "The hotel where the points were earned or spent"})


class PointsRecordedSchema(Schema):
    entry = fields.Nested(PointsEntrySchema)
    balance = fields.Integer(metadata={"description": "The balance after the entry"})
