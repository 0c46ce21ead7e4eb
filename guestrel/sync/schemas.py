"""The connections API contract. Settings are checked by each adapter's own schema in the
service; secret values are write-only: answers name the secrets that are set, never their values."""
from marshmallow import Schema, fields


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
    created_at = fields.DateTime(dump_only=True, attribute="connection.created_at")

    def _inbound_url(self, view):
        return view.inbound_path


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
