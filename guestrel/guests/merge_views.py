"""Browser pages for possible duplicates and merging two profiles (guests:merge). The routes live
on the guest_pages blueprint of guestrel.guests.views."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.guests import merge, preference_service, reviews, service
from guestrel.guests.forms import GUEST_FIELD_LABELS, MergeForm
from guestrel.guests.views import bp
from guestrel.service_errors import ConflictError, InvalidDataError
from guestrel.stays import service as stay_service
from guestrel.web.forms import FORM_ERRORS, show_errors

PAGE_SIZE = 50


@bp.route("/guests/duplicates")
@require("guests:merge")
def duplicates():
    after = request.args.get("after", type=int)
    page = reviews.list_open(current_principal(), limit=PAGE_SIZE, after=after)
    next_url = page.next_after and url_for(".duplicates", after=page.next_after)
    return render_template("guests/duplicates.html", reviews=page.items, next_url=next_url,
                           reason_labels=reviews.REASON_LABELS)


@bp.post("/guests/duplicates/<int:review_id>/dismiss")
@require("guests:merge")
def dismiss_duplicate(review_id):
    try:
        review = reviews.dismiss(current_principal(), review_id)
    except InvalidDataError as error:
        flash(error.message, "error")
    else:
        flash(_("Guests #%(guest)d and #%(candidate)d are no longer listed as possible duplicates.",
                guest=review.guest_id, candidate=review.candidate_id), "success")
    return redirect(url_for(".duplicates"))


def _side(principal, guest) -> dict:
    """What moves with a profile, as the principal may see it."""
    return {
        "guest": guest,
        "preferences": preference_service.list_preferences(principal, guest.id),
        "special_dates": service.list_special_dates(principal, guest.id),
        "stays": stay_service.guest_stays(principal, guest.id) if principal.can("stays:read") else None,
    }


def _render_compare(principal, preview, form):
    return render_template("guests/merge.html", form=form, fields=preview.fields, labels=GUEST_FIELD_LABELS,
                           survivor=_side(principal, preview.survivor), merged=_side(principal, preview.merged))


@bp.route("/guests/<int:guest_id>/merge", methods=["GET", "POST"])
@require("guests:merge")
def merge_page(guest_id):
    """Without `other`: which profile to merge into this one. With it: both side by side, a
    choice per field that differs, and the merge."""
    principal = current_principal()
    other = request.args.get("other", type=int)
    if other is None:
        guest = service.get_guest(principal, guest_id, audit_view=False)
        return render_template("guests/merge_pick.html", guest=guest)
    posted = request.method == "POST"
    preview = merge.preview(principal, guest_id, other, audit_view=not posted)
    versions = {"survivor_version": preview.survivor.version, "merged_version": preview.merged.version}
    form = MergeForm.for_fields(preview.fields, **({} if posted else {"formdata": None, "data": versions}))
    if form.validate_on_submit():
        try:
            merge.merge_guests(principal, guest_id, other, form.survivor_version.data, form.merged_version.data,
                               form.choices(preview.fields))
        except ConflictError:
            flash(_("One of the two profiles was changed while you compared them. Here they are as they are now."),
                  "error")
            return redirect(url_for(".merge_page", guest_id=guest_id, other=other))
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Guest #%(merged)d was merged into this profile.", merged=other), "success")
            return redirect(url_for(".profile", guest_id=guest_id))
    return _render_compare(principal, preview, form)
