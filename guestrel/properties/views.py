from flask import Blueprint

bp = Blueprint("property_pages", __name__, template_folder="templates")


@bp.route("/admin/properties")
def index():
    return "TODO"
