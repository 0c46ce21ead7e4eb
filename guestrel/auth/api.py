"""Staff accounts and API clients over the API: for provisioning scripts and admin tools."""
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import abort

from guestrel.api_conventions import Blueprint
from guestrel.auth import service
from guestrel.auth.permissions import current_principal, require
from guestrel.auth.schemas import (
    ApiClientCreatedSchema,
    ApiClientCreateSchema,
    ApiClientPageSchema,
    ApiClientSchema,
    PageArgsSchema,
    StaffCreateSchema,
    StaffPageSchema,
    StaffSchema,
    StaffUpdateSchema,
)

staff_blp = Blueprint("staff", __name__, url_prefix="/api/v1/staff", description="Staff accounts (admin).")
clients_blp = Blueprint("api_clients", __name__, url_prefix="/api/v1/api-clients", description="API clients (admin).")


def _staff_or_404(staff_id):
    return service.get_staff(current_principal(), staff_id) or abort(404, message=_("No such staff member."))


def _client_or_404(client_id):
    return service.get_api_client(current_principal(), client_id) or abort(404, message=_("No such API client."))


@staff_blp.route("")
class StaffCollection(MethodView):
    @require("staff:admin")
    @staff_blp.arguments(PageArgsSchema, location="query")
    @staff_blp.response(200, StaffPageSchema)
    @staff_blp.errors()
    def get(self, args):
        """List staff accounts

        Ordered by id, `limit` at a time. A client bound to some properties sees the staff of
        those properties only.
        """
        items, next_after = service.staff_page(current_principal(), limit=args["limit"], after=args["after"])
        return {"items": items, "next_after": next_after}

    @require("staff:admin")
    @staff_blp.arguments(StaffCreateSchema)
    @staff_blp.response(201, StaffSchema)
    @staff_blp.errors()
    def post(self, data):
        """Create a staff account

        The e-mail must be new. The staff member signs in with the password given here.
        """
        properties = service.properties_by_code(data.pop("properties"))
        return service.create_staff(principal=current_principal(), properties=properties, **data)


@staff_blp.route("/<int:staff_id>")
class StaffItem(MethodView):
    @require("staff:admin")
    @staff_blp.response(200, StaffSchema)
    @staff_blp.errors(404)
    def get(self, staff_id):
        """Read a staff account"""
        return _staff_or_404(staff_id)

    @require("staff:admin")
    @staff_blp.arguments(StaffUpdateSchema)
    @staff_blp.response(200, StaffSchema)
    @staff_blp.errors(404)
    def patch(self, changes, staff_id):
        """Change a staff account

        Only the fields given change. A new password, a new role or disabling the account signs
        the staff member out everywhere. Nobody can change their own role or disable themselves.
        """
        staff = _staff_or_404(staff_id)
        if "properties" in changes:
            changes["properties"] = service.properties_by_code(changes["properties"])
        return service.update_staff(current_principal(), staff, changes)


@clients_blp.route("")
class ApiClientCollection(MethodView):
    @require("clients:admin")
    @clients_blp.arguments(PageArgsSchema, location="query")
    @clients_blp.response(200, ApiClientPageSchema)
    @clients_blp.errors()
    def get(self, args):
        """List API clients

        Ordered by id, `limit` at a time, revoked ones included. Keys are never shown again.
        """
        items, next_after = service.api_client_page(current_principal(), limit=args["limit"], after=args["after"])
        return {"items": items, "next_after": next_after}

    @require("clients:admin")
    @clients_blp.arguments(ApiClientCreateSchema)
    @clients_blp.response(201, ApiClientCreatedSchema)
    @clients_blp.errors()
    def post(self, data):
        """Create an API client

        The answer holds the new bearer key, in `key`, this once: it is stored only as a hash.
        A client may only give scopes it holds and properties it covers.
        """
        properties = service.properties_by_code(data.pop("properties"))
        client, key = service.create_api_client(principal=current_principal(), properties=properties, **data)
        return {"client": client, "key": key}


@clients_blp.route("/<int:client_id>")
class ApiClientItem(MethodView):
    @require("clients:admin")
    @clients_blp.response(200, ApiClientSchema)
    @clients_blp.errors(404)
    def get(self, client_id):
        """Read an API client"""
        return _client_or_404(client_id)


@clients_blp.route("/<int:client_id>/revoke", methods=["POST"])
@require("clients:admin")
@clients_blp.response(200, ApiClientSchema)
@clients_blp.errors(404)
def revoke_api_client(client_id):
    """Revoke an API client

    Its key is refused from now on, for good. Revoking a revoked client changes nothing.
    """
    client = _client_or_404(client_id)
    return service.revoke_api_client(current_principal(), client)
