"""The check-in alerts and alert rules API contract."""
from marshmallow import Schema, fields, validate

from guestrel.alerts.models import RULE_CONDITIONS
from guestrel.alerts.service import PAGE_MAX, STATUSES


class AlertSchema(Schema):
    id = fields.Integer(dump_only=True, attribute="alert.id")
    stay_id = fields.Integer(dump_only=True, attribute="alert.stay_id")
    guest_id = fields.Integer(dump_only=True, attribute="alert.guest_id", allow_none=True)
    property_code = fields.String(dump_only=True, metadata={"example": "SHA"})
    created_at = fields.DateTime(dump_only=True, attribute="alert.created_at")
    acknowledged_at = fields.DateTime(dump_only=True, attribute="alert.acknowledged_at", allow_none=True)
    acknowledged_by = fields.String(dump_only=True, allow_none=True, metadata={"description": "The staff member's name"})
    content = fields.Dict(dump_only=True, attribute="alert.content", metadata={
        "description": "What the alert says, as at check-in: stay (room, dates), guest (name, VIP code, member "
                       "number, loyalty tier with its code, name and benefits, language, nationality, notes; null "
                       "without a profile), allergies and preferences "
                       "(category, value, detail, priority), occasions during the stay (kind, label, on), "
                       "earlier_stays (hotel, chain) and the rules matched (name, text)"})


class AlertPageSchema(Schema):
    items = fields.List(fields.Nested(AlertSchema))
    next_before = fields.Integer(allow_none=True, metadata={"description": "Pass as `before` for the next page"})


class AlertQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "open or acknowledged"})
    property = fields.String(data_key="property", metadata={"description": "A hotel's code"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_MAX))
    before = fields.Integer(validate=validate.Range(min=1))


CONDITION_DOC = ("vip_code, member, first_stay_in_chain, first_stay_at_hotel, stays_at_least, allergy, "
                 "occasion_during_stay, nationality, language or tier")


class AlertRuleSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)
    condition = fields.String(dump_only=True)
    value = fields.String(dump_only=True, allow_none=True)
    text = fields.String(dump_only=True)
    property_code = fields.Function(lambda rule: rule.rule_property.code if rule.rule_property else None,
                                    dump_only=True, metadata={"description": "The hotel; null for the whole chain"})
    enabled = fields.Boolean(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Also the ETag: send it as If-Match to change the rule"})


class AlertRuleCreateSchema(Schema):
    name = fields.String(required=True, metadata={"example": "First stay"})
    condition = fields.String(required=True, validate=validate.OneOf(RULE_CONDITIONS), metadata={"description": CONDITION_DOC})
    value = fields.String(allow_none=True, metadata={
        "description": "What vip_code, stays_at_least, nationality, language and tier (a tier's code) compare with",
        "example": "GOLD"})
    text = fields.String(required=True, metadata={"example": "First stay with us: welcome them and offer a tour."})
    property_code = fields.String(allow_none=True, metadata={"description": "The hotel; null or absent for the whole chain"})
    enabled = fields.Boolean()


class AlertRuleUpdateSchema(Schema):
    name = fields.String()
    condition = fields.String(validate=validate.OneOf(RULE_CONDITIONS), metadata={"description": CONDITION_DOC})
    value = fields.String(allow_none=True)
    text = fields.String()
    property_code = fields.String(allow_none=True)
    enabled = fields.Boolean()


class AlertRuleListSchema(Schema):
    items = fields.List(fields.Nested(AlertRuleSchema))
