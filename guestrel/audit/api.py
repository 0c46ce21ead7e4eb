"""REST API for reading the audit trail."""
from guestrel.api_conventions import Blueprint
from guestrel.audit import service
from guestrel.audit.schemas import AuditPageSchema, AuditQuerySchema
from guestrel.auth.permissions import current_principal, require

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="The audit trail.")


@blp.route("")
@require("audit:read")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditPageSchema)
@blp.errors()
def list_entries(filters):
    """Entries newest first. For the next page pass the answer's `next_before` as `before`.
    A client bound to some properties sees their entries, and chain-wide entries made by their
    staff and clients (or, with `guest_id`, all of that guest's chain-wide entries)."""
    return service.list_entries(current_principal(), **filters)
