from flask import Blueprint

bp = Blueprint("audit_pages", __name__, template_folder="templates")


@bp.route("/audit")
def index():
    return "TODO"
