"""Applying one normalised event through the guests and stays services, as the system acting
for one property. What the services refuse (a guest without a name, a cancellation of a
reservation not yet known) is raised as their ServiceError and recorded on the event."""
import dataclasses
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import identity, preference_service
from guestrel.guests import service as guest_service
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    PreferenceRecorded,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
)
from guestrel.service_errors import InvalidDataError, NotFoundError
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay

SYSTEM_PERMISSIONS = frozenset({"guests:read", "guests:contact", "guests:write", "stays:read", "stays:write"})
GUEST_DATA_FIELDS = ("given_name", "family_name", "full_name", "email", "phone", "member_number", "birthday",
                     "nationality", "language")
# A reservation the PMS sends again after these is bookable again (re-instated).
REINSTATED_FROM = {"cancelled", "no_show"}
# Where a preference came from, by the kind of adapter that sent it: a channel passes on what the
# guest asked for when booking.
PREFERENCE_SOURCES = {"pms": "pms", "channel": "guest", "import": "import"}


def system_principal(property_id: int) -> Principal:
    """The inbox acts for the source's property only: a PMS of one hotel cannot write another's
    stays. Audit entries name neither staff nor API client, i.e. the system."""
    return Principal(permissions=SYSTEM_PERMISSIONS, property_ids=frozenset({property_id}))


def to_json(event) -> dict:
    """The event as JSON, for the inbox (dates as ISO 8601, amounts as strings)."""
    def convert(value):
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items()}
        return value

    return convert(dataclasses.asdict(event))


def _guest_values(guest: GuestData) -> dict:
    return {name: getattr(guest, name) for name in GUEST_DATA_FIELDS if getattr(guest, name) is not None}


def _match_or_create_guest(principal: Principal, system: str, guest: GuestData) -> int | None:
    """The profile of the guest the source describes, with or without its external id: matched
    or created by identity resolution (guestrel.guests.identity), which links only on a certain
    match and puts doubtful ones on the review list. None when the event names no guest."""
    if guest is None:
        return None
    return identity.resolve(principal, system, dataclasses.asdict(guest)).guest_id


def _revenue(revenue: Revenue | None) -> dict | None:
    if revenue is None:
        return None
    return {"room": revenue.room, "food_and_beverage": revenue.food_and_beverage, "other": revenue.other,
            "currency": revenue.currency}


def _stored_status(property_id: int, pms_id: str) -> str | None:
    return db.session.scalar(sa.select(Stay.status).where(Stay.property_id == property_id, Stay.pms_id == pms_id))


def _upserted(principal, system, property_id, event: ReservationUpserted) -> dict:
    data = {
        "source_modified_at": event.source_modified_at,
        "arrival": event.arrival,
        "departure": event.departure,
        "adults": event.adults,
        "children": event.children,
    }
    for name in ("channel_confirmation", "room_type", "room_number", "rate_code", "channel"):
        if getattr(event, name) is not None:
            data[name] = getattr(event, name)
    if event.revenue is not None:
        data["revenue"] = _revenue(event.revenue)
    if _stored_status(property_id, event.reservation_id) in REINSTATED_FROM:
        data["status"] = "booked"
    guest_id = _match_or_create_guest(principal, system, event.guest)
    if guest_id is not None:
        data["guest_id"] = guest_id
    return data


def _status_change(event) -> dict:
    """Status events go through upsert_stay rather than the staff commands (check_in, cancel):
    the PMS is the system of record, not bound by the staff's transitions, and its events may
    arrive out of order, which only upsert_stay's source_modified_at comparison can sort out."""
    data = {"source_modified_at": event.source_modified_at}
    if isinstance(event, ReservationCancelled):
        data["status"] = "cancelled"
    elif isinstance(event, NoShow):
        data["status"] = "no_show"
    elif isinstance(event, CheckedIn):
        data |= {"status": "in_house", "checked_in_at": event.at}
        if event.room_number is not None:
            data["room_number"] = event.room_number
    else:
        data |= {"status": "checked_out", "checked_out_at": event.at}
        if event.revenue is not None:
            data["revenue"] = _revenue(event.revenue)
    return data


def _update_profile(principal: Principal, system: str, event: ProfileUpdated) -> bool:
    guest = event.guest
    try:
        found = guest_service.find_by_external_id(principal, system, guest.external_id, audit_view=False)
    except NotFoundError:
        _match_or_create_guest(principal, system, guest)
        return True
    changes = {name: value for name, value in _guest_values(guest).items() if getattr(found, name) != value}
    if changes:
        guest_service.update_guest(principal, found.id, found.version, changes)
    return bool(changes)


def _same_preference(principal: Principal, guest_id: int, event: PreferenceRecorded) -> bool:
    category, value = event.category.strip().lower(), event.value.strip().casefold()
    return any(p.category.code == category and p.value.casefold() == value
               for p in preference_service.list_preferences(principal, guest_id))


def _record_preference(principal: Principal, system: str, event: PreferenceRecorded) -> bool:
    """Add the preference for the whole chain unless the guest has it already (the same category
    and value, whatever the detail): a source that sends it again, or a file imported twice,
    does not make staff read it twice."""
    try:
        guest = guest_service.find_by_external_id(principal, system, event.guest_external_id, audit_view=False)
    except NotFoundError as error:
        raise InvalidDataError({"guest_external_id": [_("No guest has the %(system)s id %(id)s.", system=system,
                                                        id=event.guest_external_id)]}) from error
    if _same_preference(principal, guest.id, event):
        return False
    kind = manager.adapters(current_app)[system].kind
    data = {"category": event.category, "value": event.value, "source": PREFERENCE_SOURCES.get(kind, "pms"),
            "alert_at_check_in": event.alert_at_check_in, "prepare_before_arrival": event.prepare_before_arrival}
    if event.detail is not None:
        data["detail"] = event.detail
    preference_service.add_preference(principal, guest.id, data)
    return True


def apply_event(system: str, property_id: int, property_code: str, event) -> bool:
    """Apply `event` of the source (adapter `system`, the property); False when it changed
    nothing because what is stored is as new or newer."""
    principal = system_principal(property_id)
    if isinstance(event, ProfileUpdated):
        return _update_profile(principal, system, event)
    if isinstance(event, PreferenceRecorded):
        return _record_preference(principal, system, event)
    if isinstance(event, ReservationUpserted):
        data = _upserted(principal, system, property_id, event)
    elif isinstance(event, (ReservationCancelled, NoShow, CheckedIn, CheckedOut)):
        data = _status_change(event)
    else:
        raise InvalidDataError.general(_("guestrel cannot apply an event of the kind %(kind)s.",
                                         kind=type(event).__name__))
    result = stay_service.upsert_stay(principal, property_code, event.reservation_id, data)
    return result.ignored is None
