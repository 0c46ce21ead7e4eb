"""Browser pages for preferences (quick capture, add, edit, confirm, retire) and the admin pages
for their categories. The routes live on the guest_pages blueprint of guestrel.guests.views.

Quick capture, confirming and retiring answer htmx requests in place: the part of the profile
the request targets, plus the at-check-in summary, the preference list and the history as the
change left them (swapped out of band). Without JavaScript the same forms post as usual and
land back on the profile. A refused quick capture answers 422 with the form, what was typed
and the reasons."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.guests import desk, preference_service, service
from guestrel.guests.desk_forms import QuickPreferenceForm
from guestrel.guests.forms import CategoryForm, ConfirmForm, PreferenceEditForm
from guestrel.guests.views import bp, new_preference_form, render_profile
from guestrel.properties import service as properties_service
from guestrel.service_errors import ConflictError, InvalidDataError
from guestrel.web.forms import FORM_ERRORS, show_errors


def _to_preferences(guest_id: int):
    return redirect(url_for(".profile", guest_id=guest_id, _anchor="preferences"))


def _is_htmx() -> bool:
    return bool(request.headers.get("HX-Request"))


def _in_place(guest_id: int, main: str, *, status: int = 200, changed: bool = True, **context):
    """The answer to an htmx request: `main` ("quick" for the quick-capture form, "list" for the
    preference list) for the element it targets and, after a change, the other parts it touched."""
    page = desk.profile(current_principal(), guest_id, audit_view=False)
    return render_template("guests/_in_place.html", main=main, changed=changed, **page, **context), status


@bp.post("/guests/<int:guest_id>/preferences/quick")
@require("guests:write")
def quick_preference(guest_id):
    principal = current_principal()
    hotels = properties_service.list_properties(principal)
    form = QuickPreferenceForm(hotels=hotels)
    if form.validate_on_submit():
        try:
            preference = preference_service.add_preference(principal, guest_id, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            message = _("The preference “%(value)s” is recorded.", value=preference.value)
            if _is_htmx():
                return _in_place(guest_id, "quick", quick_form=QuickPreferenceForm(hotels=hotels, formdata=None),
                                 recorded=message)
            flash(message, "success")
            return _to_preferences(guest_id)
    if _is_htmx():
        return _in_place(guest_id, "quick", status=422, changed=False, quick_form=form)
    return render_profile(guest_id, quick_form=form, status=422)


@bp.post("/guests/<int:guest_id>/preferences")
@require("guests:write")
def add_preference(guest_id):
    principal = current_principal()
    form = new_preference_form(principal)
    if form.validate_on_submit():
        try:
            preference = preference_service.add_preference(principal, guest_id, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The preference “%(value)s” is recorded.", value=preference.value), "success")
            return _to_preferences(guest_id)
    return render_profile(guest_id, preference_form=form)


def _edit_form(principal, preference, *, stored: bool) -> PreferenceEditForm:
    """The edit form with the preference's stored values and version, or as posted."""
    options = {
        "categories": preference_service.list_categories(principal),
        "properties": properties_service.list_properties(principal),
        "current_category": preference.category,
    }
    if stored:
        return PreferenceEditForm.for_preference(preference, **options)
    return PreferenceEditForm(**options)


@bp.route("/guests/<int:guest_id>/preferences/<int:preference_id>/edit", methods=["GET", "POST"])
@require("guests:write")
def edit_preference(guest_id, preference_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    preference = preference_service.get_preference(principal, guest_id, preference_id)
    form = _edit_form(principal, preference, stored=request.method == "GET")
    if form.validate_on_submit():
        data = form.service_data()
        try:
            preference_service.update_preference(principal, guest_id, preference_id, form.version.data, data)
        except ConflictError:
            flash(_("Someone else changed this preference while you were editing. "
                    "Your changes were not saved; here is the current version."), "error")
            preference = preference_service.get_preference(principal, guest_id, preference_id)
            form = _edit_form(principal, preference, stored=True)
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The preference is saved."), "success")
            return _to_preferences(guest_id)
    return render_template("guests/preference_form.html", form=form, guest=guest, preference=preference)


@bp.post("/guests/<int:guest_id>/preferences/<int:preference_id>/confirm")
@require("guests:write")
def confirm_preference(guest_id, preference_id):
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            preference = preference_service.confirm_preference(current_principal(), guest_id, preference_id)
        except InvalidDataError as error:
            if _is_htmx():
                return _in_place(guest_id, "list", status=422, changed=False, list_error=error.message)
            flash(error.message, "error")
        else:
            message = _("The preference “%(value)s” is confirmed as still true.", value=preference.value)
            if _is_htmx():
                return _in_place(guest_id, "list", list_message=message)
            flash(message, "success")
    return _to_preferences(guest_id)


@bp.route("/guests/<int:guest_id>/preferences/<int:preference_id>/retire", methods=["GET", "POST"])
@require("guests:write")
def retire_preference(guest_id, preference_id):
    principal = current_principal()
    guest = service.get_guest(principal, guest_id, audit_view=False)
    preference = preference_service.get_preference(principal, guest_id, preference_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        preference_service.retire_preference(principal, guest_id, preference_id)
        message = _("The preference “%(value)s” is retired.", value=preference.value)
        if _is_htmx():
            return _in_place(guest_id, "list", list_message=message)
        flash(message, "success")
        return _to_preferences(guest_id)
    return render_template(
        "guests/confirm.html",
        form=form,
        guest=guest,
        title=_("Retire the preference “%(value)s”?", value=preference.value),
        explanation=_("It no longer holds: staff are not reminded of it any more. "
                      "It stays in the guest's history among the retired preferences."),
        button=_("Yes, retire it"),
    )


# -- categories -------------------------------------------------------------------------------


@bp.route("/admin/preference-categories")
@require("categories:admin")
def category_list():
    categories = preference_service.list_categories(current_principal(), include_inactive=True)
    return render_template("guests/categories.html", categories=categories)


@bp.route("/admin/preference-categories/new", methods=["GET", "POST"])
@require("categories:admin")
def category_create():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = preference_service.create_category(current_principal(), form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The category %(name)s is added.", name=category.name), "success")
            return redirect(url_for(".category_list"))
    return render_template("guests/category_form.html", form=form, category=None)


@bp.route("/admin/preference-categories/<int:category_id>/edit", methods=["GET", "POST"])
@require("categories:admin")
def category_edit(category_id):
    principal = current_principal()
    category = preference_service.get_category(principal, category_id)
    form = CategoryForm(obj=category if request.method == "GET" else None)
    # The code is how integrations name the category; a default one is also named by its code.
    del form.code
    is_default = category.code in preference_service.CATEGORY_LABELS
    if is_default:
        del form.name
    if form.validate_on_submit():
        try:
            preference_service.update_category(principal, category_id, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("The category %(name)s is saved.", name=preference_service.category_label(category)), "success")
            return redirect(url_for(".category_list"))
    return render_template("guests/category_form.html", form=form, category=category, is_default=is_default)
