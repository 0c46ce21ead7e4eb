"""REST API for guests, their preferences, special dates and the preference categories: parse,
call the service, dump. Versioned records (guests, preferences) carry their version as a strong
ETag; changing one requires If-Match with it."""
from flask import url_for

from guestrel.api_conventions import ETAG_HEADER, IF_MATCH, Blueprint, etag, expected_version
from guestrel.auth.permissions import current_principal, require
from guestrel.guests import finder, preference_service, service
from guestrel.guests.schemas import (
    CategoryCreateSchema,
    CategoryListSchema,
    CategoryQuerySchema,
    CategorySchema,
    CategoryUpdateSchema,
    ExternalIdInputSchema,
    ExternalIdSchema,
    GuestCreateSchema,
    GuestPageSchema,
    GuestQuerySchema,
    GuestSchema,
    GuestUpdateSchema,
    PreferenceCreateSchema,
    PreferenceListSchema,
    PreferenceQuerySchema,
    PreferenceSchema,
    PreferenceUpdateSchema,
    SpecialDateCreateSchema,
    SpecialDateListSchema,
    SpecialDateSchema,
    SpecialDateUpdateSchema,
)

blp = Blueprint("guests", __name__, url_prefix="/api/v1/guests", description="Guest profiles.")
categories_blp = Blueprint(
    "preference_categories", __name__, url_prefix="/api/v1/preference-categories",
    description="Preference categories.",
)



# -- guests -----------------------------------------------------------------------------------


@blp.route("")
@require("guests:read")
@blp.arguments(GuestQuerySchema, location="query")
@blp.response(200, GuestPageSchema)
@blp.errors()
def list_guests(query):
    """Find guests as the search box does, a page at a time

    `q` is read every way it may be meant (see its description); the other criteria must all
    match too. The guests `q` identifies (room, phone, external id) come first, then those whose
    words match, then, on the first page only and when few match, those found by correcting a
    misspelt word (see `corrected`). Pages follow the word matches by id: pass `next_after`
    as `after` for the next one.
    """
    return finder.find_guests(current_principal(), **query)


@blp.route("", methods=["POST"])
@require("guests:write")
@blp.arguments(GuestCreateSchema)
@blp.response(201, GuestSchema, headers=ETAG_HEADER)
@blp.errors(409)
def create_guest(data):
    """Create a guest

    The answer's Location is the guest's address and its ETag the version to send as If-Match.
    """
    guest = service.create_guest(current_principal(), data)
    return guest, {**etag(guest.version), "Location": url_for("guests.get_guest", guest_id=guest.id)}


@blp.route("/<int:guest_id>")
@require("guests:read")
@blp.response(200, GuestSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_guest(guest_id):
    """Read a guest's profile

    Every read is recorded in the audit trail.
    """
    guest = service.get_guest(current_principal(), guest_id)
    return guest, etag(guest.version)


@blp.route("/<int:guest_id>", methods=["PATCH"])
@require("guests:write")
@blp.arguments(GuestUpdateSchema)
@blp.response(200, GuestSchema, headers=ETAG_HEADER)
@blp.doc(**IF_MATCH)
@blp.errors(404, 412, 428)
def update_guest(changes, guest_id):
    """Change some of a guest's fields

    Send If-Match with the ETag you read: 428 without it, 412 if the guest changed since.
    """
    version = expected_version(str(service.GUEST_CHANGED))
    guest = service.update_guest(current_principal(), guest_id, version, changes)
    return guest, etag(guest.version)


@blp.route("/by-external-id/<system>/<path:external_id>")
@require("guests:read")
@blp.response(200, GuestSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_guest_by_external_id(system, external_id):
    """Read the guest another system knows by this id"""
    guest = service.find_by_external_id(current_principal(), system, external_id)
    return guest, etag(guest.version)


@blp.route("/<int:guest_id>/external-ids", methods=["POST"])
@require("guests:write")
@blp.arguments(ExternalIdInputSchema)
@blp.response(201, ExternalIdSchema)
@blp.errors(404, 409)
def add_external_id(data, guest_id):
    """Link a guest to its id in another system

    An id belongs to one guest per system: 409 if another guest has it.
    """
    return service.add_external_id(current_principal(), guest_id, data["system"], data["external_id"])


@blp.route("/<int:guest_id>/external-ids/<int:external_id_row_id>", methods=["DELETE"])
@require("guests:write")
@blp.response(204)
@blp.errors(404)
def remove_external_id(guest_id, external_id_row_id):
    """Unlink a guest from an id in another system"""
    service.remove_external_id(current_principal(), guest_id, external_id_row_id)


# -- preferences ------------------------------------------------------------------------------


@blp.route("/<int:guest_id>/preferences")
@require("guests:read")
@blp.arguments(PreferenceQuerySchema, location="query")
@blp.response(200, PreferenceListSchema)
@blp.errors(404)
def list_preferences(query, guest_id):
    """List a guest's preferences

    Chain-wide ones and those of the hotels this client covers; retired ones on request.
    """
    return {"items": preference_service.list_preferences(current_principal(), guest_id, **query)}


@blp.route("/<int:guest_id>/preferences", methods=["POST"])
@require("guests:write")
@blp.arguments(PreferenceCreateSchema)
@blp.response(201, PreferenceSchema, headers=ETAG_HEADER)
@blp.errors(404)
def add_preference(data, guest_id):
    """Record a preference

    property_code null (the default) means the whole chain; a hotel code limits it to that
    hotel, which this client must cover (403 otherwise). In an allergy category the priority is
    always critical.
    """
    preference = preference_service.add_preference(current_principal(), guest_id, data)
    location = url_for("guests.get_preference", guest_id=guest_id, preference_id=preference.id)
    return preference, {**etag(preference.version), "Location": location}


@blp.route("/<int:guest_id>/preferences/<int:preference_id>")
@require("guests:read")
@blp.response(200, PreferenceSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_preference(guest_id, preference_id):
    """Read one preference"""
    preference = preference_service.get_preference(current_principal(), guest_id, preference_id)
    return preference, etag(preference.version)


@blp.route("/<int:guest_id>/preferences/<int:preference_id>", methods=["PATCH"])
@require("guests:write")
@blp.arguments(PreferenceUpdateSchema)
@blp.response(200, PreferenceSchema, headers=ETAG_HEADER)
@blp.doc(**IF_MATCH)
@blp.errors(404, 412, 428)
def update_preference(changes, guest_id, preference_id):
    """Change a preference

    Send If-Match with the ETag you read: 428 without it, 412 if it changed since.
    """
    version = expected_version(str(preference_service.PREFERENCE_CHANGED))
    preference = preference_service.update_preference(
        current_principal(), guest_id, preference_id, version, changes
    )
    return preference, etag(preference.version)


@blp.route("/<int:guest_id>/preferences/<int:preference_id>/confirm", methods=["POST"])
@require("guests:write")
@blp.response(200, PreferenceSchema, headers=ETAG_HEADER)
@blp.errors(404)
def confirm_preference(guest_id, preference_id):
    """Mark a preference as confirmed by the guest today"""
    preference = preference_service.confirm_preference(current_principal(), guest_id, preference_id)
    return preference, etag(preference.version)


@blp.route("/<int:guest_id>/preferences/<int:preference_id>/retire", methods=["POST"])
@require("guests:write")
@blp.response(200, PreferenceSchema, headers=ETAG_HEADER)
@blp.errors(404)
def retire_preference(guest_id, preference_id):
    """Retire a preference that no longer holds

    It is kept in the guest's history (include_retired=true lists it), never deleted.
    """
    preference = preference_service.retire_preference(current_principal(), guest_id, preference_id)
    return preference, etag(preference.version)


# -- special dates ----------------------------------------------------------------------------


@blp.route("/<int:guest_id>/special-dates")
@require("guests:read")
@blp.response(200, SpecialDateListSchema)
@blp.errors(404)
def list_special_dates(guest_id):
    """List a guest's special dates"""
    return {"items": service.list_special_dates(current_principal(), guest_id)}


@blp.route("/<int:guest_id>/special-dates", methods=["POST"])
@require("guests:write")
@blp.arguments(SpecialDateCreateSchema)
@blp.response(201, SpecialDateSchema)
@blp.errors(404)
def add_special_date(data, guest_id):
    """Add a birthday, anniversary or other occasion"""
    return service.add_special_date(current_principal(), guest_id, data)


@blp.route("/<int:guest_id>/special-dates/<int:special_date_id>", methods=["PATCH"])
@require("guests:write")
@blp.arguments(SpecialDateUpdateSchema)
@blp.response(200, SpecialDateSchema)
@blp.errors(404)
def update_special_date(changes, guest_id, special_date_id):
    """Change a special date"""
    return service.update_special_date(current_principal(), guest_id, special_date_id, changes)


@blp.route("/<int:guest_id>/special-dates/<int:special_date_id>", methods=["DELETE"])
@require("guests:write")
@blp.response(204)
@blp.errors(404)
def delete_special_date(guest_id, special_date_id):
    """Delete a special date"""
    service.delete_special_date(current_principal(), guest_id, special_date_id)


# -- preference categories --------------------------------------------------------------------


@categories_blp.route("")
@require("guests:read")
@categories_blp.arguments(CategoryQuerySchema, location="query")
@categories_blp.response(200, CategoryListSchema)
@categories_blp.errors()
def list_categories(query):
    """List the preference categories

    Active ones in display order; inactive ones too with include_inactive=true.
    """
    return {"items": preference_service.list_categories(current_principal(), **query)}


@categories_blp.route("", methods=["POST"])
@require("categories:admin")
@categories_blp.arguments(CategoryCreateSchema)
@categories_blp.response(201, CategorySchema)
@categories_blp.errors(409)
def create_category(data):
    """Add a preference category"""
    return preference_service.create_category(current_principal(), data)


@categories_blp.route("/<int:category_id>", methods=["PATCH"])
@require("categories:admin")
@categories_blp.arguments(CategoryUpdateSchema)
@categories_blp.response(200, CategorySchema)
@categories_blp.errors(404, 409)
def update_category(changes, category_id):
    """Change a preference category

    Categories are deactivated (active=false), never deleted: old preferences keep theirs.
    """
    return preference_service.update_category(current_principal(), category_id, changes)


# The routes of possible duplicates and merging register on blp.
from guestrel.guests import merge_api  # noqa: E402,F401
