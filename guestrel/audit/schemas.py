"""The audit API contract."""
from marshmallow import Schema, fields, validate

from guestrel.audit.models import AUDIT_ACTIONS
from guestrel.audit.service import MAX_PAGE_SIZE

ENTITY_TYPE_MAX_LENGTH = 40


class AuditQuerySchema(Schema):
    guest_id = fields.Integer(validate=validate.Range(min=1))
    staff_id = fields.Integer(validate=validate.Range(min=1))
    api_client_id = fields.Integer(validate=validate.Range(min=1))
    action = fields.String(validate=validate.OneOf(AUDIT_ACTIONS))
    entity_type = fields.String(validate=validate.Length(min=1, max=ENTITY_TYPE_MAX_LENGTH))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    before = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "The `next_before` of the previous page: entries older than this id."},
    )


class ActorSchema(Schema):
    type = fields.String(metadata={"enum": ["staff", "api_client", "system"]})
    id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class AuditItemSchema(Schema):
    id = fields.Integer(attribute="entry.id")
    at = fields.DateTime(attribute="entry.at")
    actor = fields.Nested(ActorSchema)
    action = fields.String(attribute="entry.action")
    entity_type = fields.String(attribute="entry.entity_type")
    entity_id = fields.Integer(attribute="entry.entity_id", allow_none=True)
    guest_id = fields.Integer(attribute="entry.guest_id", allow_none=True)
    property_code = fields.String(allow_none=True)
    changes = fields.Dict(
        attribute="entry.changes",
        allow_none=True,
        metadata={"description": "{field: [before, after]} for each field that changed"},
    )
    remote_addr = fields.String(attribute="entry.remote_addr", allow_none=True)


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditItemSchema))
    next_before = fields.Integer(allow_none=True)
