"""REST API for connections: parse, call the service, dump. Admin only (integrations:admin)."""
from guestrel.api_conventions import Blueprint
from guestrel.auth.permissions import current_principal, require
from guestrel.sync import connections as service
from guestrel.sync.schemas import (
    ConnectionCheckSchema,
    ConnectionCreateSchema,
    ConnectionListSchema,
    ConnectionSchema,
    ConnectionUpdateSchema,
)

blp = Blueprint("connections", __name__, url_prefix="/api/v1/connections",
                description="Connections of adapters (PMSs, channels) to hotels.")


@blp.route("")
@require("integrations:admin")
@blp.response(200, ConnectionListSchema)
@blp.errors()
def list_connections():
    """The connections of the hotels this client covers, with their inbox counts"""
    return {"items": service.list_connections(current_principal())}


@blp.route("", methods=["POST"])
@require("integrations:admin")
@blp.arguments(ConnectionCreateSchema)
@blp.response(201, ConnectionSchema)
@blp.errors(404, 409)
def create_connection(data):
    """Configure an adapter for a hotel

    `settings` are checked by the adapter's own schema (422 naming `settings.<field>`); the
    secret ones are stored encrypted and never shown back. One connection per adapter and hotel (409).
    """
    return service.create_connection(current_principal(), data)


@blp.route("/<int:connection_id>")
@require("integrations:admin")
@blp.response(200, ConnectionSchema)
@blp.errors(404)
def get_connection(connection_id):
    """Read a connection: settings without secrets, inbound URL, cursor, last success and error"""
    return service.get_connection(current_principal(), connection_id)


@blp.route("/<int:connection_id>", methods=["PATCH"])
@require("integrations:admin")
@blp.arguments(ConnectionUpdateSchema)
@blp.response(200, ConnectionSchema)
@blp.errors(404)
def update_connection(data, connection_id):
    """Rename, enable or disable a connection, or change settings (a secret left out is kept)"""
    return service.update_connection(current_principal(), connection_id, data)


@blp.route("/<int:connection_id>/test", methods=["POST"])
@require("integrations:admin")
@blp.response(200, ConnectionCheckSchema)
@blp.errors(404)
def test_connection(connection_id):
    """Run the adapter's check_connection() with the stored settings: `ok` and what it found"""
    return service.check_connection(current_principal(), connection_id)._asdict()
