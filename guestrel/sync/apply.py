"""Applying one normalised event through the guests and stays services, as the system acting
for one property. What the services refuse (a guest without a name, a cancellation of a
reservation not yet known) is raised as their ServiceError and recorded on the event."""
import dataclasses
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
)
from guestrel.service_errors import InvalidDataError, NotFoundError
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay

SYSTEM_PERMISSIONS = frozenset({"guests:read", "guests:contact", "guests:write", "stays:read", "stays:write"})
GUEST_DATA_FIELDS = ("given_name", "family_name", "full_name", "email", "phone", "birthday", "nationality", "language")
# A reservation the PMS sends again after these is bookable again (re-instated).
REINSTATED_FROM = {"cancelled", "no_show"}


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
    """The guest the source knows by guest.external_id, created with that id when new. A guest
    without an external id is left for identity resolution (the stay keeps its guest)."""
    if guest is None or not guest.external_id:
        return None
    try:
        return guest_service.find_by_external_id(principal, system, guest.external_id, audit_view=False).id
    except NotFoundError:
        data = _guest_values(guest) | {"external_ids": [{"system": system, "external_id": guest.external_id}]}
        return guest_service.create_guest(principal, data).id


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


def apply_event(system: str, property_id: int, property_code: str, event) -> bool:
    """Apply `event` of the source (adapter `system`, the property); False when it changed
    nothing because what is stored is as new or newer."""
    principal = system_principal(property_id)
    if isinstance(event, ProfileUpdated):
        return _update_profile(principal, system, event)
    if isinstance(event, ReservationUpserted):
        data = _upserted(principal, system, property_id, event)
    elif isinstance(event, (ReservationCancelled, NoShow, CheckedIn, CheckedOut)):
        data = _status_change(event)
    else:
        raise InvalidDataError.general(_("guestrel cannot apply an event of the kind %(kind)s.",
                                         kind=type(event).__name__))
    result = stay_service.upsert_stay(principal, property_code, event.reservation_id, data)
    return result.ignored is None
