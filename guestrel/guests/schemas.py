"""The guests API contract. Shapes, types and lengths are checked here (unknown fields refused);
what a valid phone number, country or category is, the service decides, so the API and the
browser forms refuse the same values."""
from marshmallow import Schema, fields, pre_dump, validate

from guestrel.guests.models import (
    DEPARTMENTS,
    PREFERENCE_PRIORITIES,
    PREFERENCE_SOURCES,
    SPECIAL_DATE_KINDS,
    Guest,
    GuestExternalId,
    Preference,
    PreferenceCategory,
)
from guestrel.guests.finder import MATCH_KINDS
from guestrel.guests.operation import LONG_TEXT_MAX
from guestrel.guests.preference_service import SORT_ORDER_MAX, category_label
from guestrel.guests.service import PAGE_SIZE_MAX


def _max(column) -> validate.Length:
    return validate.Length(max=column.type.length or LONG_TEXT_MAX)


def _text(column, **kwargs):
    return fields.String(allow_none=True, validate=_max(column), **kwargs)


guest_columns = Guest.__table__.c
external_id_columns = GuestExternalId.__table__.c
preference_columns = Preference.__table__.c
category_columns = PreferenceCategory.__table__.c


# -- guests -----------------------------------------------------------------------------------


class ExternalIdInputSchema(Schema):
    system = fields.String(required=True, validate=[validate.Length(min=1), _max(external_id_columns.system)],
                           metadata={"example": "opera"})
    external_id = fields.String(required=True, validate=[validate.Length(min=1), _max(external_id_columns.external_id)],
                                metadata={"example": "4711"})


class ExternalIdSchema(Schema):
    id = fields.Integer(dump_only=True)
    system = fields.String(dump_only=True)
    external_id = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class GuestUpdateSchema(Schema):
    given_name = _text(guest_columns.given_name, metadata={"example": "伟"})
    family_name = _text(guest_columns.family_name, metadata={"example": "张"})
    full_name = _text(guest_columns.full_name, metadata={"example": "张伟"})
    salutation = _text(guest_columns.salutation)
    email = _text(guest_columns.email, metadata={"description": "Stored lower-case"})
    phone = fields.String(allow_none=True, validate=validate.Length(max=40), metadata={
        "description": "Any format; without a country code it is read in the server's default region. Stored as E.164.",
        "example": "+86 138 0013 8000",
    })
    birthday = fields.Date(allow_none=True, metadata={"description": "Not in the future, not before 1900"})
    anniversary = fields.Date(allow_none=True, metadata={"description": "Not in the future, not before 1900"})
    nationality = fields.String(allow_none=True, validate=validate.Length(max=2),
                                metadata={"description": "ISO 3166-1 alpha-2", "example": "CN"})
    language = _text(guest_columns.language, metadata={"description": "BCP 47 tag", "example": "zh-CN"})
    company = _text(guest_columns.company)
    vip_code = _text(guest_columns.vip_code)
    member_number = fields.String(allow_none=True, validate=validate.Length(max=60), metadata={
        "description": "The chain's loyalty membership number, one guest's only; stored without spaces, in capitals",
        "example": "GR-1234-5678",
    })
    notes = _text(guest_columns.notes)
    account_owner_id = fields.Integer(allow_none=True, strict=True, metadata={"description": "A staff member's id"})


class GuestCreateSchema(GuestUpdateSchema):
    external_ids = fields.List(fields.Nested(ExternalIdInputSchema), load_default=list)


class GuestSummarySchema(Schema):
    id = fields.Integer(dump_only=True)
    given_name = fields.String(dump_only=True)
    family_name = fields.String(dump_only=True)
    full_name = fields.String(dump_only=True)
    email = fields.String(dump_only=True)
    phone = fields.String(dump_only=True)
    vip_code = fields.String(dump_only=True)
    member_number = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Also sent as the ETag"})


class GuestSchema(GuestSummarySchema):
    salutation = fields.String(dump_only=True)
    birthday = fields.Date(dump_only=True)
    anniversary = fields.Date(dump_only=True)
    nationality = fields.String(dump_only=True)
    language = fields.String(dump_only=True)
    company = fields.String(dump_only=True)
    notes = fields.String(dump_only=True)
    account_owner_id = fields.Integer(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)
    external_ids = fields.List(fields.Nested(ExternalIdSchema), dump_only=True)


class InHouseRoomSchema(Schema):
    room_number = fields.String(dump_only=True)
    property_code = fields.String(dump_only=True)
    property_name = fields.String(dump_only=True)


class GuestFoundSchema(GuestSummarySchema):
    matched_by = fields.String(dump_only=True, allow_none=True, metadata={
        "enum": list(MATCH_KINDS),
        "description": "How `q` found the guest, best first: the room they are in house in, their phone, an"
                       " external id, their exact member number, the start of their e-mail, of a word of their"
                       " names or member number, or only once a misspelt word was corrected; null without `q`",
    })
    in_house = fields.List(fields.Nested(InHouseRoomSchema), dump_only=True, metadata={
        "description": "Where the guest is in house now at the client's hotels (clients with stays:read)"})

    @pre_dump
    def _found(self, found, **_kwargs):
        guest = {name: getattr(found.guest, name) for name in GuestSummarySchema._declared_fields}
        return {**guest, "matched_by": found.matched_by, "in_house": found.rooms}


class GuestPageSchema(Schema):
    items = fields.List(fields.Nested(GuestFoundSchema))
    next_after = fields.Integer(allow_none=True, metadata={"description": "Pass as `after` for the next page; null on the last"})
    corrected = fields.String(allow_none=True, metadata={
        "description": "`q` with its misspelt words corrected, when guests found only so are on the page",
        "example": "zhang wei"})


class GuestQuerySchema(Schema):
    q = fields.String(validate=validate.Length(max=200), metadata={
        "description": "What a desk clerk types in the search box: words that start the guest's names (in any"
                       " script, in any order; Chinese names also in pinyin, with or without spaces) or member"
                       " number, misspelt words corrected when few guests match; the start of an e-mail address"
                       " (`li.wei@`) or its domain (`example.com`); a phone number in any format; an id in"
                       " another system; the room of a guest in house at the client's hotels (with stays:read)",
        "example": "zhang wei",
    })
    email = fields.String(validate=validate.Length(max=254), metadata={"description": "Exact, any case"})
    phone = fields.String(validate=validate.Length(max=40), metadata={"description": "Any format"})
    external_system = fields.String(validate=validate.Length(max=40))
    external_id = fields.String(validate=validate.Length(max=100))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=PAGE_SIZE_MAX))
    after = fields.Integer(validate=validate.Range(min=0), metadata={"description": "The `next_after` of the previous page"})


# -- preferences ------------------------------------------------------------------------------


def _recorded_by(preference) -> dict | None:
    if preference.recorded_by_staff is not None:
        return {"type": "staff", "name": preference.recorded_by_staff.name}
    if preference.recorded_by_client is not None:
        return {"type": "api_client", "name": preference.recorded_by_client.name}
    return None


class PreferenceUpdateSchema(Schema):
    category = fields.String(validate=_max(category_columns.code), metadata={"description": "A category code", "example": "food_and_drink"})
    value = fields.String(validate=[validate.Length(min=1), _max(preference_columns.value)], metadata={"example": "Carrot juice"})
    detail = _text(preference_columns.detail, metadata={"example": "A large glass, in the fridge before arrival"})
    property_code = fields.String(allow_none=True, validate=validate.Length(max=16),
                                  metadata={"description": "The hotel it holds at; null for the whole chain"})
    source = fields.String(validate=validate.OneOf(PREFERENCE_SOURCES),
                           metadata={"description": "Default: staff for staff, pms for API clients"})
    alert_at_check_in = fields.Boolean()
    prepare_before_arrival = fields.Boolean()
    priority = fields.String(validate=validate.OneOf(PREFERENCE_PRIORITIES),
                             metadata={"description": "Always critical in an allergy category"})


class PreferenceCreateSchema(PreferenceUpdateSchema):
    category = fields.String(required=True, validate=_max(category_columns.code),
                             metadata={"description": "A category code", "example": "food_and_drink"})
    value = fields.String(required=True, validate=[validate.Length(min=1), _max(preference_columns.value)],
                          metadata={"example": "Carrot juice"})


class PreferenceSchema(Schema):
    id = fields.Integer(dump_only=True)
    category = fields.Function(lambda p: p.category.code, dump_only=True, metadata={"type": "string"})
    category_label = fields.Function(lambda p: category_label(p.category), dump_only=True,
                                     metadata={"type": "string", "description": "In the request's language"})
    value = fields.String(dump_only=True)
    detail = fields.String(dump_only=True)
    property_code = fields.Function(lambda p: p.scope_property.code if p.scope_property else None, dump_only=True,
                                    metadata={"type": ["string", "null"]})
    source = fields.String(dump_only=True)
    alert_at_check_in = fields.Boolean(dump_only=True)
    prepare_before_arrival = fields.Boolean(dump_only=True)
    priority = fields.String(dump_only=True)
    recorded_by = fields.Function(_recorded_by, dump_only=True, metadata={
        "type": ["object", "null"],
        "properties": {"type": {"type": "string", "enum": ["staff", "api_client"]}, "name": {"type": "string"}},
    })
    recorded_at = fields.DateTime(dump_only=True)
    last_confirmed_at = fields.DateTime(dump_only=True)
    retired_at = fields.DateTime(dump_only=True)
    version = fields.Integer(dump_only=True, metadata={"description": "Also sent as the ETag"})


class PreferenceListSchema(Schema):
    items = fields.List(fields.Nested(PreferenceSchema))


class PreferenceQuerySchema(Schema):
    include_retired = fields.Boolean(load_default=False)


# -- special dates ----------------------------------------------------------------------------


class SpecialDateUpdateSchema(Schema):
    kind = fields.String(validate=validate.OneOf(SPECIAL_DATE_KINDS))
    date = fields.Date(metadata={"description": "Birthdays and anniversaries are not in the future"})
    label = fields.String(allow_none=True, validate=validate.Length(max=200), metadata={"example": "Wedding anniversary"})


class SpecialDateCreateSchema(SpecialDateUpdateSchema):
    kind = fields.String(required=True, validate=validate.OneOf(SPECIAL_DATE_KINDS))
    date = fields.Date(required=True, metadata={"description": "Birthdays and anniversaries are not in the future"})


class SpecialDateSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(dump_only=True)
    date = fields.Date(dump_only=True)
    label = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class SpecialDateListSchema(Schema):
    items = fields.List(fields.Nested(SpecialDateSchema))


# -- categories -------------------------------------------------------------------------------


class CategoryUpdateSchema(Schema):
    code = fields.String(validate=[validate.Length(min=1), _max(category_columns.code)],
                         metadata={"description": "Lower-case letters, digits and _", "example": "newspaper"})
    name = fields.String(validate=[validate.Length(min=1), _max(category_columns.name)], metadata={"example": "Newspaper"})
    sort_order = fields.Integer(strict=True, validate=validate.Range(min=0, max=SORT_ORDER_MAX))
    is_allergy = fields.Boolean(metadata={"description": "Preferences in it are always critical"})
    active = fields.Boolean(metadata={"description": "Inactive categories take no new preferences"})
    department = fields.String(validate=validate.OneOf(DEPARTMENTS), metadata={
        "description": "Who prepares its preferences before arrival; new categories: front_desk"})


class CategoryCreateSchema(CategoryUpdateSchema):
    code = fields.String(required=True, validate=[validate.Length(min=1), _max(category_columns.code)],
                         metadata={"description": "Lower-case letters, digits and _", "example": "newspaper"})
    name = fields.String(required=True, validate=[validate.Length(min=1), _max(category_columns.name)],
                         metadata={"example": "Newspaper"})


class CategorySchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    label = fields.Function(category_label, dump_only=True,
                            metadata={"type": "string", "description": "The name in the request's language"})
    sort_order = fields.Integer(dump_only=True)
    is_allergy = fields.Boolean(dump_only=True)
    active = fields.Boolean(dump_only=True)
    department = fields.String(dump_only=True, metadata={"enum": list(DEPARTMENTS)})


class CategoryListSchema(Schema):
    items = fields.List(fields.Nested(CategorySchema))


class CategoryQuerySchema(Schema):
    include_inactive = fields.Boolean(load_default=False)
