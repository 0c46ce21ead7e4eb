"""The import page (admins): upload a file to an import connection, as a dry run first, and read
the report: how many rows were read, imported, unchanged and refused, and why each was refused."""
from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField

from guestrel.auth.permissions import current_principal, require
from guestrel.extensions import csrf
from guestrel.sync import connections, imports
from guestrel.sync.uploads import import_upload
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("import_pages", __name__, template_folder="templates")
# A report may list an error for each of 100,000 rows; the page shows the first ones, the CLI
# and the API give them all.
ERRORS_SHOWN = 1000


class ImportForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose the file to import."))],
                     description=_l("The legacy system's export, e.g. a CSV saved as CSV UTF-8."))
    dry_run = BooleanField(_l("Dry run: check the file and report every bad row, without writing anything"),
                           default=True)


@bp.route("/admin/integrations/connections/<int:connection_id>/import", methods=["GET", "POST"])
# The global CSRF check would read the upload before import_upload raised the body limit; the
# form checks its CSRF token itself.
@csrf.exempt
@require("integrations:admin")
@import_upload
def import_file(connection_id):
    principal = current_principal()
    view = connections.get_connection(principal, connection_id)
    if view.connection.adapter not in imports.file_adapter_names():
        abort(404)
    form = ImportForm()
    report = None
    if form.is_submitted():
        if form.validate():
            upload = form.file.data
            try:
                report = imports.import_file(principal, connection_id, upload.read(), upload.filename,
                                             dry_run=form.dry_run.data)
            except FORM_ERRORS as error:
                show_errors(form, error)
        elif "csrf_token" in form.errors:
            raise CSRFError(form.errors["csrf_token"][0])
    return render_template("sync/import.html", form=form, view=view, report=report, errors_shown=ERRORS_SHOWN)
