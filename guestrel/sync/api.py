"""REST API for connections: parse, call the service, dump. Admin only (integrations:admin)."""
from guestrel.api_conventions import ETAG_HEADER, IF_MATCH, Blueprint, etag, expected_version
from guestrel.auth.permissions import current_principal, require
from guestrel.sync import connections as service
from guestrel.sync import imports
from guestrel.sync.schemas import (
    ConnectionCheckSchema,
    ConnectionCreateSchema,
    ConnectionListSchema,
    ConnectionSchema,
    ConnectionUpdateSchema,
    ImportFileSchema,
    ImportOptionsSchema,
    ImportReportSchema,
)
from guestrel.sync.uploads import import_upload

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
@blp.response(201, ConnectionSchema, headers=ETAG_HEADER)
@blp.errors(404, 409)
def create_connection(data):
    """Configure an adapter for a hotel

    `settings` are checked by the adapter's own schema (422 naming `settings.<field>`); the
    secret ones are stored encrypted and never shown back. One connection per adapter and hotel (409).
    The answer's ETag is the version to send as If-Match when changing it.
    """
    view = service.create_connection(current_principal(), data)
    return view, etag(view.connection.version)


@blp.route("/<int:connection_id>")
@require("integrations:admin")
@blp.response(200, ConnectionSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_connection(connection_id):
    """Read a connection: settings without secrets, inbound URL, cursor, last success and error"""
    view = service.get_connection(current_principal(), connection_id)
    return view, etag(view.connection.version)


@blp.route("/<int:connection_id>", methods=["PATCH"])
@require("integrations:admin")
@blp.arguments(ConnectionUpdateSchema)
@blp.response(200, ConnectionSchema, headers=ETAG_HEADER)
@blp.errors(404, 412, 428)
@blp.doc(**IF_MATCH)
def update_connection(data, connection_id):
    """Rename, enable or disable a connection, or change settings (a secret left out is kept)

    Send If-Match with the ETag you read: 428 without it, 412 if the connection changed since.
    """
    version = expected_version(str(service.CONNECTION_CHANGED))
    view = service.update_connection(current_principal(), connection_id, data, expected_version=version)
    return view, etag(view.connection.version)


@blp.route("/<int:connection_id>/test", methods=["POST"])
@require("integrations:admin")
@blp.response(200, ConnectionCheckSchema)
@blp.errors(404)
def test_connection(connection_id):
    """Run the adapter's check_connection() with the stored settings: `ok` and what it found"""
    return service.check_connection(current_principal(), connection_id)._asdict()


@blp.route("/<int:connection_id>/import", methods=["POST"])
@require("integrations:admin")
@import_upload
@blp.arguments(ImportOptionsSchema, location="form")
@blp.arguments(ImportFileSchema, location="files")
@blp.response(200, ImportReportSchema)
@blp.errors(404, 413)
def import_file(options, files, connection_id):
    """Import a file through an import connection (a legacy system's CSV export)

    Send `multipart/form-data` with the `file` and, to only check it, `dry_run=true`: the report
    then names every bad row and nothing is written. The report counts the rows read, imported,
    unchanged and failed, and gives every error as row, field and message. A row is imported
    whole or not at all; a file imported twice changes nothing the second time. Files above
    GUESTREL_IMPORT_MAX_CONTENT_LENGTH are refused with 413; a connection whose adapter does not
    import files with 422.
    """
    upload = files["file"]
    return imports.import_file(current_principal(), connection_id, upload.read(), upload.filename,
                               dry_run=options["dry_run"])
