"""The audit trail: every domain calls `record` in the same transaction as the change it audits."""
from datetime import date, datetime

from flask import has_request_context, request

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import Principal
from guestrel.extensions import db


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
