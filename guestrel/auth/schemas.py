"""The staff and API client API contract. Hashes and session tokens are never part of it;
properties are named by their codes. Unknown fields are refused (marshmallow's default)."""
from marshmallow import Schema, fields, validate

from guestrel.auth.models import ROLES
from guestrel.auth.permissions import PERMISSIONS
from guestrel.auth.service import EMAIL_MAX_LENGTH, MIN_PASSWORD_LENGTH, NAME_MAX_LENGTH

MAX_PAGE_SIZE = 200

class PropertyCodeSchema(Schema):
    code = fields.Str()


class PageArgsSchema(Schema):
    limit = fields.Int(load_default=50, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))
    after = fields.Int(
        load_default=None, validate=validate.Range(min=0),
        metadata={"description": "The `next_after` of the previous page."},
    )


class StaffSchema(Schema):
    id = fields.Int()
    email = fields.Email()
    name = fields.Str()
    role = fields.Str(metadata={"enum": list(ROLES)})
    properties = fields.Pluck(PropertyCodeSchema, "code", many=True)
    locale = fields.Str(allow_none=True, metadata={"description": "UI language; null: the browser's."})
    active = fields.Bool()
    created_at = fields.DateTime()
    last_login_at = fields.DateTime(allow_none=True)


class StaffPageSchema(Schema):
    items = fields.List(fields.Nested(StaffSchema))
    next_after = fields.Int(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last."})


class StaffCreateSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=EMAIL_MAX_LENGTH))
    name = fields.Str(required=True, validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    role = fields.Str(required=True, validate=validate.OneOf(ROLES))
    password = fields.Str(required=True, load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH))
    properties = fields.List(fields.Str(validate=validate.Length(min=1, max=16)), load_default=list)
    locale = fields.Str(load_default=None, allow_none=True)


class StaffUpdateSchema(Schema):
    """Only the fields given change. A new password, role or disabling signs the staff member out."""

    name = fields.Str(validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    role = fields.Str(validate=validate.OneOf(ROLES))
    password = fields.Str(load_only=True, validate=validate.Length(min=MIN_PASSWORD_LENGTH))
    properties = fields.List(fields.Str(validate=validate.Length(min=1, max=16)))
    locale = fields.Str(allow_none=True)
    active = fields.Bool()


class ApiClientSchema(Schema):
    id = fields.Int()
    name = fields.Str()
    key_prefix = fields.Str(metadata={"description": "The public part of the key: grl_<key_prefix>_…"})
    scopes = fields.List(fields.Str(validate=validate.OneOf(list(PERMISSIONS))))
    properties = fields.Pluck(PropertyCodeSchema, "code", many=True)
    created_at = fields.DateTime()
    created_by_id = fields.Int(allow_none=True, metadata={"description": "The staff member who created it."})
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class ApiClientCreatedSchema(ApiClientSchema):
    """Dumped from {"client": ApiClient, "key": str}: the key exists only in this answer."""

    key = fields.Str(metadata={"description": "The bearer key. Shown only in this response: store it now."})

    def get_attribute(self, obj, attr, default):
        if attr == "key":
            return obj["key"]
        return super().get_attribute(obj["client"], attr, default)


class ApiClientPageSchema(Schema):
    items = fields.List(fields.Nested(ApiClientSchema))
    next_after = fields.Int(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last."})


class ApiClientCreateSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    scopes = fields.List(
        fields.Str(validate=validate.OneOf(list(PERMISSIONS))),
        required=True, validate=validate.Length(min=1),
    )
    properties = fields.List(
        fields.Str(validate=validate.Length(min=1, max=16)), load_default=list,
        metadata={"description": "Property codes; empty: the whole chain."},
    )
