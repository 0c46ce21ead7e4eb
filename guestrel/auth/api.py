"""Staff accounts and API clients over the API: for provisioning scripts and admin tools."""
from http import HTTPStatus

from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint, abort

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


def _guarded(blp, permission):
    """`require(permission)`, run before the body is parsed, and its answers documented."""

    def decorator(func):
        func = blp.alt_response(401, response=HTTPStatus.UNAUTHORIZED.name)(func)
        func = blp.alt_response(403, response=HTTPStatus.FORBIDDEN.name)(func)
        return require(permission)(func)

    return decorator


def _documented_404(blp):
    return blp.alt_response(404, response=HTTPStatus.NOT_FOUND.name)


def _refuse(error: service.AuthError):
    if isinstance(error, service.OutOfScope):
        abort(403, message=str(error))
    if error.field:
        abort(422, message=str(error), errors={"json": {error.field: [str(error)]}})
    abort(422, message=str(error))


def _staff_or_404(staff_id):
    return service.get_staff(current_principal(), staff_id) or abort(404, message=_("No such staff member."))


def _client_or_404(client_id):
    return service.get_api_client(current_principal(), client_id) or abort(404, message=_("No such API client."))


@staff_blp.route("")
class StaffCollection(MethodView):
    @_guarded(staff_blp, "staff:admin")
    @staff_blp.arguments(PageArgsSchema, location="query")
    @staff_blp.response(200, StaffPageSchema)
    def get(self, args):
        """List staff accounts

        Ordered by id, `limit` at a time. A client bound to some properties sees the staff of
        those properties only.
        """
        items, next_after = service.staff_page(current_principal(), limit=args["limit"], after=args["after"])
        return {"items": items, "next_after": next_after}

    @_guarded(staff_blp, "staff:admin")
    @staff_blp.arguments(StaffCreateSchema)
    @staff_blp.response(201, StaffSchema)
    def post(self, data):
        """Create a staff account

        The e-mail must be new. The staff member signs in with the password given here.
        """
        try:
            properties = service.properties_by_code(data.pop("properties"))
            return service.create_staff(principal=current_principal(), properties=properties, **data)
        except service.AuthError as error:
            _refuse(error)


@staff_blp.route("/<int:staff_id>")
class StaffItem(MethodView):
    @_guarded(staff_blp, "staff:admin")
    @staff_blp.response(200, StaffSchema)
    @_documented_404(staff_blp)
    def get(self, staff_id):
        """Read a staff account"""
        return _staff_or_404(staff_id)

    @_guarded(staff_blp, "staff:admin")
    @staff_blp.arguments(StaffUpdateSchema)
    @staff_blp.response(200, StaffSchema)
    @_documented_404(staff_blp)
    def patch(self, changes, staff_id):
        """Change a staff account

        Only the fields given change. A new password, a new role or disabling the account signs
        the staff member out everywhere. Nobody can change their own role or disable themselves.
        """
        staff = _staff_or_404(staff_id)
        try:
            if "properties" in changes:
                changes["properties"] = service.properties_by_code(changes["properties"])
            return service.update_staff(current_principal(), staff, changes)
        except service.AuthError as error:
            _refuse(error)


@clients_blp.route("")
class ApiClientCollection(MethodView):
    @_guarded(clients_blp, "clients:admin")
    @clients_blp.arguments(PageArgsSchema, location="query")
    @clients_blp.response(200, ApiClientPageSchema)
    def get(self, args):
        """List API clients

        Ordered by id, `limit` at a time, revoked ones included. Keys are never shown again.
        """
        items, next_after = service.api_client_page(current_principal(), limit=args["limit"], after=args["after"])
        return {"items": items, "next_after": next_after}

    @_guarded(clients_blp, "clients:admin")
    @clients_blp.arguments(ApiClientCreateSchema)
    @clients_blp.response(201, ApiClientCreatedSchema)
    def post(self, data):
        """Create an API client

        The answer holds the new bearer key, in `key`, this once: it is stored only as a hash.
        A client may only give scopes it holds and properties it covers.
        """
        try:
            properties = service.properties_by_code(data.pop("properties"))
            client, key = service.create_api_client(principal=current_principal(), properties=properties, **data)
        except service.AuthError as error:
            _refuse(error)
        return {"client": client, "key": key}


@clients_blp.route("/<int:client_id>")
class ApiClientItem(MethodView):
    @_guarded(clients_blp, "clients:admin")
    @clients_blp.response(200, ApiClientSchema)
    @_documented_404(clients_blp)
    def get(self, client_id):
        """Read an API client"""
        return _client_or_404(client_id)


@clients_blp.route("/<int:client_id>/revoke", methods=["POST"])
@_guarded(clients_blp, "clients:admin")
@clients_blp.response(200, ApiClientSchema)
@_documented_404(clients_blp)
def revoke_api_client(client_id):
    """Revoke an API client

    Its key is refused from now on, for good. Revoking a revoked client changes nothing.
    """
    client = _client_or_404(client_id)
    try:
        return service.revoke_api_client(current_principal(), client)
    except service.AuthError as error:
        _refuse(error)
