"""The audit trail: every domain calls `record` in the same transaction as the change it audits."""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy.orm import defaultload

from guestrel.audit.models import AuditEntry
from guestrel.auth.models import ApiClient, StaffUser, api_client_properties, staff_properties
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.properties.models import Property
from guestrel.service_errors import PermissionDeniedError


def _jsonable(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def snapshot(obj, fields) -> dict:
    return {field: _jsonable(getattr(obj, field)) for field in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        field: [before.get(field), after.get(field)]
        for field in sorted(set(before) | set(after))
        if before.get(field) != after.get(field)
    }


def record(
    principal: Principal | None,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    *,
    guest_id: int | None = None,
    property_id: int | None = None,
    changes: dict | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        staff_id=principal.staff_id if principal else None,
        api_client_id=principal.api_client_id if principal else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        guest_id=guest_id,
        property_id=property_id,
        changes=changes or None,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def refile_guest_entries(from_guest_id: int, to_guest_id: int) -> int:
    """File every entry about one guest under another, in the caller's transaction: when two
    profiles are merged, the survivor's trail shows the merged profile's history. Only the
    `guest_id` the entries are filed under changes; who did what to which record, when, and what
    changed stay as recorded (an entry about the merged profile keeps its id as entity_id), and
    the merge's own entry names both ids. The number of entries refiled."""
    return db.session.execute(
        sa.update(AuditEntry).where(AuditEntry.guest_id == from_guest_id).values(guest_id=to_guest_id)
        .execution_options(synchronize_session=False)
    ).rowcount


MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Actor:
    type: str  # "staff", "api_client" or "system"
    id: int | None
    name: str | None


@dataclass(frozen=True)
class AuditItem:
    entry: AuditEntry
    property_code: str | None

    @property
    def actor(self) -> Actor:
        entry = self.entry
        if entry.staff_id is not None:
            return Actor("staff", entry.staff_id, entry.staff.name)
        if entry.api_client_id is not None:
            return Actor("api_client", entry.api_client_id, entry.api_client.name)
        return Actor("system", None, None)


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditItem]
    # Pass as `before` for the next (older) page; None on the last page.
    next_before: int | None


def _visible_to(principal: Principal, guest_id: int | None):
    """The entries a property-bound principal may read, as a WHERE clause."""
    property_ids = sorted(principal.property_ids)
    own_property = AuditEntry.property_id.in_(property_ids)
    chain_wide = AuditEntry.property_id.is_(None)
    if guest_id is not None:
        # A guest belongs to the whole chain: their chain-wide trail is everyone's to read.
        return sa.or_(own_property, chain_wide)
    actor_works_here = sa.or_(
        sa.exists().where(
            staff_properties.c.staff_id == AuditEntry.staff_id,
            staff_properties.c.property_id.in_(property_ids),
        ),
        sa.exists().where(
            api_client_properties.c.api_client_id == AuditEntry.api_client_id,
            api_client_properties.c.property_id.in_(property_ids),
        ),
    )
    return sa.or_(own_property, sa.and_(chain_wide, actor_works_here))


def _entries() -> sa.Select:
    """Entries with their property's code and their actors' names, newest first."""
    return (
        sa.select(AuditEntry, Property.code)
        .outerjoin(Property, Property.id == AuditEntry.property_id)
        # The actors' names come joined in this query; their property lists are not needed.
        .options(
            defaultload(AuditEntry.staff).lazyload(StaffUser.properties),
            defaultload(AuditEntry.api_client).lazyload(ApiClient.properties),
        )
        .order_by(AuditEntry.id.desc())
    )


def _page(principal: Principal, query: sa.Select, guest_id: int | None, limit: int, before: int | None) -> AuditPage:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if principal.property_ids is not None:
        query = query.where(_visible_to(principal, guest_id))
    rows = db.session.execute(query.limit(limit + 1)).all()
    items = [AuditItem(entry, code) for entry, code in rows[:limit]]
    next_before = items[-1].entry.id if len(rows) > limit else None
    return AuditPage(items, next_before)


def list_entries(
    principal: Principal,
    *,
    guest_id: int | None = None,
    staff_id: int | None = None,
    api_client_id: int | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    limit: int = 50,
    before: int | None = None,
) -> AuditPage:
    """Newest first, `limit` at a time; `before` is the last id of the previous page."""
    query = _entries()
    filters = {
        AuditEntry.guest_id: guest_id,
        AuditEntry.staff_id: staff_id,
        AuditEntry.api_client_id: api_client_id,
        AuditEntry.action: action,
        AuditEntry.entity_type: entity_type,
    }
    for column, value in filters.items():
        if value is not None:
            query = query.where(column == value)
    return _page(principal, query, guest_id, limit, before)


# What makes up a guest's profile, and the actions that change it: the history on the profile
# page. Views and exports change nothing; stays, tasks and alerts have pages of their own.
PROFILE_ENTITY_TYPES = ("guest", "preference", "special_date", "guest_external_id", "loyalty_membership")
PROFILE_ACTIONS = ("create", "update", "retire", "delete", "merge")


def profile_history(principal: Principal, guest_id: int, *, limit: int = 20, before: int | None = None) -> AuditPage:
    """Who changed what on one guest's profile (the profile, its preferences, special dates, ids
    in other systems and loyalty tier; merges included), newest first, `limit` at a time. For staff who
    change profiles (guests:write) or read the trail (audit:read). Property-scoped as the
    guest's trail in list_entries: entries about another hotel's preferences are left out."""
    if not (principal.can("guests:write") or principal.can("audit:read")):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    query = _entries().where(
        AuditEntry.guest_id == guest_id,
        AuditEntry.entity_type.in_(PROFILE_ENTITY_TYPES),
        AuditEntry.action.in_(PROFILE_ACTIONS),
    )
    return _page(principal, query, guest_id, limit, before)
