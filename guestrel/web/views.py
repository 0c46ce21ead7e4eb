"""The shell around every page: layout helpers, the home page, API docs."""
from flask import Blueprint, redirect, render_template, url_for
from flask_login import login_required

from guestrel.auth.permissions import current_principal

bp = Blueprint("web", __name__, template_folder="templates")


@bp.app_context_processor
def permission_helpers():
    def can(permission: str) -> bool:
        principal = current_principal()
        return principal is not None and principal.can(permission)

    return {"can": can}


@bp.route("/")
@login_required
def home():
    return redirect(url_for("guest_pages.index"))


@bp.route("/api/docs")
def api_docs():
    return render_template("web/api_docs.html")


@bp.route("/healthz")
def health():
    return {"status": "ok"}
