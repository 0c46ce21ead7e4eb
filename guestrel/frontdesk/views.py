"""Browser pages of the front desk: the arrivals, in-house and departures boards of a hotel, and
checking an arriving guest in from the board (which raises the live check-in alert)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from guestrel.auth.permissions import current_principal, require
from guestrel.frontdesk import board
from guestrel.guests import service as guest_service
from guestrel.stays import service as stay_service
from guestrel.stays.service import TransitionError
from guestrel.tasks.views import parse_day

bp = Blueprint("frontdesk", __name__, template_folder="templates")


def _board(view: str):
    shown = board.build(current_principal(), view, request.args.get("property") or None,
                        parse_day(request.args.get("date")))
    return render_template("frontdesk/board.html", board=shown)


@bp.get("/frontdesk")
@require("arrivals:read")
def arrivals():
    return _board("arrivals")


@bp.get("/frontdesk/in-house")
@require("arrivals:read")
def in_house():
    return _board("in_house")


@bp.get("/frontdesk/departures")
@require("arrivals:read")
def departures():
    return _board("departures")


@bp.post("/frontdesk/stays/<int:stay_id>/check-in")
@require("stays:write")
def check_in(stay_id):
    principal = current_principal()
    try:
        stay = stay_service.check_in(principal, stay_id)
    except TransitionError as error:
        flash(error.message, "error")
        stay = stay_service.get_stay(principal, stay_id)
    else:
        name = (guest_service.get_guest(principal, stay.guest_id, audit_view=False).display_name
                if stay.guest_id is not None else _("The guest of reservation %(number)s", number=stay.pms_id))
        if stay.room_number:
            flash(_("%(name)s is checked in, room %(room)s.", name=name, room=stay.room_number), "success")
        else:
            flash(_("%(name)s is checked in.", name=name), "success")
    return redirect(url_for(".arrivals", property=stay.stay_property.code, date=stay.arrival.isoformat()))
