"""How a request is tied to a principal: a session cookie for staff, a bearer key for the API."""
from flask import g, request

from guestrel.auth import service
from guestrel.auth.models import StaffUser
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from flask_babel import lazy_gettext as _l

API_PREFIX = "/api/v1/"
PUBLIC_API_PATHS = {"/api/v1/openapi.json"}


def init_app(app, login_manager):
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_staff(session_id: str):
        staff_id, _, token = session_id.partition(":")
        if not staff_id.isdigit():
            return None
        staff = db.session.get(StaffUser, int(staff_id))
        if staff is None or not staff.active or staff.session_token != token:
            return None
        return staff

    @app.before_request
    def authenticate_api_call():
        if not request.path.startswith(API_PREFIX) or request.path in PUBLIC_API_PATHS:
            return
        header = request.headers.get("Authorization", "")
        scheme, _, key = header.partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return
        client = service.authenticate_api_key(key.strip())
        if client is not None:
            g.principal = Principal.for_api_client(client)
