"""The loyalty tiers API contract."""
from marshmallow import Schema, fields, validate

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


class MembershipUpdateSchema(Schema):
    tier = fields.String(required=True, allow_none=True,
                         metadata={"description": "The tier's code; null takes the guest out of every tier",
                                   "example": "GOLD"})
