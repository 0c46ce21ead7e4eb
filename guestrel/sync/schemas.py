"""The connections and outbox API contract. Settings are checked by each adapter's own schema in
the service; secret values are write-only: answers name the secrets that are set, never their values."""
from flask import request
from flask_smorest.fields import Upload
from marshmallow import Schema, fields, validate

from guestrel.sync.models import OUTBOX_STATUSES
from guestrel.sync.outbox import LIST_LIMIT_MAX


class ConnectionSchema(Schema):
    id = fields.Integer(dump_only=True, attribute="connection.id")
    adapter = fields.String(dump_only=True, attribute="connection.adapter", metadata={"example": "mews"})
    property_code = fields.String(dump_only=True, metadata={"example": "SHA"})
    name = fields.String(dump_only=True, attribute="connection.name")
    settings = fields.Dict(dump_only=True, attribute="connection.settings",
                           metadata={"description": "The settings that are not secret"})
    secrets_set = fields.List(fields.String(), dump_only=True,
                              metadata={"description": "Names of the secret settings that have a value"})
    enabled = fields.Boolean(dump_only=True, attribute="connection.enabled")
    inbound_url = fields.Method("_inbound_url", dump_only=True,
                                metadata={"description": "Where the system posts its webhooks for this connection"})
    cursor = fields.Raw(dump_only=True, attribute="connection.cursor", allow_none=True)
    last_success_at = fields.DateTime(dump_only=True, attribute="connection.last_success_at", allow_none=True)
    last_error = fields.String(dump_only=True, attribute="connection.last_error", allow_none=True)
    inbox_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), dump_only=True,
                               metadata={"description": "Inbox messages of this connection by status"})
    last_polled_at = fields.DateTime(dump_only=True, attribute="connection.last_polled_at", allow_none=True)
    poll_after = fields.DateTime(dump_only=True, attribute="connection.poll_after", allow_none=True, metadata={
        "description": "The system asked not to be polled before this time (its Retry-After)"})
    version = fields.Integer(dump_only=True, attribute="connection.version",
                             metadata={"description": "Also the ETag: send it as If-Match to change the connection"})
    created_at = fields.DateTime(dump_only=True, attribute="connection.created_at")

    def _inbound_url(self, view):
        return request.host_url.rstrip("/") + view.inbound_path


class ConnectionListSchema(Schema):
    items = fields.List(fields.Nested(ConnectionSchema))


class ConnectionUpdateSchema(Schema):
    name = fields.String()
    enabled = fields.Boolean()
    settings = fields.Dict(metadata={"description": "Merged into the stored settings; a secret left out keeps its value"})


class ConnectionCreateSchema(ConnectionUpdateSchema):
    adapter = fields.String(required=True, metadata={"example": "mews"})
    property_code = fields.String(required=True, metadata={"example": "SHA"})
    name = fields.String(required=True)
    settings = fields.Dict(required=True)


class ConnectionCheckSchema(Schema):
    ok = fields.Boolean(dump_only=True)
    message = fields.String(dump_only=True)


class OutboxMessageSchema(Schema):
    id = fields.Integer(dump_only=True, attribute="message.id")
    connection_id = fields.Integer(dump_only=True, attribute="message.connection_id")
    connection_name = fields.String(dump_only=True)
    adapter = fields.String(dump_only=True, metadata={"example": "mews"})
    property_code = fields.String(dump_only=True, metadata={"example": "SHA"})
    guest_id = fields.Integer(dump_only=True, attribute="message.guest_id")
    kind = fields.String(dump_only=True, attribute="message.kind", metadata={"example": "guest_profile"})
    fact_id = fields.String(dump_only=True, attribute="message.fact_id",
                            metadata={"description": "The same on every try of this fact"})
    status = fields.String(dump_only=True, attribute="message.status", metadata={"enum": list(OUTBOX_STATUSES)})
    attempts = fields.Integer(dump_only=True, attribute="message.attempts")
    next_attempt_at = fields.DateTime(dump_only=True, attribute="message.next_attempt_at", allow_none=True)
    last_error = fields.String(dump_only=True, attribute="message.last_error", allow_none=True)
    created_at = fields.DateTime(dump_only=True, attribute="message.created_at")
    delivered_at = fields.DateTime(dump_only=True, attribute="message.delivered_at", allow_none=True)


class OutboxPageSchema(Schema):
    items = fields.List(fields.Nested(OutboxMessageSchema))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last"})


class OutboxQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(OUTBOX_STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=LIST_LIMIT_MAX))
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "The `next_after` of the previous page"})


class ImportOptionsSchema(Schema):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "true: report what the import would do and every bad row, and write nothing"})


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "The exported file, e.g. a CSV"})


class ImportErrorSchema(Schema):
    row = fields.Integer(dump_only=True, metadata={"description": "1 for the first row under the header; 0 for the file"})
    field = fields.String(dump_only=True, metadata={"description": "The column at fault, or `row` for the whole row"})
    message = fields.String(dump_only=True)


class ImportReportSchema(Schema):
    dry_run = fields.Boolean(dump_only=True)
    message_id = fields.Integer(dump_only=True, allow_none=True,
                                metadata={"description": "The inbox message holding the file; null for a dry run"})
    rows_read = fields.Integer(dump_only=True)
    rows_imported = fields.Integer(dump_only=True, metadata={"description": "Rows that changed something"})
    rows_unchanged = fields.Integer(dump_only=True, metadata={"description": "Rows with nothing new"})
    rows_failed = fields.Integer(dump_only=True, metadata={"description": "Rows refused; nothing of them was written"})
    errors = fields.List(fields.Nested(ImportErrorSchema), dump_only=True)
