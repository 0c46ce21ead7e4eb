"""The properties API contract. Shape and types are checked here; what a valid code, time zone or
currency is, the service decides, so the API and the browser forms refuse the same values."""
from marshmallow import Schema, fields, validate

from guestrel.properties.service import NAME_MAX_LENGTH


class PropertySchema(Schema):
    code = fields.String(dump_only=True, metadata={"example": "SHA"})
    name = fields.String(dump_only=True, metadata={"example": "Shanghai Bund"})
    timezone = fields.String(dump_only=True, metadata={"description": "IANA time zone", "example": "Asia/Shanghai"})
    currency = fields.String(dump_only=True, metadata={"description": "ISO 4217 code", "example": "CNY"})
    check_in_time = fields.Time(format="%H:%M", dump_only=True, metadata={
        "description": "When rooms are ready, on the hotel's clock; pre-arrival tasks are due then", "example": "14:00"})
    created_at = fields.DateTime(dump_only=True)


class PropertyListSchema(Schema):
    items = fields.List(fields.Nested(PropertySchema))


class PropertyUpdateSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    timezone = fields.String(metadata={"description": "IANA time zone, e.g. Asia/Shanghai"})
    currency = fields.String(metadata={"description": "ISO 4217 code, e.g. CNY"})
    check_in_time = fields.String(metadata={"description": "HH:MM on the hotel's clock; default 14:00", "example": "15:00"})


class PropertyCreateSchema(PropertyUpdateSchema):
    code = fields.String(required=True, metadata={"description": "2-16 of A-Z, 0-9 and -; stored upper-case"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=NAME_MAX_LENGTH))
    timezone = fields.String(required=True, metadata={"description": "IANA time zone, e.g. Asia/Shanghai"})
    currency = fields.String(required=True, metadata={"description": "ISO 4217 code, e.g. CNY"})
