"""Connection pages (admins): add a connection for an installed adapter, change one, test it.
The form's fields come from the adapter's settings schema (guestrel.sync.forms)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.auth.permissions import current_principal, require
from guestrel.properties import service as property_service
from guestrel.service_errors import ConflictError, InvalidDataError
from guestrel.sync import connections
from guestrel.sync.forms import connection_form
from guestrel.sync.views import MESSAGE_STATUS_LABELS
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("connection_pages", __name__, template_folder="templates")
KIND_LABELS = {
    "pms": _l("Property-management system"),
    "channel": _l("Booking channel or channel manager"),
    "messaging": _l("Messaging service"),
    "import": _l("File import"),
}


def _adapter_or_404(name):
    try:
        return connections.adapter_class(name)
    except InvalidDataError:
        abort(404)


@bp.route("/admin/integrations/connections/new")
@require("integrations:admin")
def choose_adapter():
    return render_template("sync/choose_adapter.html", adapters=connections.installed_adapters(),
                           kind_labels=KIND_LABELS)


@bp.route("/admin/integrations/connections/new/<adapter_name>", methods=["GET", "POST"])
@require("integrations:admin")
def create(adapter_name):
    adapter = _adapter_or_404(adapter_name)
    form = connection_form(adapter, property_options=property_service.list_properties(current_principal()))
    if form.validate_on_submit():
        try:
            view = connections.create_connection(current_principal(), {
                "adapter": adapter.name, "property_code": form.property_code.data, "name": form.name.data,
                "enabled": form.enabled.data, "settings": form.settings(adapter),
            })
        except FORM_ERRORS as error:
            show_errors(form, error, form.error_fields())
        else:
            flash(_("The connection %(name)s is saved.", name=view.connection.name), "success")
            return redirect(url_for(".edit", connection_id=view.connection.id))
    return render_template("sync/connection_form.html", form=form, adapter=adapter, view=None,
                           kind_labels=KIND_LABELS, status_labels=MESSAGE_STATUS_LABELS)


@bp.route("/admin/integrations/connections/<int:connection_id>", methods=["GET", "POST"])
@require("integrations:admin")
def edit(connection_id):
    view = connections.get_connection(current_principal(), connection_id)
    adapter = _adapter_or_404(view.connection.adapter)
    form = connection_form(adapter, connection=view.connection)
    if form.validate_on_submit():
        try:
            view = connections.update_connection(
                current_principal(), connection_id,
                {"name": form.name.data, "enabled": form.enabled.data, "settings": form.settings(adapter)},
                expected_version=int(form.version.data or 0),
            )
        except ConflictError as error:
            form.form_errors.append(error.message)
        except FORM_ERRORS as error:
            show_errors(form, error, form.error_fields())
        else:
            flash(_("Changes to %(name)s are saved.", name=view.connection.name), "success")
            return redirect(url_for(".edit", connection_id=connection_id))
    return render_template("sync/connection_form.html", form=form, adapter=adapter, view=view,
                           kind_labels=KIND_LABELS, status_labels=MESSAGE_STATUS_LABELS)


@bp.route("/admin/integrations/connections/<int:connection_id>/test", methods=["POST"])
@require("integrations:admin")
def test(connection_id):
    result = connections.check_connection(current_principal(), connection_id)
    if result.ok:
        flash(_("The connection works: %(message)s", message=result.message), "success")
    else:
        flash(_("The connection does not work: %(message)s", message=result.message), "error")
    return redirect(url_for(".edit", connection_id=connection_id))
