"""REST API for the outbox: what waits to be delivered to PMSs, and retrying dead letters. Admin
only (integrations:admin), limited to the hotels the client covers."""
from guestrel.api_conventions import Blueprint
from guestrel.auth.permissions import current_principal, require
from guestrel.sync import outbox as service
from guestrel.sync.schemas import OutboxMessageSchema, OutboxPageSchema, OutboxQuerySchema

blp = Blueprint("outbox", __name__, url_prefix="/api/v1/outbox",
                description="Facts for PMSs waiting to be delivered, delivered, or dead after their tries.")


@blp.route("")
@require("integrations:admin")
@blp.arguments(OutboxQuerySchema, location="query")
@blp.response(200, OutboxPageSchema)
@blp.errors()
def list_messages(query):
    """List outbox messages of the hotels this client covers, oldest first, a page at a time

    `status`: pending (waiting for its next try, `last_error` says why it waits), delivering,
    delivered, dead (no more tries until retried) or superseded (a newer fact replaced it).
    """
    return service.list_messages(current_principal(), **query)


@blp.route("/<int:message_id>/retry", methods=["POST"])
@require("integrations:admin")
@blp.response(200, OutboxMessageSchema)
@blp.errors(404, 409)
def retry(message_id):
    """Try a dead message again from now on, its tries counted afresh

    409 for a message that is not dead. One that a newer fact about the guest has overtaken is
    answered `superseded` instead: sending it would undo the newer fact.
    """
    return service.retry(current_principal(), message_id)
