"""Reservations and stays: the only code that writes the stays table.

A stay belongs to one property; a principal reads and writes only the stays of the properties it
covers. The property's PMS is the system of record: `upsert_stay` applies what it sends, keyed
by (property, pms_id), and ignores an update older than the one stored, so updates delivered
twice or out of order leave the newest. Staff may also move a stay themselves (check in, check
out, cancel, no-show) along the allowed transitions. Entering in_house or checked_out is
announced by the signals of guestrel.stays.signals, after the commit.

Refusals are the exceptions of guestrel.service_errors (plus TransitionError); nothing is
written then.
"""
from dataclasses import dataclass, field
from functools import partial
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import after_commit, utcnow
from guestrel.extensions import db
from guestrel.guests import service as guest_service
from guestrel.guests.models import Guest
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import (
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
)
from guestrel.stays import clean, signals
from guestrel.stays.clean import REVENUE_FIELDS, TEXT_FIELDS
from guestrel.stays.models import STAY_STATUSES, Stay

AUDITED_FIELDS = (
    "pms_id", "guest_id", "status", "arrival", "departure", *TEXT_FIELDS, "adults", "children",
    *REVENUE_FIELDS.values(), "currency", "source_modified_at", "checked_in_at", "checked_out_at",
)
PAGE_SIZE_MAX = 200

STATUS_LABELS = {
    "booked": _l("booked"),
    "cancelled": _l("cancelled"),
    "no_show": _l("no-show"),
    "in_house": _l("in house"),
    "checked_out": _l("checked out"),
}

# What staff may do to a stay: the command, the states it starts from, the state it leads to.
# The PMS itself is not bound by these (see upsert_stay).
COMMANDS = {
    "check_in": ({"booked"}, "in_house"),
    "check_out": ({"in_house"}, "checked_out"),
    "cancel": ({"booked"}, "cancelled"),
    "no_show": ({"booked"}, "no_show"),
}


class TransitionError(ServiceError):
    """The stay is in a state the command cannot start from (checking out a cancelled stay)."""

    status = 409


@dataclass(frozen=True)
class UpsertResult:
    # created, updated, ignored_stale (older than what is stored) or ignored_duplicate (the
    # stored version again).
    outcome: str
    stay: Stay

    @property
    def ignored(self) -> str | None:
        return self.outcome.removeprefix("ignored_") if self.outcome.startswith("ignored_") else None


@dataclass(frozen=True)
class StayPage:
    items: list
    # The id to pass as `after` for the next page, None on the last page.
    next_after: int | None


@dataclass
class _Change:
    """A stay write under way: the facts to announce once it is committed."""

    facts: list = field(default_factory=list)


# -- checks ---------------------------------------------------------------------------------


def _require(principal: Principal | None, permission: str):
    if principal is None or not principal.can(permission):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def _covered_property(principal: Principal, property_code: str):
    prop = property_service.get_by_codes([property_code or ""])[0]
    if not principal.covers_property(prop.id):
        raise PermissionDeniedError(_("You may only record stays of your own hotels."))
    return prop


def _resolve_guest(principal: Principal, data: dict) -> int | None:
    """The guest the data names, None if it names none. The guest must exist; the id of a guest
    merged into another stands for the survivor."""
    if "guest_id" in data and "guest_external_id" in data:
        raise InvalidDataError({"guest_id": [_("Name the guest by guest_id or by guest_external_id, not both.")]})
    if data.get("guest_id") is not None:
        guest_id = data["guest_id"]
        found = None if isinstance(guest_id, bool) or not isinstance(guest_id, int) else db.session.scalar(
            sa.select(sa.func.coalesce(Guest.merged_into_id, Guest.id)).where(Guest.id == guest_id))
        if found is None:
            raise InvalidDataError({"guest_id": [_("There is no guest with this id.")]})
        return found
    external = data.get("guest_external_id")
    if external is None:
        return None
    if not isinstance(external, dict) or not external.get("system") or not external.get("id"):
        raise InvalidDataError({"guest_external_id": [_("Give the guest's system and id.")]})
    try:
        return guest_service.find_by_external_id(principal, external["system"], external["id"], audit_view=False).id
    except NotFoundError as error:
        raise InvalidDataError({"guest_external_id": [_("No guest has this external id.")]}) from error


def _check_dates(stay: Stay):
    if stay.departure <= stay.arrival:
        raise InvalidDataError({"departure": [_("The departure must be after the arrival.")]})


# -- writing ----------------------------------------------------------------------------------


def _snapshot(stay: Stay) -> dict:
    values = audit.snapshot(stay, AUDITED_FIELDS)
    return {name: str(value) if isinstance(value, Decimal) else value for name, value in values.items()}


def _enter_status(stay: Stay, previous: str | None, at: datetime, change: _Change):
    """Keeps the check-in and check-out times in step with the status and notes the facts."""
    if stay.status == previous:
        return
    if stay.status == "in_house":
        stay.checked_in_at = stay.checked_in_at or at
        stay.checked_out_at = None
        change.facts.append(signals.stay_checked_in)
    elif stay.status == "checked_out":
        stay.checked_out_at = stay.checked_out_at or at
        change.facts.append(signals.stay_checked_out)
    else:
        # Back to booked (a check-in undone, a cancellation re-instated), or never arrived.
        stay.checked_in_at = stay.checked_out_at = None


def _announce(stay: Stay, change: _Change):
    facts = {"stay_id": stay.id, "property_id": stay.property_id, "guest_id": stay.guest_id}
    for signal in change.facts:
        after_commit(db.session, partial(signals.announce, signal, **facts))


def _apply_upsert(principal, prop, pms_id, values, guest_id) -> tuple[UpsertResult, _Change]:
    change = _Change()
    # The lock makes concurrent updates of one reservation compare timestamps one after the other.
    stay = db.session.scalar(
        sa.select(Stay).where(Stay.property_id == prop.id, Stay.pms_id == pms_id).with_for_update(of=Stay)
    )
    moment = values["source_modified_at"]
    if stay is None:
        missing = [name for name in ("arrival", "departure") if name not in values]
        if missing:
            raise InvalidDataError({name: [_("This field is required for a new reservation.")] for name in missing})
        stay = Stay(property_id=prop.id, pms_id=pms_id, status="booked", currency=prop.currency, adults=1,
                    children=0, **{column: Decimal("0.00") for column in REVENUE_FIELDS.values()})
        before, previous, outcome = {}, None, "created"
        db.session.add(stay)
    elif stay.source_modified_at is not None and moment < stay.source_modified_at:
        db.session.rollback()
        return UpsertResult("ignored_stale", stay), change
    else:
        before, previous, outcome = _snapshot(stay), stay.status, "updated"
    for name, value in values.items():
        setattr(stay, name, value)
    if guest_id is not None:
        stay.guest_id = guest_id
    _check_dates(stay)
    _enter_status(stay, previous, moment, change)
    changes = audit.diff(before, _snapshot(stay))
    if outcome == "updated" and not changes:
        db.session.rollback()
        return UpsertResult("ignored_duplicate", stay), _Change()
    db.session.flush()
    # First: listeners of the check-in read what the change left (e.g. the stay's tasks).
    change.facts.insert(0, signals.stay_changed)
    audit.record(principal, "create" if outcome == "created" else "update", "stay", stay.id,
                 guest_id=stay.guest_id, property_id=stay.property_id, changes=changes)
    db.session.commit()
    return UpsertResult(outcome, stay), change


def upsert_stay(principal: Principal, property_code: str, pms_id: str, data: dict) -> UpsertResult:
    """Create or update the reservation the property's PMS knows as `pms_id`.

    `data` holds source_modified_at (required: the source's last-modified time, aware) and any
    of status, arrival and departure (both required for a new reservation), room_type,
    room_number, rate_code, channel, channel_confirmation, adults, children, revenue ({room,
    food_and_beverage, other, currency}), checked_in_at, checked_out_at, and the guest as
    guest_id or guest_external_id ({system, id}; needs guests:read). Fields left out keep their
    stored value; a guest left out keeps the stay's guest.

    An update older than the stored one is ignored (ignored_stale), as is one with the stored
    time and nothing new (ignored_duplicate). From a newer update every status change is
    accepted, a re-instated cancellation included: the PMS is the system of record, and
    updates in between may have been lost."""
    _require(principal, "stays:write")
    prop = _covered_property(principal, property_code)
    pms_id = clean.clean_pms_id(pms_id)
    values = clean.clean_upsert(data)
    guest_id = _resolve_guest(principal, data)
    try:
        try:
            result, change = _apply_upsert(principal, prop, pms_id, values, guest_id)
        except IntegrityError:
            # Another request created this reservation between our read and our insert: ours is
            # now an update of it.
            db.session.rollback()
            result, change = _apply_upsert(principal, prop, pms_id, values, guest_id)
    except BaseException:
        db.session.rollback()
        raise
    _announce(result.stay, change)
    return result


def _load_for_update(principal: Principal, stay_id: int) -> Stay:
    query = sa.select(Stay).where(Stay.id == stay_id).with_for_update(of=Stay)
    stay = db.session.scalar(query)
    if stay is None or not principal.covers_property(stay.property_id):
        raise NotFoundError(_("There is no stay with this id."))
    return stay


def _run_command(principal: Principal, stay_id: int, command: str, at: datetime | None, values=None) -> Stay:
    _require(principal, "stays:write")
    at = clean.moment("at", at) or utcnow()
    sources, target = COMMANDS[command]
    change = _Change()
    try:
        stay = _load_for_update(principal, stay_id)
        if stay.status == target:
            # A repeated command (a retried request) has had its effect already.
            db.session.rollback()
            return stay
        if stay.status not in sources:
            raise TransitionError(_("A stay that is %(status)s cannot be changed this way.",
                                    status=status_label(stay.status)), field="status")
        before, previous = _snapshot(stay), stay.status
        for name, value in (values or {}).items():
            setattr(stay, name, value)
        stay.status = target
        _enter_status(stay, previous, at, change)
        change.facts.insert(0, signals.stay_changed)
        audit.record(principal, "update", "stay", stay.id, guest_id=stay.guest_id,
                     property_id=stay.property_id, changes=audit.diff(before, _snapshot(stay)))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    _announce(stay, change)
    return stay


def check_in(principal: Principal, stay_id: int, at: datetime | None = None) -> Stay:
    """The guest arrived: booked -> in_house. `at` defaults to now."""
    return _run_command(principal, stay_id, "check_in", at)


def check_out(principal: Principal, stay_id: int, at: datetime | None = None, revenue: dict | None = None) -> Stay:
    """The guest left: in_house -> checked_out, with the stay's final revenue if given."""
    values = clean.clean_revenue(revenue) if revenue is not None else None
    return _run_command(principal, stay_id, "check_out", at, values)


def cancel(principal: Principal, stay_id: int) -> Stay:
    return _run_command(principal, stay_id, "cancel", None)


def mark_no_show(principal: Principal, stay_id: int) -> Stay:
    return _run_command(principal, stay_id, "no_show", None)


def reassign_guest(from_guest_id: int, to_guest_id: int) -> int:
    """Every stay of one guest becomes the other's, in the caller's transaction: a merge of two
    profiles (guestrel.guests.merge), whose own audit entry records it. The number of stays."""
    return db.session.execute(
        sa.update(Stay).where(Stay.guest_id == from_guest_id).values(guest_id=to_guest_id, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


# -- reading ----------------------------------------------------------------------------------


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def _visible(principal: Principal):
    query = sa.select(Stay)
    if principal.property_ids is not None:
        query = query.where(Stay.property_id.in_(sorted(principal.property_ids)))
    return query


def get_stay(principal: Principal, stay_id: int) -> Stay:
    _require(principal, "stays:read")
    stay = db.session.scalar(_visible(principal).where(Stay.id == stay_id))
    if stay is None:
        raise NotFoundError(_("There is no stay with this id."))
    return stay


def list_stays(
    principal: Principal, *, guest_id: int | None = None, property_code: str | None = None,
    arrival_from: date | None = None, arrival_to: date | None = None, status: str | None = None,
    limit: int = 50, after: int | None = None,
) -> StayPage:
    """The stays of the covered properties matching all given criteria, by id, a page at a time."""
    _require(principal, "stays:read")
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise InvalidDataError({"limit": [_("Ask for 1 to %(max)d stays.", max=PAGE_SIZE_MAX)]})
    if status is not None and status not in STAY_STATUSES:
        raise InvalidDataError({"status": [_("Choose one of: %(choices)s.", choices=", ".join(STAY_STATUSES))]})
    if arrival_from and arrival_to and arrival_to < arrival_from:
        raise InvalidDataError({"arrival_to": [_("The end of the range is before its start.")]})
    query = _visible(principal)
    if property_code is not None:
        query = query.where(Stay.property_id == property_service.get_property(principal, property_code).id)
    criteria = {Stay.guest_id: guest_id, Stay.status: status}
    for column, value in criteria.items():
        if value is not None:
            query = query.where(column == value)
    if arrival_from is not None:
        query = query.where(Stay.arrival >= arrival_from)
    if arrival_to is not None:
        query = query.where(Stay.arrival <= arrival_to)
    if after is not None:
        query = query.where(Stay.id > after)
    stays = db.session.scalars(query.order_by(Stay.id).limit(limit + 1)).all()
    if len(stays) > limit:
        return StayPage(items=stays[:limit], next_after=stays[limit - 1].id)
    return StayPage(items=stays, next_after=None)


def guest_property_ids(guest_ids) -> set[int]:
    """The properties where these guests have stays (a merge must cover them all)."""
    return set(db.session.scalars(sa.select(Stay.property_id).where(Stay.guest_id.in_(list(guest_ids))).distinct()))


def guest_stays(principal: Principal, guest_id: int, limit: int = 50) -> list[Stay]:
    """The guest's latest stays at the covered properties, newest arrival first."""
    _require(principal, "stays:read")
    query = _visible(principal).where(Stay.guest_id == guest_id)
    return db.session.scalars(query.order_by(Stay.arrival.desc(), Stay.id.desc()).limit(limit)).all()


# The stays that make a guest a returning one: they came, whether they have left or not.
VISIT_STATUSES = ("in_house", "checked_out")


@dataclass(frozen=True)
class ChainStay:
    """One of the guest's stays as the profile lists it, at any hotel of the chain. The rate
    and revenue are left empty (None) unless `shows_revenue`: the reader covers the hotel."""

    id: int
    property_code: str
    property_name: str
    arrival: date
    departure: date
    status: str
    room_number: str | None
    room_type: str | None
    shows_revenue: bool
    rate_code: str | None = None
    revenue: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True)
class ChainHistory:
    stays: list[ChainStay]
    # True when older stays exist beyond the `limit` listed.
    more: bool
    # How many times the guest came to the chain (in house or checked out), at every hotel.
    visits: int


def chain_history(principal: Principal, guest_id: int, limit: int = 50) -> ChainHistory:
    """The guest's latest stays at every hotel of the chain, newest arrival first: where, when,
    which room and how each ended. Guests belong to the whole chain, so any reader with
    stays:read learns where the guest has stayed; rates and revenue stay with the hotel that
    earned them and are filled in only for the properties the principal covers (the front desk
    of one hotel sees that the guest stayed at another, not what they paid there). Two queries,
    whatever the number of stays."""
    _require(principal, "stays:read")
    rows = db.session.execute(
        sa.select(
            Stay.id, Stay.property_id, Property.code, Property.name, Stay.arrival, Stay.departure, Stay.status,
            Stay.room_number, Stay.room_type, Stay.rate_code, Stay.currency,
            (Stay.revenue_room + Stay.revenue_food_and_beverage + Stay.revenue_other).label("revenue"),
        )
        .join(Property, Property.id == Stay.property_id)
        .where(Stay.guest_id == guest_id)
        .order_by(Stay.arrival.desc(), Stay.id.desc())
        .limit(limit + 1)
    ).all()
    visits = db.session.scalar(
        sa.select(sa.func.count()).select_from(Stay)
        .where(Stay.guest_id == guest_id, Stay.status.in_(VISIT_STATUSES))
    )
    stays = []
    for row in rows[:limit]:
        covered = principal.covers_property(row.property_id)
        stays.append(ChainStay(
            id=row.id, property_code=row.code, property_name=row.name, arrival=row.arrival,
            departure=row.departure, status=row.status, room_number=row.room_number, room_type=row.room_type,
            shows_revenue=covered,
            **({"rate_code": row.rate_code, "revenue": Decimal(row.revenue).quantize(Decimal("0.01")),
                "currency": row.currency} if covered else {}),
        ))
    return ChainHistory(stays=stays, more=len(rows) > limit, visits=visits)


# -- who is in which room, for guest search -----------------------------------------------------


@dataclass(frozen=True)
class InHouseRoom:
    guest_id: int
    room_number: str
    property_code: str
    property_name: str


def sees_rooms(principal: Principal) -> bool:
    """Rooms of in-house guests are on the in-house board (arrivals:read) as in the stays."""
    return principal.can("stays:read") or principal.can("arrivals:read")


def _in_house(principal: Principal, *where) -> list[InHouseRoom]:
    if not sees_rooms(principal):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    query = (
        sa.select(Stay.guest_id, Stay.room_number, Property.code, Property.name)
        .join(Property, Property.id == Stay.property_id)
        .where(Stay.status == "in_house", Stay.guest_id.is_not(None), Stay.room_number.is_not(None), *where)
        .order_by(Property.code, Stay.room_number, Stay.id)
    )
    if principal.property_ids is not None:
        query = query.where(Stay.property_id.in_(sorted(principal.property_ids)))
    return [InHouseRoom(*row) for row in db.session.execute(query)]


def in_house_guest_ids_by_room(principal: Principal, room: str) -> list[InHouseRoom]:
    """The guests in house in this room (any case: "12a" is 12A) at the principal's hotels. One
    query over the in-house stays, which the status index keeps to the hotels' occupied rooms."""
    return _in_house(principal, sa.func.lower(Stay.room_number) == room.strip().lower())


def in_house_rooms(principal: Principal, guest_ids) -> list[InHouseRoom]:
    """Where these guests are in house at the principal's hotels, in one query."""
    return _in_house(principal, Stay.guest_id.in_(sorted(set(guest_ids))))
