"""Browser pages for the chain's properties (admins)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.properties import service
from guestrel.properties.forms import PropertyCreateForm, PropertyEditForm

bp = Blueprint("property_pages", __name__, template_folder="templates")


def _show_errors(form, error: service.PropertyError):
    """Puts the service's refusal next to the field it concerns, or on top of the form."""
    if isinstance(error, service.PropertyInvalid):
        for field, messages in error.errors.items():
            form[field].errors.extend(messages)
    elif isinstance(error, service.PropertyCodeTaken):
        form.code.errors.append(str(error))
    elif isinstance(error, service.PropertyForbidden):
        abort(403)
    elif isinstance(error, service.PropertyNotFound):
        abort(404)
    else:
        flash(str(error), "error")


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
            )
        except service.PropertyError as error:
            _show_errors(form, error)
        else:
            flash(_("Property %(code)s added.", code=prop.code), "success")
            return redirect(url_for(".index"))
    return render_template("properties/form.html", form=form, property=None)


@bp.route("/admin/properties/<code>/edit", methods=["GET", "POST"])
@require("properties:write")
def edit(code):
    try:
        prop = service.get_property(current_principal(), code)
    except service.PropertyNotFound:
        abort(404)
    form = PropertyEditForm(obj=prop)
    if form.validate_on_submit():
        try:
            service.update_property(
                current_principal(),
                prop.code,
                name=form.name.data,
                timezone=form.timezone.data,
                currency=form.currency.data,
            )
        except service.PropertyError as error:
            _show_errors(form, error)
        else:
            flash(_("Property %(code)s saved.", code=prop.code), "success")
            return redirect(url_for(".index"))
    return render_template("properties/form.html", form=form, property=prop)
