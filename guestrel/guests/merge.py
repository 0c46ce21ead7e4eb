"""Merging two profiles of one guest. One of the guests domain's services: with service,
preference_service and reviews the only code that writes the domain's tables.

The survivor keeps its id and, per profile field that differs, the value staff chose. It takes
over the merged profile's preferences (an active preference identical to another of the same
category and scope collapses into the one recorded first, which keeps the latest confirmation,
every flag and the highest priority; the others are retired, never deleted), special dates (an
identical one is dropped), external ids, stays, audit history and open reviews. The merged
profile stays as a tombstone with `merged_into_id`: its id answers "merged into ..." and leads to
the survivor, and it is left out of search, lists and identity resolution. Other domains move
their own rows on the `guest_merged` signal. Everything happens in one transaction, recorded as
one "merge" entry in the survivor's trail.

Both profiles' versions are checked: a profile changed since the caller read it refuses the merge
(ConflictError). A principal bound to some hotels merges only guests whose stays and
hotel-scoped preferences are all at those hotels: the merge moves them.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import reviews, search, service, signals
from guestrel.guests.models import (
    PREFERENCE_PRIORITIES,
    Guest,
    GuestExternalId,
    GuestSearchTerm,
    Preference,
    SpecialDate,
)
from guestrel.guests.operation import refuse_merged, require, transaction
from guestrel.service_errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError
from guestrel.stays import service as stay_service

MERGE_FIELDS = service.GUEST_FIELDS
CHOICES = ("survivor", "merged")
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(PREFERENCE_PRIORITIES)}
COLLAPSED_FIELDS = ("detail", "alert_at_check_in", "prepare_before_arrival", "priority", "last_confirmed_at",
                    "retired_at")


@dataclass(frozen=True)
class FieldComparison:
    name: str
    survivor_value: object
    merged_value: object
    # Both profiles hold a value and they differ: staff must choose which survives.
    conflict: bool
    # What survives when no choice is given: the survivor's value, unless it has none.
    default: str


@dataclass(frozen=True)
class MergePreview:
    survivor: Guest
    merged: Guest
    # The fields that differ, in MERGE_FIELDS order.
    fields: list


def compare_fields(survivor: Guest, merged: Guest) -> list[FieldComparison]:
    comparisons = []
    for name in MERGE_FIELDS:
        kept, other = getattr(survivor, name), getattr(merged, name)
        if kept != other:
            comparisons.append(FieldComparison(name, kept, other, conflict=kept is not None and other is not None,
                                               default="survivor" if kept is not None else "merged"))
    return comparisons


def _require(principal: Principal):
    require(principal, "guests:merge")
    # Choosing between two profiles' values means seeing them all.
    require(principal, "guests:contact")


def _load_pair(survivor_id: int, merged_id: int, *, with_external_ids: bool = False) -> tuple[Guest, Guest]:
    if survivor_id == merged_id:
        raise InvalidDataError({"merged_guest_id": [_("A guest cannot be merged with itself.")]})
    query = sa.select(Guest).where(Guest.id.in_((survivor_id, merged_id)))
    if with_external_ids:
        query = query.options(selectinload(Guest.external_ids))
    guests = {guest.id: guest for guest in db.session.scalars(query)}
    survivor, merged = guests.get(survivor_id), guests.get(merged_id)
    if survivor is None:
        raise NotFoundError(_("There is no guest with this id."))
    refuse_merged(survivor)
    if merged is None:
        raise InvalidDataError({"merged_guest_id": [_("There is no guest with this id.")]})
    if merged.merged_into_id is not None:
        raise InvalidDataError({"merged_guest_id": [_(
            "Guest %(id)d was merged into guest %(survivor)d already.", id=merged.id, survivor=merged.merged_into_id)]})
    return survivor, merged


def _require_reach(principal: Principal, guest_ids):
    if principal.property_ids is None:
        return
    scoped = sa.select(Preference.property_id).where(Preference.guest_id.in_(guest_ids),
                                                     Preference.property_id.is_not(None)).distinct()
    outside = (stay_service.guest_property_ids(guest_ids) | set(db.session.scalars(scoped))) - principal.property_ids
    if outside:
        raise PermissionDeniedError(_(
            "These guests have stays or preferences at hotels you do not work for. "
            "An admin or a manager of all their hotels can merge them."))


def preview(principal: Principal, survivor_id: int, merged_id: int, *, audit_view: bool = True) -> MergePreview:
    """Both profiles side by side with the fields that differ, for staff to choose from. Reading
    them is recorded in both guests' trails unless the caller shows them again (audit_view)."""
    _require(principal)
    with transaction():
        survivor, merged = _load_pair(survivor_id, merged_id, with_external_ids=True)
        _require_reach(principal, (survivor_id, merged_id))
        if audit_view:
            for guest_id in (survivor_id, merged_id):
                audit.record(principal, "view", "guest", guest_id, guest_id=guest_id)
    return MergePreview(survivor, merged, compare_fields(survivor, merged))


def _choose(survivor: Guest, merged: Guest, choices: dict) -> dict:
    """Which profile's value survives, for every field that differs."""
    errors = {name: [_("This field cannot be chosen.")] for name in choices if name not in MERGE_FIELDS}
    errors |= {name: [_("Choose survivor or merged.")] for name, side in choices.items()
               if name in MERGE_FIELDS and side not in CHOICES}
    comparisons = compare_fields(survivor, merged)
    missing = [comparison.name for comparison in comparisons if comparison.conflict and comparison.name not in choices]
    if missing:
        errors["choices"] = [_("Choose which value to keep for: %(fields)s.", fields=", ".join(missing))]
    if errors:
        raise InvalidDataError(errors)
    return {comparison.name: choices.get(comparison.name, comparison.default) for comparison in comparisons}


def _reassign(model, merged_id: int, survivor_id: int, **values) -> int:
    return db.session.execute(
        sa.update(model).where(model.guest_id == merged_id).values(guest_id=survivor_id, **values)
        .execution_options(synchronize_session=False)
    ).rowcount


def _drop_identical_special_dates(merged_id: int, survivor_id: int) -> int:
    kept = aliased(SpecialDate)
    identical = sa.exists().where(kept.guest_id == survivor_id, kept.kind == SpecialDate.kind,
                                  kept.date == SpecialDate.date, kept.label.is_not_distinct_from(SpecialDate.label))
    return db.session.execute(
        sa.delete(SpecialDate).where(SpecialDate.guest_id == merged_id, identical)
        .execution_options(synchronize_session=False)
    ).rowcount


def _same_value(value: str) -> str:
    return " ".join(search.fold(value).split())


def _collapse(principal: Principal, kept: Preference, duplicates: list, now):
    before = audit.snapshot(kept, COLLAPSED_FIELDS)
    group = [kept, *duplicates]
    confirmations = [p.last_confirmed_at for p in group if p.last_confirmed_at is not None]
    kept.last_confirmed_at = max(confirmations, default=None)
    kept.alert_at_check_in = any(p.alert_at_check_in for p in group)
    kept.prepare_before_arrival = any(p.prepare_before_arrival for p in group)
    kept.priority = max((p.priority for p in group), key=PRIORITY_RANK.__getitem__)
    kept.detail = next((p.detail for p in group if p.detail), None)
    changes = audit.diff(before, audit.snapshot(kept, COLLAPSED_FIELDS))
    if changes:
        audit.record(principal, "update", "preference", kept.id, guest_id=kept.guest_id,
                     property_id=kept.property_id, changes=changes)
    for duplicate in duplicates:
        duplicate.retired_at = now
        audit.record(principal, "retire", "preference", duplicate.id, guest_id=duplicate.guest_id,
                     property_id=duplicate.property_id, changes={"retired_at": [None, now.isoformat()],
                                                                 "duplicate_of": [None, kept.id]})


def _collapse_preferences(principal: Principal, guest_id: int) -> int:
    """Identical active preferences (category, scope and value alike) become the one recorded
    first; the number retired."""
    active = db.session.scalars(
        sa.select(Preference).where(Preference.guest_id == guest_id, Preference.retired_at.is_(None))
        .order_by(Preference.recorded_at, Preference.id).execution_options(populate_existing=True)
    ).all()
    groups = {}
    for preference in active:
        groups.setdefault((preference.category_id, preference.property_id, _same_value(preference.value)),
                          []).append(preference)
    now = utcnow()
    retired = 0
    for kept, *duplicates in groups.values():
        if duplicates:
            _collapse(principal, kept, duplicates, now)
            retired += len(duplicates)
    return retired


def _move_rows(principal: Principal, survivor_id: int, merged_id: int) -> dict:
    moved = {"external_ids": _reassign(GuestExternalId, merged_id, survivor_id)}
    moved["special_dates_dropped"] = _drop_identical_special_dates(merged_id, survivor_id)
    moved["special_dates"] = _reassign(SpecialDate, merged_id, survivor_id)
    # A moved preference is a changed one: its ETag must not match what a client read before.
    moved["preferences"] = _reassign(Preference, merged_id, survivor_id, version=Preference.version + 1)
    moved["preferences_collapsed"] = _collapse_preferences(principal, survivor_id)
    moved["stays"] = stay_service.reassign_guest(merged_id, survivor_id)
    moved["reviews"] = reviews.close_for_merge(principal, survivor_id, merged_id)
    # Tombstones merged into the merged guest before now lead straight to the survivor.
    db.session.execute(sa.update(Guest).where(Guest.merged_into_id == merged_id)
                       .values(merged_into_id=survivor_id).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(GuestSearchTerm).where(GuestSearchTerm.guest_id == merged_id))
    moved["audit_entries"] = audit.refile_guest_entries(merged_id, survivor_id)
    return moved


def merge_guests(principal: Principal, survivor_id: int, merged_id: int, survivor_version: int,
                 merged_version: int, choices: dict) -> Guest:
    """Merge guest `merged_id` into guest `survivor_id`, both still at the versions the caller
    read. `choices` maps each profile field that differs to "survivor" or "merged" (required
    where both hold a value; otherwise the value that is there survives). The survivor."""
    _require(principal)
    with transaction(conflict_message=str(service.GUEST_CHANGED), duplicate_message=str(service.TAKEN)):
        survivor, merged = _load_pair(survivor_id, merged_id)
        if (survivor.version, merged.version) != (survivor_version, merged_version):
            raise ConflictError(str(service.GUEST_CHANGED))
        _require_reach(principal, (survivor_id, merged_id))
        effective = _choose(survivor, merged, choices)
        before = audit.snapshot(survivor, MERGE_FIELDS)
        merged_values = audit.snapshot(merged, MERGE_FIELDS)
        taken = {name: getattr(merged, name) for name, side in effective.items() if side == "merged"}
        # The tombstone gives up its unique member number before the survivor may take it.
        merged.member_number = None
        merged.merged_into_id = survivor_id
        db.session.flush()
        for name, value in taken.items():
            setattr(survivor, name, value)
        if not (survivor.given_name or survivor.family_name or survivor.full_name):
            raise InvalidDataError({"choices": [_("Keep at least one of the names.")]})
        # Written even when no field changed: the survivor's version moves on, so an ETag read
        # before the merge no longer matches.
        survivor.updated_at = utcnow()
        db.session.flush()
        service.write_search_terms(survivor)
        moved = _move_rows(principal, survivor_id, merged_id)
        signals.announce(signals.guest_merged, survivor_id=survivor_id, merged_id=merged_id)
        signals.announce(signals.guest_profile_changed, guest_id=survivor_id)
        changes = audit.diff(before, audit.snapshot(survivor, MERGE_FIELDS))
        changes["merged_guest"] = [merged_id, survivor_id]
        if effective:
            changes["choices"] = [None, effective]
        discarded = {name: merged_values[name] for name, side in effective.items()
                     if side == "survivor" and merged_values[name] is not None}
        if discarded:
            changes["discarded"] = [discarded, None]
        changes["moved"] = [None, moved]
        audit.record(principal, "merge", "guest", survivor_id, guest_id=survivor_id, changes=changes)
    return service.get_guest(principal, survivor_id, audit_view=False)
