"""Errors: JSON for the API, friendly pages for the browser, never a stack trace."""
from flask import jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from guestrel.extensions import api

BROWSER_MESSAGES = {
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


def init_app(app):
    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        if _is_api_request():
            return api.handle_http_exception(error)
        if error.code == 401:
            return redirect(url_for("auth.login", next=request.full_path))
        message = BROWSER_MESSAGES.get(error.code, lambda: error.description)()
        if isinstance(error, CSRFError):
            message = _("Your form expired. Please go back, reload the page and try again.")
        return render_template("error.html", code=error.code, message=message), error.code

    @app.errorhandler(Exception)
    def handle_unexpected(error):
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if _is_api_request():
            return jsonify(code=500, status="Internal Server Error", message="Internal server error"), 500
        return render_template("error.html", code=500, message=_("Something went wrong on our side.")), 500
