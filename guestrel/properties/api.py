"""REST API for the chain's properties: parse, call the service, dump."""
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

from guestrel.auth.permissions import current_principal, require
from guestrel.properties import service
from guestrel.properties.schemas import (
    PropertyCreateSchema,
    PropertyListSchema,
    PropertySchema,
    PropertyUpdateSchema,
)

blp = Blueprint("properties", __name__, url_prefix="/api/v1/properties", description="The chain's properties.")


def _abort_for(error: service.PropertyError):
    if isinstance(error, service.PropertyInvalid):
        abort(422, message=_("Some values are not valid."), errors={"json": error.errors})
    if isinstance(error, service.PropertyNotFound):
        abort(404, message=str(error))
    if isinstance(error, service.PropertyForbidden):
        abort(403, message=str(error))
    if isinstance(error, service.PropertyCodeTaken):
        abort(409, message=str(error), errors={"json": {"code": [str(error)]}})
    raise error


@blp.route("")
@require("properties:read")
@blp.response(200, PropertyListSchema)
def list_properties():
    """The properties this client covers: all of them for a chain-wide client."""
    return {"items": service.list_properties(current_principal())}


@blp.route("", methods=["POST"])
@require("properties:write")
@blp.arguments(PropertyCreateSchema)
@blp.response(201, PropertySchema)
def create_property(values):
    """Add a hotel to the chain. Clients bound to some properties may not."""
    try:
        return service.create_property(current_principal(), **values)
    except service.PropertyError as error:
        _abort_for(error)


@blp.route("/<code>")
@require("properties:read")
@blp.response(200, PropertySchema)
def get_property(code):
    try:
        return service.get_property(current_principal(), code)
    except service.PropertyError as error:
        _abort_for(error)


@blp.route("/<code>", methods=["PATCH"])
@require("properties:write")
@blp.arguments(PropertyUpdateSchema)
@blp.response(200, PropertySchema)
def update_property(values, code):
    """Change a property's name, time zone or currency; its code stays."""
    try:
        return service.update_property(current_principal(), code, **values)
    except service.PropertyError as error:
        _abort_for(error)
