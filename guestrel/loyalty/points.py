"""The points ledger: the only code that writes points_entries.

Points move only by adding entries, each with an idempotency key: an award, a redemption, an
adjustment (either way) and, when two profiles are merged, the pair that moves a balance. The
balance is the sum of a guest's entries and never goes below zero. Redemptions are safe when
they race: on PostgreSQL the guest's entries are written under a transaction-scoped advisory
lock; SQLite has one writer at a time, and the balance is checked again inside the write.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise
from guestrel.guests.operation import choice, clean, require, require_guest, require_property, text, transaction
from guestrel.loyalty.models import PointsEntry
from guestrel.properties import service as property_service
from guestrel.service_errors import ConflictError, InvalidDataError

# What staff and integrations record; "merge" is the system's own.
RECORDED_KINDS = ("award", "redeem", "adjust")
KIND_LABELS = {"award": _l("Award"), "redeem": _l("Redeem"), "adjust": _l("Adjust"), "merge": _l("Merge")}
POINTS_MAX = 10_000_000
PAGE_MAX = 100
# The advisory lock's first key: the second is the guest's id.
LOCK_CLASS = 0x5054
KEY_USED = _l("This idempotency key was used for another entry. Use a new key for each entry.")


@dataclass(frozen=True)
class Recorded:
    entry: PointsEntry
    balance: int
    # True when the key was seen before: the stored entry is answered, nothing is booked again.
    replayed: bool


@dataclass(frozen=True)
class Ledger:
    balance: int
    items: list
    next_before: int | None


def _points(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value == 0 or abs(value) > POINTS_MAX:
        raise normalise.FieldError(_("Enter a whole number of points other than 0, at most %(max)d.", max=POINTS_MAX))
    return value


def _key(value) -> str:
    key = value.strip() if isinstance(value, str) else ""
    if not key or len(key) > PointsEntry.idempotency_key.type.length:
        raise normalise.FieldError(_("Send a key of up to 100 characters, unique to this entry (a UUID)."))
    return key


CLEANERS = {"kind": choice(RECORDED_KINDS), "points": _points, "reason": text(PointsEntry.reason, required=True),
            "idempotency_key": _key, "property_code": lambda value: value}


def balances_of(guest_ids) -> dict[int, int]:
    """The balance of each of the guests, in one query (0 for a guest without entries)."""
    if not guest_ids:
        return {}
    rows = db.session.execute(sa.select(PointsEntry.guest_id, sa.func.sum(PointsEntry.points))
                              .where(PointsEntry.guest_id.in_(list(guest_ids))).group_by(PointsEntry.guest_id)).all()
    found = {guest_id: int(total) for guest_id, total in rows}
    return {guest_id: found.get(guest_id, 0) for guest_id in guest_ids}


def balance(guest_id: int) -> int:
    return balances_of([guest_id])[guest_id]


def ledger(principal: Principal, guest_id: int, *, limit: int = 20, before: int | None = None,
           audit_view: bool = True) -> Ledger:
    """The guest's balance and entries, newest first, a page at a time (`before`: the previous
    page's `next_before`). Reading them is recorded as seeing the guest's points, unless the
    caller recorded the view already (the profile page)."""
    require(principal, "loyalty:read")
    if audit_view:
        with transaction():
            require_guest(guest_id)
            audit.record(principal, "view", "points", guest_id, guest_id=guest_id)
    else:
        require_guest(guest_id)
    limit = max(1, min(limit, PAGE_MAX))
    query = sa.select(PointsEntry).where(PointsEntry.guest_id == guest_id)
    if before is not None:
        query = query.where(PointsEntry.id < before)
    entries = db.session.scalars(query.options(selectinload(PointsEntry.entry_property))
                                 .order_by(PointsEntry.id.desc()).limit(limit + 1)).all()
    more = len(entries) > limit
    return Ledger(balance(guest_id), entries[:limit], entries[limit - 1].id if more else None)


def _lock(guest_id: int):
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(LOCK_CLASS, guest_id)))


def _replay(existing: PointsEntry, guest_id: int, kind: str, points: int) -> Recorded:
    if (existing.guest_id, existing.kind, existing.points) != (guest_id, kind, points):
        raise ConflictError(KEY_USED)
    return Recorded(existing, balance(guest_id), replayed=True)


def record(principal: Principal, guest_id: int, data: dict) -> Recorded:
    """Book points for the guest: `kind` award or redeem (a positive number of points, a
    redemption taken off) or adjust (either sign), a `reason`, an `idempotency_key`, and the hotel
    (`property_code`, optional). A redemption or adjustment the balance cannot cover is refused."""
    require(principal, "loyalty:write")
    missing = [name for name in ("kind", "points", "reason", "idempotency_key") if data.get(name) in (None, "")]
    if missing:
        raise InvalidDataError({name: [_("This field is required.")] for name in missing})
    values = clean({name: data[name] for name in CLEANERS if name in data}, CLEANERS)
    kind, points = values["kind"], values["points"]
    if kind in ("award", "redeem") and points < 0:
        raise InvalidDataError({"points": [_("Give a positive number: a redemption is taken off the balance.")]})
    booked = -points if kind == "redeem" else points
    with transaction(duplicate_message=_("This entry was sent twice at the same moment. Send it again to read it.")):
        require_guest(guest_id)
        property_id = None
        if values.get("property_code"):
            property_id = property_service.get_property(principal, values["property_code"]).id
            require_property(principal, property_id)
        _lock(guest_id)
        existing = db.session.scalar(sa.select(PointsEntry).where(PointsEntry.idempotency_key == values["idempotency_key"]))
        if existing is not None:
            return _replay(existing, guest_id, kind, booked)
        entry = PointsEntry(guest_id=guest_id, points=booked, kind=kind, reason=values["reason"],
                            idempotency_key=values["idempotency_key"], property_id=property_id)
        db.session.add(entry)
        db.session.flush()
        # Read after the entry is written: on SQLite the write waited for any other writer.
        after = balance(guest_id)
        if after < 0:
            raise InvalidDataError({"points": [_("The guest has %(balance)d points: %(points)d cannot be taken off.",
                                                 balance=after - booked, points=-booked)]})
        audit.record(principal, "create", "points_entry", entry.id, guest_id=guest_id, property_id=property_id,
                     changes={"kind": [None, kind], "points": [None, booked], "reason": [None, entry.reason]})
    return Recorded(entry, after, replayed=False)


def carry_over_merged(survivor_id: int, merged_id: int):
    """Inside a merge: the merged guest's balance moves to the survivor, by a pair of entries."""
    moved = balance(merged_id)
    if moved == 0:
        return
    db.session.add_all([
        PointsEntry(guest_id=merged_id, points=-moved, kind="merge", reason=f"Merged into guest #{survivor_id}",
                    idempotency_key=f"merge-{merged_id}-into-{survivor_id}-out"),
        PointsEntry(guest_id=survivor_id, points=moved, kind="merge", reason=f"Merged from guest #{merged_id}",
                    idempotency_key=f"merge-{merged_id}-into-{survivor_id}-in"),
    ])
    db.session.flush()
