"""REST API for the chain's properties: parse, call the service, dump."""
from guestrel.api_conventions import Blueprint
from guestrel.auth.permissions import current_principal, require
from guestrel.properties import service
from guestrel.properties.schemas import (
    PropertyCreateSchema,
    PropertyListSchema,
    PropertySchema,
    PropertyUpdateSchema,
)

blp = Blueprint("properties", __name__, url_prefix="/api/v1/properties", description="The chain's properties.")


@blp.route("")
@require("properties:read")
@blp.response(200, PropertyListSchema)
@blp.errors()
def list_properties():
    """The properties this client covers: all of them for a chain-wide client."""
    return {"items": service.list_properties(current_principal())}


@blp.route("", methods=["POST"])
@require("properties:write")
@blp.arguments(PropertyCreateSchema)
@blp.response(201, PropertySchema)
@blp.errors(409)
def create_property(values):
    """Add a hotel to the chain. Clients bound to some properties may not."""
    return service.create_property(current_principal(), **values)


@blp.route("/<code>")
@require("properties:read")
@blp.response(200, PropertySchema)
@blp.errors(404)
def get_property(code):
    return service.get_property(current_principal(), code)


@blp.route("/<code>", methods=["PATCH"])
@require("properties:write")
@blp.arguments(PropertyUpdateSchema)
@blp.response(200, PropertySchema)
@blp.errors(404)
def update_property(values, code):
    """Change a property's name, time zone or currency; its code stays."""
    return service.update_property(current_principal(), code, **values)
