from flask import Blueprint

bp = Blueprint("guest_pages", __name__, template_folder="templates")


@bp.route("/guests")
def index():
    return "TODO"


@bp.route("/admin/preference-categories")
def category_list():
    return "TODO"
