"""Browser pages of the loyalty programme: the chain's tiers (loyalty:admin), and placing a guest
in a tier and booking points from the profile (loyalty:write)."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.guests.views import render_profile
from guestrel.loyalty import points, service
from guestrel.loyalty.forms import GuestTierForm, PointsForm, TierForm
from guestrel.service_errors import ConflictError, DuplicateError, InvalidDataError, PermissionDeniedError
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("loyalty_pages", __name__, template_folder="templates")


@bp.get("/admin/loyalty-tiers")
@require("loyalty:admin")
def tier_list():
    return render_template("loyalty/tiers.html", tiers=service.list_tiers(current_principal()))


@bp.route("/admin/loyalty-tiers/new", methods=["GET", "POST"])
@require("loyalty:admin")
def tier_create():
    form = TierForm.for_tier(None)
    if form.validate_on_submit():
        try:
            tier = service.create_tier(current_principal(), form.service_data())
        except FORM_ERRORS + (PermissionDeniedError,) as error:
            show_errors(form, error)
        else:
            flash(_("Tier %(name)s saved.", name=tier.name), "success")
            return redirect(url_for(".tier_list"))
    return render_template("loyalty/tier_form.html", form=form, tier=None)


@bp.route("/admin/loyalty-tiers/<code>", methods=["GET", "POST"])
@require("loyalty:admin")
def tier_edit(code):
    principal = current_principal()
    tier = service.get_tier(principal, code)
    form = TierForm.for_tier(tier)
    if form.validate_on_submit():
        try:
            tier = service.update_tier(principal, code, form.version.data, form.service_data())
        except FORM_ERRORS + (ConflictError, PermissionDeniedError) as error:
            show_errors(form, error)
        else:
            flash(_("Tier %(name)s saved.", name=tier.name), "success")
            return redirect(url_for(".tier_list"))
    return render_template("loyalty/tier_form.html", form=form, tier=tier)


@bp.post("/guests/<int:guest_id>/tier")
@require("loyalty:write")
def set_guest_tier(guest_id):
    principal = current_principal()
    form = GuestTierForm.for_guest(service.list_tiers(principal), None)
    if form.validate_on_submit():
        try:
            tier = service.set_guest_tier(principal, guest_id, form.tier.data or None)
        except (InvalidDataError, DuplicateError) as error:
            flash(" ".join(message for messages in (error.errors or {"": [error.message]}).values()
                           for message in messages), "error")
        else:
            flash(_("Loyalty tier set to %(tier)s.", tier=tier.name) if tier else _("The guest has no loyalty tier now."),
                  "success")
    else:
        flash(_("Choose one of the tiers."), "error")
    return redirect(url_for("guest_pages.profile", guest_id=guest_id, _anchor="profile"))


@bp.post("/guests/<int:guest_id>/points")
@require("loyalty:write")
def record_points(guest_id):
    form = PointsForm()
    if form.validate_on_submit():
        try:
            recorded = points.record(current_principal(), guest_id, form.service_data())
        except FORM_ERRORS + (ConflictError,) as error:
            show_errors(form, error)
        else:
            if not recorded.replayed:
                flash(_("%(points)s points booked; the balance is %(balance)s.",
                        points=format_decimal(recorded.entry.points), balance=format_decimal(recorded.balance)),
                      "success")
            return redirect(url_for("guest_pages.profile", guest_id=guest_id, _anchor="points"))
    return render_profile(guest_id, status=422, points_form=form)
