"""Errors: JSON for the API, friendly pages for the browser, never a stack trace."""
from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, default_exceptions

from guestrel.api_conventions import invalid_values_message
from guestrel.extensions import api
from guestrel.service_errors import InvalidDataError, ServiceError

# What the user is told of an error that brings no message of its own.
MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have permission to see this page."),
    404: lambda: _("This page does not exist."),
    405: lambda: _("This action is not allowed here."),
    409: lambda: _("Someone else changed this while you were working on it."),
    413: lambda: _("What you sent is too large."),
    429: lambda: _("Too many attempts. Please wait a few minutes and try again."),
}


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _default_message(error: HTTPException) -> str:
    return MESSAGES.get(error.code, lambda: error.description)()


def _api_answer(error: HTTPException):
    """flask-smorest's JSON error, with a message on every answer."""
    data = getattr(error, "data", None) or {}
    if not data.get("message"):
        error.data = {**data, "message": _default_message(error)}
    return api.handle_http_exception(error)


def _as_http_error(error: ServiceError) -> HTTPException:
    """The API answer to a refusal. Its field errors concern the query string of a GET and the
    body of the other methods, as the arguments' own 422s do."""
    message = error.message
    if isinstance(error, InvalidDataError):
        message = invalid_values_message(error.errors, error.message)
    http_error = default_exceptions[error.status]()
    http_error.data = {"message": message}
    if error.errors:
        http_error.data["errors"] = {"query" if request.method in ("GET", "HEAD") else "json": error.errors}
    return http_error


def init_app(app):
    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        if _is_api_request():
            return _api_answer(error)
        if error.code == 401:
            return redirect(url_for("auth.login", next=request.full_path))
        message = _default_message(error)
        if isinstance(error, CSRFError):
            message = _("Your form expired. Please go back, reload the page and try again.")
        return render_template("error.html", code=error.code, message=message), error.code

    @app.errorhandler(ServiceError)
    def handle_service_error(error):
        """A refusal the API handler or the page did not handle itself: no such record, not
        allowed, invalid values, a conflict."""
        if _is_api_request():
            return _api_answer(_as_http_error(error))
        return render_template("error.html", code=error.status, message=error.message), error.status

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if _is_api_request():
            return jsonify(code=500, status="Internal Server Error", message="Internal server error"), 500
        return render_template("error.html", code=500, message=_("Something went wrong on our side.")), 500
