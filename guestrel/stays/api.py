"""REST API for reservations and stays: parse, call the service, dump.

A PMS pushes each reservation with PUT under its property and its own id, as often as it likes:
the answer says whether it was created (201), updated (200) or ignored (200, with `ignored`
saying why). An ignored update is not an error for the integration to retry: the stored stay is
newer (or the same), and the answer shows it."""
from flask import url_for

from guestrel.api_conventions import Blueprint
from guestrel.auth.permissions import current_principal, require
from guestrel.stays import service
from guestrel.stays.schemas import (
    CheckInSchema,
    CheckOutSchema,
    NoBodySchema,
    StayPageSchema,
    StayQuerySchema,
    StaySchema,
    StayUpsertSchema,
    UpsertResultSchema,
)

blp = Blueprint("stays", __name__, url_prefix="/api/v1", description="Reservations and stays.")


@blp.route("/properties/<code>/stays/<pms_id>", methods=["PUT"])
@require("stays:write")
@blp.arguments(StayUpsertSchema)
@blp.response(200, UpsertResultSchema)
@blp.alt_response(201, schema=UpsertResultSchema, description="The reservation was new")
@blp.errors(404, 409)
def upsert_stay(data, code, pms_id):
    """Create or update the reservation the hotel's PMS knows by `pms_id`

    Fields left out keep their stored value. An update whose `source_modified_at` is older than
    the stored one, or the stored update sent again, changes nothing: 200 with `ignored`
    `stale` or `duplicate` and the stay as stored. A newer update may set any status, a
    cancelled reservation re-instated included. The hotel must be one this client covers (403).
    """
    result = service.upsert_stay(current_principal(), code, pms_id, data)
    if result.outcome == "created":
        return result, 201, {"Location": url_for("stays.get_stay", stay_id=result.stay.id)}
    return result


@blp.route("/stays")
@require("stays:read")
@blp.arguments(StayQuerySchema, location="query")
@blp.response(200, StayPageSchema)
@blp.errors(404)
def list_stays(query):
    """List stays of the hotels this client covers, a page at a time

    All given criteria must match. Pages are ordered by id: pass `next_after` as `after` for the
    next one.
    """
    return service.list_stays(current_principal(), **query)


@blp.route("/stays/<int:stay_id>")
@require("stays:read")
@blp.response(200, StaySchema)
@blp.errors(404)
def get_stay(stay_id):
    """Read a stay"""
    return service.get_stay(current_principal(), stay_id)


@blp.route("/stays/<int:stay_id>/check-in", methods=["POST"])
@require("stays:write")
@blp.arguments(CheckInSchema)
@blp.response(200, StaySchema)
@blp.errors(404, 409)
def check_in(data, stay_id):
    """Check the guest in: booked -> in_house

    Checking in a stay that is in house already changes nothing; 409 from any other state.
    """
    return service.check_in(current_principal(), stay_id, data.get("at"))


@blp.route("/stays/<int:stay_id>/check-out", methods=["POST"])
@require("stays:write")
@blp.arguments(CheckOutSchema)
@blp.response(200, StaySchema)
@blp.errors(404, 409)
def check_out(data, stay_id):
    """Check the guest out, with the stay's final revenue: in_house -> checked_out"""
    return service.check_out(current_principal(), stay_id, data.get("at"), data.get("revenue"))


@blp.route("/stays/<int:stay_id>/cancel", methods=["POST"])
@require("stays:write")
@blp.arguments(NoBodySchema)
@blp.response(200, StaySchema)
@blp.errors(404, 409)
def cancel(_data, stay_id):
    """Cancel a booked reservation"""
    return service.cancel(current_principal(), stay_id)


@blp.route("/stays/<int:stay_id>/no-show", methods=["POST"])
@require("stays:write")
@blp.arguments(NoBodySchema)
@blp.response(200, StaySchema)
@blp.errors(404, 409)
def no_show(_data, stay_id):
    """Mark a booked reservation as a no-show"""
    return service.mark_no_show(current_principal(), stay_id)
