"""Browser pages for guests: search, the profile with its external ids and special dates.

Preferences and their categories have their pages in guestrel.guests.preference_views, on the
same blueprint. Every page calls the guests services with the signed-in staff member's principal;
a refusal the page does not show on a form (no such guest, not allowed) becomes an error page
(guestrel.errors).
"""
import re

from babel import Locale, UnknownLocaleError
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from wtforms import SelectField

from guestrel.auth import service as auth_service
from guestrel.auth.permissions import current_principal, require
from guestrel.guests import preference_service, service
from guestrel.guests.forms import (
    PRIORITY_LABELS,
    SOURCE_LABELS,
    SPECIAL_DATE_LABELS,
    ConfirmForm,
    ExternalIdForm,
    GuestForm,
    GuestSearchForm,
    PreferenceForm,
    SpecialDateForm,
)
from guestrel.properties import service as properties_service
from guestrel.service_errors import ConflictError, InvalidDataError
from guestrel.stays import service as stay_service
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("guest_pages", __name__, template_folder="templates")

PAGE_SIZE = 50
# Digits with the usual separators: worth trying as a phone number before as a name.
PHONE_LIKE = re.compile(r"\+?[\d\s().-]{6,}")
PRIORITY_RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}


def _country_name(code: str) -> str:
    return Locale.parse(str(get_locale())).territories.get(code, code)


def _language_name(tag: str) -> str:
    try:
        return Locale.parse(tag, sep="-").get_display_name(get_locale()) or tag
    except (ValueError, UnknownLocaleError):
        return tag


@bp.context_processor
def guest_labels():
    return {
        "country_name": _country_name,
        "language_name": _language_name,
        "category_label": preference_service.category_label,
        "priority_labels": PRIORITY_LABELS,
        "source_labels": SOURCE_LABELS,
        "special_date_labels": SPECIAL_DATE_LABELS,
    }


def hidden_fields(principal) -> tuple[str, ...]:
    return () if service.can_see_contact(principal) else service.CONTACT_FIELDS


# -- search -----------------------------------------------------------------------------------


def _search_kinds(principal, query: str) -> list[str]:
    """How to read the query, in the order tried: the first reading that finds guests wins."""
    if not query:
        return ["all"]
    if "@" in query:
        # Without contact details a guest must not be findable by an address the page hides.
        return ["name"] if service.can_see_contact(principal) else ["external_id"]
    if PHONE_LIKE.fullmatch(query) and service.can_see_contact(principal):
        return ["phone", "external_id", "name"]
    return ["name", "external_id"]


def _criteria(kind: str, query: str) -> dict:
    return {"all": {}, "name": {"q": query}, "phone": {"phone": query}, "external_id": {"external_id": query}}[kind]


def _search(principal, query: str, by: str | None, after: int | None):
    """A page of guests and how the query was read. A next page (`by` given) keeps the reading
    that found the first page, if the principal may search that way."""
    readings = _search_kinds(principal, query)
    if by in readings:
        readings = [by]
    page = service.GuestPage(items=[], next_after=None)
    for reading in readings:
        try:
            page = service.search_guests(principal, limit=PAGE_SIZE, after=after, **_criteria(reading, query))
        except InvalidDataError:
            # Not a phone number after all: try the next reading.
            continue
        if page.items:
            break
    return page, reading


@bp.route("/guests")
@require("guests:read")
def index():
    principal = current_principal()
    form = GuestSearchForm(request.args)
    query = (form.q.data or "").strip()
    after = request.args.get("after", type=int)
    page, kind = _search(principal, query, request.args.get("by"), after)
    next_url = page.next_after and url_for(".index", q=query or None, by=kind, after=page.next_after)
    return render_template(
        "guests/index.html",
        form=form,
        query=query,
        guests=page.items,
        next_url=next_url,
        show_contact=service.can_see_contact(principal),
    )


# -- the profile ------------------------------------------------------------------------------


def _owner_options(principal, guest=None) -> list:
    options = [staff for staff in auth_service.list_staff(principal) if staff.active]
    if guest is not None and guest.account_owner is not None and guest.account_owner not in options:
        options.append(guest.account_owner)
    return options


def _guest_form(principal, guest=None) -> GuestForm:
    """The form as posted, or for a guest: its stored values and version."""
    options = {"owner_options": _owner_options(principal, guest), "hidden_fields": hidden_fields(principal)}
    if guest is not None and request.method == "GET":
        return GuestForm.for_guest(guest, **options)
    return GuestForm(**options)


def _shown(field) -> str:
    if isinstance(field, SelectField):
        return str(dict(field.choices).get(field.data, field.data or ""))
    return str(field.data or "")


def _unsaved_changes(typed: GuestForm, current: GuestForm) -> list[tuple[str, str]]:
    """What the user typed that differs from the version now stored, to redo by hand."""
    return [
        (typed[name].label.text, _shown(typed[name]))
        for name in service.GUEST_FIELDS
        if name in typed and (_shown(typed[name]) or None) != (_shown(current[name]) or None)
    ]


def new_preference_form(principal, **kwargs) -> PreferenceForm:
    return PreferenceForm(
        categories=preference_service.list_categories(principal),
        properties=properties_service.list_properties(principal),
        **kwargs,
    )


def render_profile(guest_id: int, *, audit_view=False, unsaved=None, **forms):
    """The profile page. `forms` replaces the page's empty forms with ones the user filled in,
    so what they typed and the errors stay on the page."""
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=audit_view)
    can_contact = service.can_see_contact(principal)
    can_write = principal.can("guests:write")
    preferences = preference_service.list_preferences(principal, guest_id, include_retired=True)
    context = {
        "guest": guest,
        "can_contact": can_contact,
        "can_write": can_write,
        "active_preferences": sorted(
            (p for p in preferences if p.is_active), key=lambda p: PRIORITY_RANK[p.priority]
        ),
        "retired_preferences": [p for p in preferences if not p.is_active],
        "special_dates": service.list_special_dates(principal, guest_id) if can_contact else [],
        "unsaved": unsaved,
        "edit_open": "guest_form" in forms,
        # Only the stays at the hotels the staff member works for.
        "stays": stay_service.guest_stays(principal, guest_id) if principal.can("stays:read") else None,
        "stay_status_labels": stay_service.STATUS_LABELS,
    }
    if can_write:
        empty_forms = {
            "guest_form": lambda: GuestForm.for_guest(
                guest, owner_options=_owner_options(principal, guest), hidden_fields=hidden_fields(principal)
            ),
            "preference_form": lambda: new_preference_form(principal, formdata=None),
            "external_id_form": lambda: ExternalIdForm(formdata=None),
        }
        if can_contact:
            empty_forms["special_date_form"] = lambda: SpecialDateForm(formdata=None)
        for name, make in empty_forms.items():
            if name not in forms:
                forms[name] = make()
    context.update(forms)
    return render_template("guests/profile.html", **context)


@bp.route("/guests/new", methods=["GET", "POST"])
@require("guests:write")
def create():
    principal = current_principal()
    form = _guest_form(principal)
    if form.validate_on_submit():
        try:
            guest = service.create_guest(principal, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Guest %(name)s added.", name=guest.display_name), "success")
            return redirect(url_for(".profile", guest_id=guest.id))
    return render_template("guests/new.html", form=form)


@bp.get("/guests/<int:guest_id>")
@require("guests:read")
def profile(guest_id):
    try:
        return render_profile(guest_id, audit_view=True)
    except service.GuestMergedError as merged:
        # Links and bookmarks to a merged profile lead to the one it lives on in.
        flash(_("Guest #%(id)d was merged into this profile.", id=guest_id), "info")
        return redirect(url_for(".profile", guest_id=merged.survivor_id))


@bp.post("/guests/<int:guest_id>")
@require("guests:write")
def update(guest_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    form = _guest_form(principal, guest)
    if form.validate_on_submit():
        try:
            service.update_guest(principal, guest_id, form.version.data, form.service_data())
        except ConflictError:
            flash(_("Someone else changed this guest while you were editing. "
                    "Your changes were not saved; here is the current version."), "error")
            current = service.get_guest(principal, guest_id, audit_view=False)
            current_form = GuestForm.for_guest(
                current, owner_options=_owner_options(principal, current), hidden_fields=hidden_fields(principal)
            )
            return render_profile(guest_id, guest_form=current_form, unsaved=_unsaved_changes(form, current_form))
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The profile is saved."), "success")
            return redirect(url_for(".profile", guest_id=guest_id))
    return render_profile(guest_id, guest_form=form)


# -- external ids -----------------------------------------------------------------------------


@bp.post("/guests/<int:guest_id>/external-ids")
@require("guests:write")
def add_external_id(guest_id):
    form = ExternalIdForm()
    if form.validate_on_submit():
        try:
            service.add_external_id(current_principal(), guest_id, form.system.data, form.external_id.data)
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The external id is added."), "success")
            return redirect(url_for(".profile", guest_id=guest_id, _anchor="external-ids"))
    return render_profile(guest_id, external_id_form=form)


@bp.route("/guests/<int:guest_id>/external-ids/<int:row_id>/remove", methods=["GET", "POST"])
@require("guests:write")
def remove_external_id(guest_id, row_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    row = next((row for row in guest.external_ids if row.id == row_id), None)
    if row is None:
        raise service.NotFoundError(_("This guest has no such external id."))
    form = ConfirmForm()
    if form.validate_on_submit():
        service.remove_external_id(principal, guest_id, row_id)
        flash(_("The external id is removed."), "success")
        return redirect(url_for(".profile", guest_id=guest_id, _anchor="external-ids"))
    return render_template(
        "guests/confirm.html",
        form=form,
        guest=guest,
        title=_("Remove the %(system)s id %(id)s?", system=row.system, id=row.external_id),
        explanation=_("The guest is then no longer matched by this id when that system sends data."),
        button=_("Yes, remove it"),
    )


# -- special dates ----------------------------------------------------------------------------


def _special_date(principal, guest_id: int, special_date_id: int):
    special_date = next(
        (d for d in service.list_special_dates(principal, guest_id) if d.id == special_date_id), None
    )
    if special_date is None:
        raise service.NotFoundError(_("This guest has no such special date."))
    return special_date


@bp.post("/guests/<int:guest_id>/special-dates")
@require("guests:write")
@require("guests:contact")
def add_special_date(guest_id):
    form = SpecialDateForm()
    if form.validate_on_submit():
        try:
            service.add_special_date(current_principal(), guest_id, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The date is added."), "success")
            return redirect(url_for(".profile", guest_id=guest_id, _anchor="special-dates"))
    return render_profile(guest_id, special_date_form=form)


@bp.route("/guests/<int:guest_id>/special-dates/<int:special_date_id>/edit", methods=["GET", "POST"])
@require("guests:write")
@require("guests:contact")
def edit_special_date(guest_id, special_date_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    special_date = _special_date(principal, guest_id, special_date_id)
    form = SpecialDateForm(obj=special_date if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            service.update_special_date(principal, guest_id, special_date_id, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The date is saved."), "success")
            return redirect(url_for(".profile", guest_id=guest_id, _anchor="special-dates"))
    return render_template("guests/special_date_form.html", form=form, guest=guest)


@bp.route("/guests/<int:guest_id>/special-dates/<int:special_date_id>/delete", methods=["GET", "POST"])
@require("guests:write")
@require("guests:contact")
def delete_special_date(guest_id, special_date_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    special_date = _special_date(principal, guest_id, special_date_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_special_date(principal, guest_id, special_date_id)
        flash(_("The date is deleted."), "success")
        return redirect(url_for(".profile", guest_id=guest_id, _anchor="special-dates"))
    kind = SPECIAL_DATE_LABELS[special_date.kind]
    return render_template(
        "guests/confirm.html",
        form=form,
        guest=guest,
        title=_("Delete the date %(kind)s, %(date)s?", kind=kind, date=format_date(special_date.date)),
        explanation=_("The date is removed from the profile for good."),
        button=_("Yes, delete it"),
    )


# The preference, category, duplicate and merge pages register their routes on bp.
from guestrel.guests import merge_views, preference_views  # noqa: E402,F401
