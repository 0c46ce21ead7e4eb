"""Browser pages for reading the audit trail. Reading it is not itself audited."""
import json

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from guestrel.audit import service
from guestrel.audit.models import AUDIT_ACTIONS
from guestrel.audit.schemas import ENTITY_TYPE_MAX_LENGTH
from guestrel.auth.permissions import current_principal, require

bp = Blueprint("audit_pages", __name__, template_folder="templates")

PAGE_SIZE = 50

ACTION_LABELS = {
    "view": _l("Viewed"),
    "create": _l("Created"),
    "update": _l("Changed"),
    "retire": _l("Retired"),
    "delete": _l("Deleted"),
    "export": _l("Exported"),
    "merge": _l("Merged"),
    "revoke": _l("Revoked"),
    "login": _l("Signed in"),
}

# The entity types the core records; one a plugin adds is shown by its own name.
ENTITY_LABELS = {
    "guest": _l("Guest"),
    "preference": _l("Preference"),
    "special_date": _l("Special date"),
    "preference_category": _l("Preference category"),
    "property": _l("Property"),
    "staff": _l("Staff member"),
    "api_client": _l("API client"),
    "loyalty_tier": _l("Loyalty tier"),
    "loyalty_membership": _l("Guest's loyalty tier"),
    "points_entry": _l("Points entry"),
    "points": _l("Guest's points"),
}


class AuditFilterForm(FlaskForm):
    # Filters are read from the query string of a GET: nothing to protect from cross-site posts.
    class Meta:
        csrf = False

    action = SelectField(
        _l("Action"),
        choices=[("", _l("Any action"))] + [(action, ACTION_LABELS[action]) for action in AUDIT_ACTIONS],
        validators=[Optional()],
    )
    entity_type = StringField(
        _l("Kind of record"),
        validators=[Optional(), Length(max=ENTITY_TYPE_MAX_LENGTH)],
        filters=[lambda value: value.strip() if value else value],
    )


def _value_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


@bp.context_processor
def audit_helpers():
    return {
        "action_label": lambda action: ACTION_LABELS.get(action, action),
        "entity_label": lambda entity_type: ENTITY_LABELS.get(entity_type, entity_type),
        "value_text": _value_text,
        "entity_labels": ENTITY_LABELS,
    }


def _before_arg() -> int | None:
    before = request.args.get("before", type=int)
    return before if before and before > 0 else None


@bp.route("/audit")
@require("audit:read")
def index():
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template("audit/index.html", form=form, page=None, next_url=None)
    filters = {name: value for name, value in form.data.items() if value}
    page = service.list_entries(current_principal(), limit=PAGE_SIZE, before=_before_arg(), **filters)
    next_url = page.next_before and url_for(".index", before=page.next_before, **filters)
    return render_template("audit/index.html", form=form, page=page, next_url=next_url)


@bp.route("/audit/guests/<int:guest_id>")
@require("audit:read")
def guest(guest_id):
    page = service.list_entries(current_principal(), guest_id=guest_id, limit=PAGE_SIZE, before=_before_arg())
    next_url = page.next_before and url_for(".guest", guest_id=guest_id, before=page.next_before)
    return render_template("audit/guest.html", guest_id=guest_id, page=page, next_url=next_url)
