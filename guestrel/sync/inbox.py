"""The inbox: the only code that writes inbox_messages and inbox_events.

`receive` stores an inbound payload byte for byte and commits before anything parses it, so a
payload that crashes the adapter is still there to look at and replay. `process` has the
source's adapter turn it into normalised events and applies each one once: an event is claimed
by inserting its (adapter, property, event_id) row, which is unique, so the same event in a
second delivery (or twice in one) is skipped. Each event is applied, and may fail, on its own.
`replay` processes a failed message again after a fix; what it applied already stays applied.
"""
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from guestrel.database import utcnow
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import ChannelAdapter, NormalisedEvent, PayloadError, PmsAdapter, TimeoutSession
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError, ServiceError
from guestrel.sync import apply
from guestrel.sync.models import InboxEvent, InboxMessage

# Headers that carry credentials; they are dropped before the headers are stored.
SECRET_HEADERS = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
SECRET_HEADER_WORDS = ("token", "secret", "password")
LIST_LIMIT_MAX = 500


class Source(NamedTuple):
    """Where a payload comes from: the adapter that understands it and the property it is for."""

    adapter: str
    property_code: str


class DuplicateDeliveryError(ServiceError):
    """The source sent this delivery id before: the payload is stored already."""

    status = 409


class NotReplayableError(ServiceError):
    """Only a failed message is replayed: the others have had their effect."""

    status = 409


@dataclass(frozen=True)
class MessageSummary:
    message: InboxMessage
    property_code: str
    event_counts: dict


def _safe_headers(headers: Mapping[str, str]) -> dict:
    return {
        name: value for name, value in headers.items()
        if name.lower() not in SECRET_HEADERS and not any(word in name.lower() for word in SECRET_HEADER_WORDS)
    }


def _inbound_adapter(name: str):
    adapter = manager.adapters(current_app).get(name)
    if adapter is None or not issubclass(adapter, (PmsAdapter, ChannelAdapter)):
        raise InvalidDataError({"adapter": [_("No installed adapter named %(name)s receives payloads.", name=name)]})
    return adapter


def receive(source: Source, content_type: str | None, headers: Mapping[str, str], body: bytes,
            delivery_id: str | None = None) -> InboxMessage:
    """Store the payload as it came, committed, and return it (status received).
    DuplicateDeliveryError when the source already sent `delivery_id`."""
    if not isinstance(body, bytes):
        raise InvalidDataError({"body": [_("The payload must be bytes, as received.")]})
    _inbound_adapter(source.adapter)
    prop = property_service.get_by_codes([source.property_code])[0]
    message = InboxMessage(
        adapter=source.adapter, property_id=prop.id, content_type=content_type, headers=_safe_headers(headers),
        body=body, body_sha256=hashlib.sha256(body).hexdigest(), delivery_id=delivery_id, status="received",
        attempts=0,
    )
    db.session.add(message)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        # Only the delivery id is unique; a concurrent copy of the delivery lands here too.
        raise DuplicateDeliveryError(_("This delivery was received already.")) from error
    return message


def _parse(message: InboxMessage) -> list[NormalisedEvent]:
    """The message's events; PayloadError for anything the adapter could not turn into them."""
    try:
        adapter_class = _inbound_adapter(message.adapter)
        # Connection settings come with connections; until then adapters parse without them.
        adapter = adapter_class({}, TimeoutSession())
        if isinstance(adapter, PmsAdapter):
            events = adapter.parse_webhook(message.headers, message.body)
        else:
            events = adapter.parse_message(message.headers, message.body)
        events = list(events)
    except PayloadError:
        raise
    except ServiceError as error:
        raise PayloadError(error.message) from error
    except Exception as error:
        # A bug in the adapter must not lose the payload either: the message keeps the error.
        raise PayloadError(f"{type(error).__name__}: {error}") from error
    wrong = [event for event in events if not isinstance(event, NormalisedEvent)]
    if wrong:
        raise PayloadError(_("The adapter returned %(item)r, which is not a normalised event.", item=wrong[0]))
    return events


def _claim(message: InboxMessage, event: NormalisedEvent) -> InboxEvent | None:
    """The event's row, committed as being applied by this message; None when the event is
    another message's or this message applied it already."""
    row = InboxEvent(message_id=message.id, adapter=message.adapter, property_id=message.property_id,
                     event_id=event.event_id, kind=type(event).__name__, payload=apply.to_json(event),
                     status="applying")
    db.session.add(row)
    try:
        db.session.commit()
        return row
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalar(sa.select(InboxEvent).where(
        InboxEvent.adapter == message.adapter, InboxEvent.property_id == message.property_id,
        InboxEvent.event_id == event.event_id,
    ))
    # A replay retries this message's own unfinished events. Another message's copy of the event
    # is left to that message, so two deliveries processed at once never apply it both.
    if existing.message_id == message.id and existing.status in ("applying", "failed"):
        return existing
    return None


def _apply(message: InboxMessage, property_code: str, row: InboxEvent, event: NormalisedEvent) -> str:
    try:
        changed = apply.apply_event(message.adapter, message.property_id, property_code, event)
        row.status, row.error = ("applied" if changed else "ignored"), None
    except ServiceError as error:
        db.session.rollback()
        row.status, row.error = "failed", _describe(error)
    except Exception as error:
        db.session.rollback()
        current_app.logger.exception("Applying inbox event %s failed", row.id)
        row.status, row.error = "failed", f"{type(error).__name__}: {error}"
    row.applied_at = utcnow() if row.status != "failed" else None
    db.session.commit()
    return row.status


def _describe(error: ServiceError) -> str:
    """The refusal with each field it names, so the inbox says what to fix."""
    if not error.errors:
        return error.message
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())


def process(message_id: int) -> InboxMessage:
    """Parse the message and apply its events; the message ends applied (something changed),
    ignored (nothing new: duplicates, stale updates, no events) or failed (with its error)."""
    message = _load(message_id)
    message.attempts += 1
    # Committed now: a claim that loses a race rolls the session back.
    db.session.commit()
    property_code = db.session.scalar(sa.select(Property.code).where(Property.id == message.property_id))
    try:
        events = _parse(message)
    except PayloadError as error:
        message.status, message.error, message.applied_at = "failed", str(error), None
        db.session.commit()
        return message
    outcomes, seen = [], set()
    for event in events:
        if event.event_id in seen:
            continue
        seen.add(event.event_id)
        row = _claim(message, event)
        if row is not None:
            outcomes.append((event.event_id, _apply(message, property_code, row, event)))
    failed = [(event_id, status) for event_id, status in outcomes if status == "failed"]
    if failed:
        message.status, message.applied_at = "failed", None
        message.error = _("%(count)d of %(total)d events failed to apply.", count=len(failed), total=len(events))
    else:
        applied = any(status == "applied" for _event_id, status in outcomes)
        message.status, message.error, message.applied_at = ("applied" if applied else "ignored"), None, utcnow()
    db.session.commit()
    return message


def _require(principal: Principal | None):
    if principal is None or not principal.can("integrations:admin"):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def replay(principal: Principal, message_id: int) -> InboxMessage:
    """Process a failed message again, typically after the adapter or the data was fixed."""
    _require(principal)
    message = _load(message_id)
    if not principal.covers_property(message.property_id):
        raise NotFoundError(_("There is no inbox message with this id."))
    if message.status != "failed":
        raise NotReplayableError(_("Only a failed message can be replayed; this one is %(status)s.",
                                   status=message.status))
    return process(message_id)


def _load(message_id: int) -> InboxMessage:
    message = db.session.get(InboxMessage, message_id)
    if message is None:
        raise NotFoundError(_("There is no inbox message with this id."))
    return message


def list_messages(principal: Principal, *, failed_only: bool = False, limit: int = 100) -> list[MessageSummary]:
    """The latest messages of the covered properties, newest first, with their property and how
    many events are in each status."""
    _require(principal)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise InvalidDataError({"limit": [_("Ask for 1 to %(max)d messages.", max=LIST_LIMIT_MAX)]})
    # The bodies stay in the database: a listing does not need them.
    query = (sa.select(InboxMessage, Property.code).options(defer(InboxMessage.body))
             .join(Property, Property.id == InboxMessage.property_id))
    if failed_only:
        query = query.where(InboxMessage.status == "failed")
    if principal.property_ids is not None:
        query = query.where(InboxMessage.property_id.in_(sorted(principal.property_ids)))
    rows = db.session.execute(query.order_by(InboxMessage.id.desc()).limit(limit)).all()
    ids = [message.id for message, _code in rows]
    counts = {}
    if ids:
        grouped = db.session.execute(
            sa.select(InboxEvent.message_id, InboxEvent.status, sa.func.count())
            .where(InboxEvent.message_id.in_(ids)).group_by(InboxEvent.message_id, InboxEvent.status)
        ).all()
        for message_id, status, count in grouped:
            counts.setdefault(message_id, {})[status] = count
    return [MessageSummary(message, code, counts.get(message.id, {})) for message, code in rows]


def events_of(message_id: int) -> list[InboxEvent]:
    return db.session.scalars(sa.select(InboxEvent).where(InboxEvent.message_id == message_id)
                              .order_by(InboxEvent.id)).all()
