"""The inbox: the only code that writes inbox_messages and inbox_events, with
guestrel.sync.imports for the files it stores here and applies row by row.

`receive` stores an inbound payload byte for byte and commits before anything parses it, so a
payload that crashes the adapter is still there to look at and replay. `process` has the
source's adapter turn it into normalised events and applies each one once: an event is claimed
by inserting its (adapter, property, event_id) row, which is unique, so the same event in a
second delivery (or twice in one) is skipped. Each event is applied, and may fail, on its own.
`replay` processes a failed message again after a fix; what it applied already stays applied.
"""
import hashlib
from datetime import datetime, timedelta
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer

from guestrel.database import one_transaction, utcnow
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import (
    ChannelAdapter, ImportAdapter, NormalisedEvent, PayloadError, PmsAdapter, SourceUnavailable, TimeoutSession,
)
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError, ServiceError
from guestrel.sync import apply, connections
from guestrel.sync.backoff import retry_delay
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


def _inbound_adapter(name: str, origin: str = "webhook"):
    # Files come to import adapters, through guestrel.sync.imports; the rest to PMSs and channels.
    kinds = (ImportAdapter,) if origin == "file" else (PmsAdapter, ChannelAdapter)
    adapter = manager.adapters(current_app).get(name)
    if adapter is None or not issubclass(adapter, kinds):
        raise InvalidDataError({"adapter": [_("No installed adapter named %(name)s receives payloads.", name=name)]})
    return adapter


def receive(source: Source, content_type: str | None, headers: Mapping[str, str], body: bytes,
            delivery_id: str | None = None, origin: str = "webhook") -> InboxMessage:
    """Store the payload as it came, committed, and return it (status received).
    DuplicateDeliveryError when the source already sent `delivery_id`."""
    if not isinstance(body, bytes):
        raise InvalidDataError({"body": [_("The payload must be bytes, as received.")]})
    _inbound_adapter(source.adapter, origin)
    prop = property_service.get_by_codes([source.property_code])[0]
    message = InboxMessage(
        adapter=source.adapter, property_id=prop.id, content_type=content_type, headers=_safe_headers(headers),
        body=body, body_sha256=hashlib.sha256(body).hexdigest(), delivery_id=delivery_id, status="received",
        attempts=0, origin=origin,
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
    """The message's events; PayloadError for anything the adapter could not turn into them,
    SourceUnavailable when what they refer to cannot be fetched now."""
    try:
        adapter_class = _inbound_adapter(message.adapter)
        connection = connections.find_connection(message.adapter, message.property_id)
        # A payload stored without a connection (a file given to the CLI) is parsed with no
        # settings: the adapter needs none to read a payload that carries all it refers to.
        adapter = adapter_class({}, TimeoutSession()) if connection is None else connections.adapter_instance(connection)
        if message.origin == "poll":
            events = adapter.parse_page(message.body)
        elif isinstance(adapter, PmsAdapter):
            events = adapter.parse_webhook(message.headers, message.body)
        else:
            events = adapter.parse_message(message.headers, message.body)
        events = list(events)
    except (PayloadError, SourceUnavailable):
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


class ClaimedElsewhere(Exception):
    """Another worker inserted the event's row first: it is that worker's to apply."""


def _event_row(message: InboxMessage, event: NormalisedEvent) -> InboxEvent | None:
    """The event's row for this message to apply, locked; None when the event was applied (or
    ignored) already, by this message or another. A failed event is this message's to try again:
    its own on a replay, or another message's when the source sends the event again after that
    message failed to apply it (a channel resending a refused booking); the row, locked, moves
    to the message that tries, so two deliveries processed at once never both apply it."""
    existing = db.session.scalar(sa.select(InboxEvent).where(
        InboxEvent.adapter == message.adapter, InboxEvent.property_id == message.property_id,
        InboxEvent.event_id == event.event_id,
    ).with_for_update())
    if existing is None:
        row = InboxEvent(message_id=message.id, adapter=message.adapter, property_id=message.property_id,
                         event_id=event.event_id, kind=type(event).__name__, payload=apply.to_json(event),
                         status="failed")
        db.session.add(row)
        try:
            db.session.flush()
        except IntegrityError as error:
            raise ClaimedElsewhere() from error
        return row
    if existing.status == "failed":
        existing.message_id = message.id
        return existing
    return None


def claim_and_apply(message, property_code: str, event: NormalisedEvent) -> str | None:
    """Claim the event for `message` (anything with its id, adapter and property_id) and apply
    it, inside the caller's one_transaction: the status it ended with (applied or ignored), or
    None when it is another message's or was applied already. A refusal is raised as the
    service's ServiceError, a claim another worker made at that moment as ClaimedElsewhere; the
    caller's transaction then rolls the claim back with the rest."""
    row = _event_row(message, event)
    if row is None:
        return None
    # The claim gets a savepoint of its own: a service that rolls back what it did (a stale
    # update it ignores) must not take the claim with it.
    db.session.commit()
    changed = apply.apply_event(message.adapter, message.property_id, property_code, event)
    row.status, row.error, row.applied_at = ("applied" if changed else "ignored"), None, utcnow()
    return row.status


def _apply(message: InboxMessage, property_code: str, event: NormalisedEvent):
    """Claim and apply the event in one transaction, so a worker that dies half-way leaves
    neither the claim nor a part of the effect, and a restart applies it once."""
    try:
        with one_transaction(db.session):
            claim_and_apply(message, property_code, event)
    except ClaimedElsewhere:
        return
    except ServiceError as error:
        _record_failure(message, event, _describe(error))
    except Exception as error:
        current_app.logger.exception("Applying event %s of inbox message %s failed", event.event_id, message.id)
        _record_failure(message, event, f"{type(error).__name__}: {error}")


def _record_failure(message: InboxMessage, event: NormalisedEvent, error: str):
    """Keep the failed event with its error, under the message that tried it last, for the
    inbox page and a replay; its effects were rolled back with its transaction."""
    values = {"status": "failed", "error": error, "applied_at": None, "message_id": message.id}
    updated = db.session.execute(sa.update(InboxEvent).where(
        InboxEvent.adapter == message.adapter, InboxEvent.property_id == message.property_id,
        InboxEvent.event_id == event.event_id,
        sa.or_(InboxEvent.message_id == message.id, InboxEvent.status == "failed"),
    ).values(**values)).rowcount
    if not updated:
        db.session.add(InboxEvent(adapter=message.adapter, property_id=message.property_id, event_id=event.event_id,
                                  kind=type(event).__name__, payload=apply.to_json(event), **values))
    try:
        db.session.commit()
    except IntegrityError:
        # Another message's copy of the event was claimed meanwhile; it carries the outcome.
        db.session.rollback()


def _describe(error: ServiceError) -> str:
    """The refusal with each field it names, so the inbox says what to fix."""
    if not error.errors:
        return error.message
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.errors.items())


def process(message_id: int) -> InboxMessage:
    """Parse the message and apply its events; the message ends applied (something changed),
    ignored (nothing new: duplicates, stale updates, no events) or failed (with its error)."""
    message = _load(message_id)
    if message.status not in ("received", "failed"):
        # A second run of the job (a recovery sweep, a retried delivery): the first had its effect.
        return message
    if message.origin == "file":
        # Imported here: the import flow builds on this module. An uploaded file is applied row
        # by row, each row all or nothing.
        from guestrel.sync import imports
        return imports.resume(message)
    message.attempts += 1
    message.next_attempt_at = None
    # Committed before any event's transaction begins, which on SQLite waits for the write lock.
    db.session.commit()
    property_code = db.session.scalar(sa.select(Property.code).where(Property.id == message.property_id))
    try:
        events = _parse(message)
    except PayloadError as error:
        message.status, message.error, message.applied_at = "failed", str(error), None
        db.session.commit()
        connections.record_outcome(message.adapter, message.property_id, message.error)
        return message
    except SourceUnavailable as error:
        return _wait_for_source(message, error)
    seen = set()
    for event in events:
        if event.event_id not in seen:
            seen.add(event.event_id)
            _apply(message, property_code, event)
    # From what is stored rather than from this run: two runs of one message (a recovery sweep
    # beside the original job) share its events, and either must end with the same answer.
    counts = dict(db.session.execute(
        sa.select(InboxEvent.status, sa.func.count()).where(InboxEvent.message_id == message.id)
        .group_by(InboxEvent.status)).all())
    if counts.get("failed"):
        message.status, message.applied_at = "failed", None
        message.error = _("%(count)d of %(total)d events failed to apply.", count=counts["failed"], total=len(seen))
    else:
        message.status, message.error, message.applied_at = ("applied" if counts.get("applied") else "ignored"), None, utcnow()
    db.session.commit()
    connections.record_outcome(message.adapter, message.property_id, message.error)
    return message


def _wait_for_source(message: InboxMessage, error: SourceUnavailable) -> InboxMessage:
    """Keep the message received, with when to try again, until the source has been away for
    too many attempts: then it fails and waits for staff to replay it."""
    config = current_app.config
    if message.attempts >= config["GUESTREL_INBOX_MAX_ATTEMPTS"]:
        message.status, message.next_attempt_at = "failed", None
        message.error = _("The source could not be reached after %(count)d attempts: %(error)s",
                          count=message.attempts, error=str(error))
    else:
        delay = retry_delay(message.attempts, config["GUESTREL_RETRY_BASE_SECONDS"],
                            config["GUESTREL_RETRY_CAP_SECONDS"], error.retry_after)
        message.next_attempt_at = utcnow() + timedelta(seconds=delay)
        message.error = _("The source could not be reached; guestrel tries again later: %(error)s", error=str(error))
    db.session.commit()
    return message


def stranded_message_ids(now: datetime, grace: timedelta) -> list[int]:
    """Messages still to process whose job was lost (a worker killed or restarted): received
    longer than `grace` ago with no retry planned, or whose planned retry is `grace` overdue."""
    overdue = now - grace
    return db.session.scalars(sa.select(InboxMessage.id).where(
        InboxMessage.status == "received",
        sa.or_(sa.and_(InboxMessage.next_attempt_at.is_(None), InboxMessage.received_at < overdue),
               InboxMessage.next_attempt_at < overdue),
    ).order_by(InboxMessage.id)).all()


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


def current(message_id: int) -> InboxMessage:
    """The message as stored now, re-read even when this session holds it (a job may have
    processed it meanwhile)."""
    message = db.session.get(InboxMessage, message_id, populate_existing=True)
    if message is None:
        raise NotFoundError(_("There is no inbox message with this id."))
    return message


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
