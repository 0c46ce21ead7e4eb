"""Browser pages for the chain's properties (admins)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.properties import service
from guestrel.properties.forms import PropertyCreateForm, PropertyEditForm
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("property_pages", __name__, template_folder="templates")


@bp.route("/admin/properties")
@require("properties:write")
def index():
    return render_template("properties/index.html", properties=service.list_properties(current_principal()))


@bp.route("/admin/properties/new", methods=["GET", "POST"])
@require("properties:write")
def create():
    form = PropertyCreateForm()
    if form.validate_on_submit():
        try:
            prop = service.create_property(
                current_principal(),
                code=form.code.data,
                name=form.name.data,
                timezone=form.timezone.data,
                currency=form.currency.data,
                check_in_time=form.check_in_time.data,
            )
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Property %(code)s added.", code=prop.code), "success")
            return redirect(url_for(".index"))
    return render_template("properties/form.html", form=form, property=None)


@bp.route("/admin/properties/<code>/edit", methods=["GET", "POST"])
@require("properties:write")
def edit(code):
    prop = service.get_property(current_principal(), code)
    form = PropertyEditForm(obj=prop)
    if form.validate_on_submit():
        try:
            # An empty check-in time keeps the hotel's.
            check_in = {"check_in_time": form.check_in_time.data} if form.check_in_time.data else {}
            service.update_property(
                current_principal(),
                prop.code,
                name=form.name.data,
                timezone=form.timezone.data,
                currency=form.currency.data,
                **check_in,
            )
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Property %(code)s saved.", code=prop.code), "success")
            return redirect(url_for(".index"))
    return render_template("properties/form.html", form=form, property=prop)
