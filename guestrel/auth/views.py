from flask import Blueprint

bp = Blueprint("auth", __name__, template_folder="templates")


@bp.route("/login")
def login():
    return "TODO"


@bp.route("/logout", methods=["POST"])
def logout():
    return "TODO"


@bp.route("/account")
def account():
    return "TODO"


@bp.route("/admin/staff")
def staff_list():
    return "TODO"


@bp.route("/admin/api-clients")
def client_list():
    return "TODO"
