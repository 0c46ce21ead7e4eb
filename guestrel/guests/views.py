"""Browser pages for guests: search, the profile (composed by guestrel.guests.desk) with its
history, external ids and special dates.

Preferences and their categories have their pages in guestrel.guests.preference_views, on the
same blueprint. Every page calls the guests services with the signed-in staff member's principal;
a refusal the page does not show on a form (no such guest, not allowed) becomes an error page
(guestrel.errors).
"""
from babel import Locale, UnknownLocaleError
from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from wtforms import SelectField

from guestrel.auth import service as auth_service
from guestrel.auth.permissions import current_principal, require
from guestrel.guests import desk, finder, preference_service, service
from guestrel.guests.desk_forms import QuickPreferenceForm
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
from guestrel.loyalty import service as loyalty_service
from guestrel.loyalty.forms import GuestTierForm, PointsForm
from guestrel.properties import service as properties_service
from guestrel.service_errors import ConflictError, PermissionDeniedError
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("guest_pages", __name__, template_folder="templates")

PAGE_SIZE = 50


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
        "department_label": preference_service.department_label,
        "priority_labels": PRIORITY_LABELS,
        "source_labels": SOURCE_LABELS,
        "special_date_labels": SPECIAL_DATE_LABELS,
    }


def hidden_fields(principal) -> tuple[str, ...]:
    return () if service.can_see_contact(principal) else service.CONTACT_FIELDS


# -- search -----------------------------------------------------------------------------------


def _results_only() -> bool:
    # htmx asks for the results as the clerk types; restoring history it needs the whole page.
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@bp.route("/guests")
@require("guests:read")
def index():
    """The search box (guestrel.guests.finder): the whole page, or only its results for htmx,
    at the same bookmarkable address."""
    principal = current_principal()
    form = GuestSearchForm(request.args)
    query = " ".join((form.q.data or "").split())
    after = request.args.get("after", type=int)
    refused = None
    try:
        page = finder.find_guests(principal, q=query, limit=PAGE_SIZE, after=after)
    except PermissionDeniedError:
        page, refused = finder.FoundPage(items=[], next_after=None), _("You may not search guests by e-mail address.")
    next_url = page.next_after is not None and url_for(".index", q=query or None, after=page.next_after)
    response = make_response(render_template(
        "guests/_search_results.html" if _results_only() else "guests/index.html",
        form=form,
        query=query,
        page=page,
        refused=refused,
        next_url=next_url,
        show_contact=service.can_see_contact(principal),
    ))
    response.vary.add("HX-Request")
    return response


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


def render_profile(guest_id: int, *, audit_view=False, unsaved=None, status=200, **forms):
    """The profile page, as guestrel.guests.desk composes it. `forms` replaces the page's empty
    forms with ones the user filled in, so what they typed and the errors stay on the page;
    `status` tells a refused form (422) from a plain page."""
    principal = current_principal()
    context = desk.profile(principal, guest_id, audit_view=audit_view)
    context.update(unsaved=unsaved, edit_open="guest_form" in forms)
    if context["can_write"]:
        guest = context["guest"]
        empty_forms = {
            "guest_form": lambda: GuestForm.for_guest(
                guest, owner_options=_owner_options(principal, guest), hidden_fields=hidden_fields(principal)
            ),
            "quick_form": lambda: QuickPreferenceForm(hotels=context["hotels"], formdata=None),
            "preference_form": lambda: PreferenceForm(
                categories=context["categories"], properties=context["hotels"], formdata=None
            ),
            "external_id_form": lambda: ExternalIdForm(formdata=None),
        }
        if context["can_contact"]:
            empty_forms["special_date_form"] = lambda: SpecialDateForm(formdata=None)
        for name, make in empty_forms.items():
            if name not in forms:
                forms[name] = make()
    if principal.can("loyalty:write"):
        context["tier_form"] = GuestTierForm.for_guest(loyalty_service.list_tiers(principal),
                                                       context["at_check_in"].tier)
        if "points_form" not in forms:
            forms["points_form"] = PointsForm.fresh()
    context.update(forms)
    # Also when another domain's form (loyalty's points) shows the profile with its refusal.
    context.update(guest_labels())
    return render_template("guests/profile.html", **context), status


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


@bp.get("/guests/<int:guest_id>/history")
@require("guests:read")
def profile_history(guest_id):
    """An older page of the profile's history (guests:write or audit:read): the entries alone
    for htmx, which adds them under those shown, else a page of their own."""
    guest, history = desk.history_page(current_principal(), guest_id, request.args.get("before", type=int))
    template = "guests/_history_entries.html" if request.headers.get("HX-Request") else "guests/history.html"
    return render_template(template, guest=guest, history=history)


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
