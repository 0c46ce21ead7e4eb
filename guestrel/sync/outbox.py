"""The outbox: the only code that writes outbox_messages.

What other systems should learn (a guest's active preferences, for the guest's profile in each
PMS that knows the guest) is written by `guest_profile_changed` inside the transaction of the
change it reports, so the change and its outbox row commit together or not at all. A fact still
waiting for the same connection and guest is replaced instead, so a burst of edits sends one.

`deliver_due` hands due facts to their connection's adapter, from a worker: each is claimed
(PostgreSQL: FOR UPDATE SKIP LOCKED, so workers never share one) and pushed outside any
transaction, then its outcome is recorded: delivered; retried after the system's own Retry-After
or after exponential backoff with full jitter; or dead after GUESTREL_OUTBOX_MAX_ATTEMPTS tries
or a permanent refusal, until staff retry it. Facts for one guest and connection go out in the
order they were written, and each adapter's rate limit is kept across all workers.
"""
import math
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import quote, quote_plus

import requests
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests.models import PREFERENCE_PRIORITIES, GuestExternalId, Preference, PreferenceCategory
from guestrel.loyalty import service as loyalty_service
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import DeliveryError, GuestProfileFact, PmsAdapter
from guestrel.properties.models import Property
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError, ServiceError
from guestrel.sync import connections, pacing
from guestrel.sync.backoff import retry_delay
from guestrel.stays.models import Stay
from guestrel.sync.models import OUTBOX_STATUSES, Connection, OutboxMessage

GUEST_PROFILE = "guest_profile"
OPEN = ("pending", "delivering")
# The reservations a PMS still shows for the guest: where notes for the stay belong.
OPEN_STAYS = ("booked", "in_house")
# How long a worker's claim on a message lasts: longer than any push takes, so only a worker that
# died mid-push lets it run out, and the message is due again then.
CLAIM_SECONDS = 600
# A round stops starting pushes after this long, well before the claims it holds run out.
ROUND_SECONDS = CLAIM_SECONDS / 2
# A Retry-After beyond this is a vendor's mistake; it must not park a fact for ever.
RETRY_AFTER_MAX_SECONDS = 7 * 24 * 3600
ERROR_MAX_LENGTH = 2000
LIST_LIMIT_MAX = 500
# Most important first: an allergy (always critical) must not scroll out of a PMS's notes field.
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(reversed(PREFERENCE_PRIORITIES))}


class NotRetryableError(ServiceError):
    """Only a dead message is retried: the others are on their way or delivered."""

    status = 409


@dataclass(frozen=True)
class OutboxItem:
    """A message as admins see it: where it goes (connection, adapter, hotel). The payload,
    guest data, stays in the database."""

    message: OutboxMessage
    connection_name: str
    adapter: str
    property_code: str


@dataclass(frozen=True)
class OutboxPage:
    items: list
    # The id to pass as `after` for the next page, None on the last page.
    next_after: int | None


class _Target(NamedTuple):
    connection_id: int
    property_id: int
    enabled: bool
    external_id: str | None
    reservation_ids: tuple


class _Outcome(NamedTuple):
    delivered: bool
    error: str | None = None
    retry_after: float | None = None
    permanent: bool = False
    # The system as a whole failed (down, timing out, throttling): its other messages wait too.
    system_failed: bool = False


# -- writing facts ----------------------------------------------------------------------------


def _pms_adapters() -> dict:
    return {name: adapter for name, adapter in manager.adapters(current_app).items() if issubclass(adapter, PmsAdapter)}


def _profile_targets(guest_id: int) -> list[_Target]:
    """The PMS connections that know the guest: by an external id of the adapter's name (the
    guest's profile there), or by the guest's current and upcoming reservations at the
    connection's hotel (all that a PMS without guest profiles can write onto)."""
    pms = Connection.adapter.in_(sorted(_pms_adapters()))
    profiles = db.session.execute(
        sa.select(Connection.id, Connection.property_id, Connection.enabled, GuestExternalId.external_id)
        .join(GuestExternalId, GuestExternalId.system == Connection.adapter)
        .where(GuestExternalId.guest_id == guest_id, pms).order_by(Connection.id, GuestExternalId.id)
    ).all()
    reservations = db.session.execute(
        sa.select(Connection.id, Connection.property_id, Connection.enabled, Stay.pms_id)
        .join(Stay, Stay.property_id == Connection.property_id)
        .where(Stay.guest_id == guest_id, Stay.status.in_(OPEN_STAYS), pms)
        .order_by(Connection.id, Stay.arrival, Stay.pms_id)
    ).all()
    connections_known, external_ids, reservation_ids = {}, {}, {}
    for connection_id, property_id, enabled, external_id in profiles:
        connections_known[connection_id] = (property_id, enabled)
        # A guest with two profiles in one PMS (a duplicate there) is written to the first one.
        external_ids.setdefault(connection_id, external_id)
    for connection_id, property_id, enabled, pms_id in reservations:
        connections_known[connection_id] = (property_id, enabled)
        reservation_ids.setdefault(connection_id, []).append(pms_id)
    return [_Target(connection_id, property_id, enabled, external_ids.get(connection_id),
                    tuple(reservation_ids.get(connection_id, ())))
            for connection_id, (property_id, enabled) in sorted(connections_known.items())]


def _preference_texts(guest_id: int, property_ids: set) -> list[tuple[int | None, str]]:
    """(property id or None for the whole chain, text) of the guest's active preferences that
    concern these properties, most important first."""
    rank = sa.case(PRIORITY_RANK, value=Preference.priority)
    rows = db.session.execute(
        sa.select(Preference.property_id, Preference.value, Preference.detail)
        .join(PreferenceCategory, PreferenceCategory.id == Preference.category_id)
        .where(Preference.guest_id == guest_id, Preference.retired_at.is_(None),
               sa.or_(Preference.property_id.is_(None), Preference.property_id.in_(sorted(property_ids))))
        .order_by(rank, PreferenceCategory.sort_order, Preference.id)
    ).all()
    return [(property_id, f"{value} — {detail}" if detail else value) for property_id, value, detail in rows]


def _latest_messages(guest_id: int, connection_ids: list[int]) -> dict[int, OutboxMessage]:
    """The newest message of the guest's profile per connection, locked: a worker claiming it now
    finishes first, and one that comes later sees the replaced payload."""
    newest = (sa.select(sa.func.max(OutboxMessage.id))
              .where(OutboxMessage.guest_id == guest_id, OutboxMessage.kind == GUEST_PROFILE,
                     OutboxMessage.connection_id.in_(connection_ids))
              .group_by(OutboxMessage.connection_id))
    messages = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(newest))
                                  .with_for_update().execution_options(populate_existing=True)).all()
    return {message.connection_id: message for message in messages}


def _payload(fact: GuestProfileFact) -> dict:
    return {**asdict(fact), "reservation_ids": list(fact.reservation_ids), "preferences": list(fact.preferences)}


def _fact(payload: dict) -> GuestProfileFact:
    return GuestProfileFact(**{**payload, "reservation_ids": tuple(payload["reservation_ids"]),
                               "preferences": tuple(payload["preferences"])})


def _same_content(payload: dict, other: dict) -> bool:
    return {**payload, "fact_id": None} == {**other, "fact_id": None}


def guest_profile_changed(guest_id: int):
    """Queue the guest's profile (active preferences for each connection's hotel: the chain's and
    that hotel's own; the guest's id and open reservations there) for every enabled PMS connection
    that knows the guest. Call it inside the transaction of the change, before its commit. Nothing
    is queued for a connection that has (or is sending) exactly this profile already; for a
    disabled one, only a profile still waiting there is brought up to date."""
    targets = _profile_targets(guest_id)
    if not targets:
        return
    texts = _preference_texts(guest_id, {target.property_id for target in targets})
    tier = loyalty_service.tier_of(guest_id)
    latest = _latest_messages(guest_id, [target.connection_id for target in targets])
    changed = []
    for target in targets:
        fact = GuestProfileFact(
            fact_id=uuid.uuid4().hex, guest_external_id=target.external_id, reservation_ids=target.reservation_ids,
            preferences=tuple(text for property_id, text in texts if property_id in (None, target.property_id)),
            tier_code=tier.code if tier is not None else None,
        )
        message = latest.get(target.connection_id)
        waiting = message is not None and message.status == "pending"
        if (target.enabled or waiting) and (message is None or not _same_content(message.payload, _payload(fact))):
            changed.append((target, fact, message))
    if not changed:
        return
    # A dead letter for these connections is out of date now: retrying it would undo the new fact.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.guest_id == guest_id, OutboxMessage.kind == GUEST_PROFILE,
               OutboxMessage.connection_id.in_([target.connection_id for target, *_rest in changed]),
               OutboxMessage.status == "dead")
        .values(status="superseded").execution_options(synchronize_session=False)
    )
    now = utcnow()
    for target, fact, message in changed:
        if message is not None and message.status == "pending":
            # A new fact_id: the replaced payload may have reached the PMS in a try that timed out.
            message.payload, message.fact_id = _payload(fact), fact.fact_id
        else:
            db.session.add(OutboxMessage(
                connection_id=target.connection_id, guest_id=guest_id, kind=GUEST_PROFILE, payload=_payload(fact),
                fact_id=fact.fact_id, status="pending", attempts=0, next_attempt_at=now,
            ))


def guest_merged(survivor_id: int, merged_id: int):
    """The merged guest's outbox history moves to the survivor. What still waited for it is out
    of date (its profile is the survivor's now) and superseded by the survivor's next fact; a
    message a worker is sending now finishes as it is."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.guest_id == merged_id, OutboxMessage.status.in_(("pending", "dead")))
        .values(status="superseded", next_attempt_at=None).execution_options(synchronize_session=False)
    )
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.guest_id == merged_id)
        .values(guest_id=survivor_id).execution_options(synchronize_session=False)
    )


# -- delivering -------------------------------------------------------------------------------


def _note_waiting(adapters: dict):
    """Messages of disabled connections, or of adapters no longer installed, wait (they are not
    tried, so they never die of it); they say why."""
    reasons = (
        (sa.select(Connection.id).where(Connection.enabled.is_(False)),
         _("The connection is disabled; this waits until it is enabled again.")),
        (sa.select(Connection.id).where(Connection.enabled.is_(True), Connection.adapter.not_in(sorted(adapters))),
         _("The connection's adapter is not installed; this waits until it is.")),
    )
    for connection_ids, reason in reasons:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.connection_id.in_(connection_ids),
                   sa.or_(OutboxMessage.last_error.is_(None), OutboxMessage.last_error != reason))
            .values(last_error=reason).execution_options(synchronize_session=False)
        )
    db.session.commit()


def _due(now: datetime):
    return sa.and_(OutboxMessage.status.in_(OPEN), OutboxMessage.next_attempt_at <= now)


def _due_connections(now: datetime, adapters: dict) -> list[Connection]:
    """Enabled connections with installed adapters that have due messages, longest waiting first."""
    return db.session.scalars(
        sa.select(Connection).join(OutboxMessage, OutboxMessage.connection_id == Connection.id)
        .where(_due(now), Connection.enabled.is_(True), Connection.adapter.in_(sorted(adapters)))
        .group_by(Connection.id).order_by(sa.func.min(OutboxMessage.next_attempt_at), Connection.id)
    ).all()


def _claim(connection: Connection, adapter_class, wanted: int, now: datetime) -> list[OutboxMessage]:
    """Mark up to `wanted` due messages of the connection as delivering, no more than its vendor's
    request limit has room for now (counted by every worker, see guestrel.sync.pacing)."""
    room = pacing.room_left(adapter_class, connection.id)
    if room is not None:
        wanted = min(wanted, room)
    if wanted <= 0:
        db.session.commit()
        return []
    earlier = aliased(OutboxMessage)
    # Facts about one guest for one connection go out in order: a newer one waits for the older.
    earlier_open = sa.exists().where(
        earlier.connection_id == OutboxMessage.connection_id, earlier.guest_id == OutboxMessage.guest_id,
        earlier.kind == OutboxMessage.kind, earlier.id < OutboxMessage.id, earlier.status.in_(OPEN),
    )
    chosen = (sa.select(OutboxMessage.id)
              .where(OutboxMessage.connection_id == connection.id, _due(now), ~earlier_open)
              .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(wanted)
              .with_for_update(skip_locked=True, of=OutboxMessage))
    ids = db.session.scalars(
        sa.update(OutboxMessage).where(OutboxMessage.id.in_(chosen))
        .values(status="delivering", next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(OutboxMessage.id).execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                              .order_by(OutboxMessage.id).execution_options(populate_existing=True)).all()


def _redact(text: str, secrets: list[str]) -> str:
    """The error without the connection's secret values, however a URL may have quoted them."""
    for secret in secrets:
        for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
            text = text.replace(form, "***")
    return text[:ERROR_MAX_LENGTH]


def _retry_after(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return min(max(0.0, float(value)), RETRY_AFTER_MAX_SECONDS)


def _attempt(adapter, message: OutboxMessage, secrets: list[str]) -> _Outcome:
    try:
        adapter.push(_fact(message.payload))
    except DeliveryError as error:
        return _Outcome(False, _redact(str(error), secrets), _retry_after(error.retry_after), error.permanent,
                        system_failed=not error.permanent)
    except requests.RequestException as error:
        return _Outcome(False, _redact(f"{type(error).__name__}: {error}", secrets), system_failed=True)
    except Exception as error:
        # A bug in the adapter; its message may quote settings, so the log names only the type.
        current_app.logger.warning("push of outbox message %s failed: %s", message.id, type(error).__name__)
        return _Outcome(False, _redact(f"{type(error).__name__}: {error}", secrets))
    return _Outcome(True)


def _newer_open():
    """True for a message that a newer, undelivered fact about the same guest for the same
    connection has overtaken."""
    newer = aliased(OutboxMessage)
    return sa.exists().where(
        newer.connection_id == OutboxMessage.connection_id, newer.guest_id == OutboxMessage.guest_id,
        newer.kind == OutboxMessage.kind, newer.id > OutboxMessage.id, newer.status.in_(OPEN),
    )


def _record(connection: Connection, message: OutboxMessage, outcome: _Outcome, now: datetime):
    attempts = message.attempts + 1
    values = {"attempts": attempts, "last_error": outcome.error}
    if outcome.delivered:
        values |= {"status": "delivered", "delivered_at": now, "next_attempt_at": None}
        # The guest's data left guestrel: the trail says to which system, and which fact.
        audit.record(None, "export", "outbox_message", message.id, guest_id=message.guest_id,
                     property_id=connection.property_id,
                     changes={"connection_id": [None, connection.id], "fact_id": [None, message.fact_id]})
    else:
        config = current_app.config
        if outcome.permanent or attempts >= config["GUESTREL_OUTBOX_MAX_ATTEMPTS"]:
            status, next_attempt_at = "dead", None
        else:
            status = "pending"
            next_attempt_at = now + timedelta(seconds=retry_delay(
                attempts, config["GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS"], config["GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS"],
                outcome.retry_after))
        # A newer fact for the guest replaces this one rather than wait behind its retries.
        values |= {"status": sa.case((_newer_open(), "superseded"), else_=status), "next_attempt_at": next_attempt_at}
    db.session.execute(sa.update(OutboxMessage)
                       .where(OutboxMessage.id == message.id, OutboxMessage.status == "delivering")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _release(messages: list[OutboxMessage], next_attempt_at: datetime, error: str | None = None):
    """Hand claimed messages back untried: they keep their attempts and are due at next_attempt_at."""
    if not messages:
        return
    values = {"status": "pending", "next_attempt_at": next_attempt_at}
    if error is not None:
        values["last_error"] = error
    db.session.execute(sa.update(OutboxMessage)
                       .where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.status == "delivering")
                       .values(**values).execution_options(synchronize_session=False))
    db.session.commit()


def _push_all(connection: Connection, messages: list[OutboxMessage], now: datetime, deadline: float) -> int:
    """Push the claimed messages one by one; returns how many were tried. When the system itself
    fails, the rest wait for the next round (after its Retry-After when it gave one) instead of
    each waiting for the same timeout."""
    if not messages:
        return 0
    try:
        adapter = connections.adapter_instance(connection)
    except Exception as error:
        _release(messages, now, _("The adapter could not be set up: %(error)s", error=type(error).__name__))
        return 0
    secrets = [str(value) for name, value in adapter.settings.items() if name in adapter.secret_settings and value]
    for index, message in enumerate(messages):
        if time.monotonic() > deadline:
            _release(messages[index:], now)
            return index
        outcome = _attempt(adapter, message, secrets)
        _record(connection, message, outcome, now)
        if outcome.system_failed:
            _release(messages[index + 1:], now + timedelta(seconds=outcome.retry_after or 0))
            return index + 1
    return len(messages)


def deliver_due(now: datetime | None = None, limit: int = 100) -> int:
    """One delivery round, for a periodic job or the CLI: push up to `limit` due messages, shared
    among the connections that have some, and record each outcome. Returns how many were tried.
    `now` (aware) stands for the current time in every decision, so tests need not sleep."""
    now = now or utcnow()
    adapters = _pms_adapters()
    _note_waiting(adapters)
    due = _due_connections(now, adapters)
    if not due:
        return 0
    share = max(1, math.ceil(limit / len(due)))
    deadline = time.monotonic() + ROUND_SECONDS
    tried = 0
    for connection in due:
        if tried >= limit or time.monotonic() > deadline:
            break
        claimed = _claim(connection, adapters[connection.adapter], min(share, limit - tried), now)
        tried += _push_all(connection, claimed, now, deadline)
    return tried


# -- staff ------------------------------------------------------------------------------------


def _require(principal: Principal | None):
    if principal is None or not principal.can("integrations:admin"):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def _items(query) -> sa.Select:
    return (query.join(Connection, Connection.id == OutboxMessage.connection_id)
            .join(Property, Property.id == Connection.property_id))


def list_messages(principal: Principal, *, status: str | None = None, limit: int = 100,
                  after: int | None = None) -> OutboxPage:
    """The messages for the covered hotels' connections, oldest first, a page at a time."""
    _require(principal)
    if not 1 <= limit <= LIST_LIMIT_MAX:
        raise InvalidDataError({"limit": [_("Ask for 1 to %(max)d messages.", max=LIST_LIMIT_MAX)]})
    if status is not None and status not in OUTBOX_STATUSES:
        raise InvalidDataError({"status": [_("Choose one of: %(choices)s.", choices=", ".join(OUTBOX_STATUSES))]})
    query = _items(sa.select(OutboxMessage, Connection.name, Connection.adapter, Property.code))
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if principal.property_ids is not None:
        query = query.where(Connection.property_id.in_(sorted(principal.property_ids)))
    if after is not None:
        query = query.where(OutboxMessage.id > after)
    rows = db.session.execute(query.order_by(OutboxMessage.id).limit(limit + 1)).all()
    items = [OutboxItem(*row) for row in rows[:limit]]
    return OutboxPage(items=items, next_after=items[-1].message.id if len(rows) > limit else None)


def retry(principal: Principal, message_id: int) -> OutboxItem:
    """Send a dead message again from now on, with its tries counted afresh. One that a newer fact
    about the guest has overtaken is marked superseded instead: sending it would undo that fact."""
    _require(principal)
    row = db.session.execute(
        _items(sa.select(OutboxMessage, Connection.name, Connection.adapter, Property.code, Connection.property_id))
        .where(OutboxMessage.id == message_id)
    ).first()
    if row is None or not principal.covers_property(row.property_id):
        raise NotFoundError(_("There is no outbox message with this id."))
    message = row.OutboxMessage
    if message.status != "dead":
        raise NotRetryableError(_("Only a dead message can be retried; this one is %(status)s.",
                                  status=message.status))
    before = audit.snapshot(message, ("status", "attempts"))
    if db.session.scalar(sa.select(OutboxMessage.id).where(OutboxMessage.id == message.id, _newer_open())):
        message.status, message.next_attempt_at = "superseded", None
    else:
        message.status, message.attempts, message.next_attempt_at = "pending", 0, utcnow()
    audit.record(principal, "update", "outbox_message", message.id, guest_id=message.guest_id,
                 property_id=row.property_id, changes=audit.diff(before, audit.snapshot(message, ("status", "attempts"))))
    db.session.commit()
    return OutboxItem(message, row.name, row.adapter, row.code)
