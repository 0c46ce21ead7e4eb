"""Polling PMSs: which connections are due, and one page of one connection.

The page is stored in the inbox before the connection's cursor moves, so a worker that dies in
between polls the same page again (its events are duplicates then) and nothing is skipped.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import PmsAdapter, PollResult, SourceUnavailable
from guestrel.properties.models import Property
from guestrel.sync import connections, inbox
from guestrel.sync.models import Connection

POLL_HEADERS = {"X-Guestrel-Origin": "poll"}


@dataclass(frozen=True)
class PollOutcome:
    """What one poll did: the inbox message it stored (None when nothing was new or the PMS
    was away), whether another page can be fetched at once, and the error if it failed."""

    message_id: int | None
    more: bool
    error: str | None = None


def _polled_adapters() -> dict[str, float]:
    """The installed PMS adapters that are polled, with their intervals in seconds."""
    return {name: adapter.poll_interval for name, adapter in manager.adapters(current_app).items()
            if issubclass(adapter, PmsAdapter) and adapter.poll_interval}


def claim_due_connections(now: datetime) -> list[int]:
    """The enabled connections of polled adapters whose interval has passed since their last
    poll (and whose PMS's Retry-After, if it gave one, has passed too), marked as polled now in
    the same statement: a scheduler on every worker host may ask
    at once, and each connection is handed to one of them."""
    intervals = _polled_adapters()
    if not intervals:
        return []
    due = sa.or_(*(
        sa.and_(Connection.adapter == adapter, sa.or_(Connection.last_polled_at.is_(None),
                                                      Connection.last_polled_at <= now - timedelta(seconds=seconds)))
        for adapter, seconds in sorted(intervals.items())
    ))
    allowed = sa.or_(Connection.poll_after.is_(None), Connection.poll_after <= now)
    ids = db.session.scalars(sa.update(Connection).where(Connection.enabled.is_(True), due, allowed)
                             .values(last_polled_at=now).returning(Connection.id)).all()
    db.session.commit()
    return sorted(ids)


def _record(connection_id: int, **values):
    db.session.execute(sa.update(Connection).where(Connection.id == connection_id).values(**values))
    db.session.commit()


def poll_connection(connection_id: int) -> PollOutcome:
    """Fetch the next page of the connection's PMS, store it in the inbox, then move the cursor."""
    row = db.session.execute(sa.select(Connection, Property.code).join(Property, Property.id == Connection.property_id)
                             .where(Connection.id == connection_id, Connection.enabled.is_(True))).first()
    if row is None:
        return PollOutcome(None, False, _("There is no enabled connection with this id."))
    connection, property_code = row
    cursor = connection.cursor
    now = utcnow()
    try:
        result = connections.adapter_instance(connection).poll(cursor)
        if not isinstance(result, PollResult) or not (result.body is None or isinstance(result.body, bytes)):
            raise TypeError(_("The adapter's poll returned %(result)r instead of a PollResult with bytes.",
                              result=result))
    except SourceUnavailable as error:
        message = _("The PMS could not be reached: %(error)s", error=str(error))
        poll_after = now + timedelta(seconds=error.retry_after) if error.retry_after else None
        _record(connection_id, last_error=message, poll_after=poll_after)
        return PollOutcome(None, False, message)
    except Exception as error:
        current_app.logger.exception("Polling connection %s failed", connection_id)
        message = _("Polling failed: %(error)s", error=f"{type(error).__name__}: {error}")
        _record(connection_id, last_error=message)
        return PollOutcome(None, False, message)
    message_id = None
    if result.body is not None:
        message_id = inbox.receive(inbox.Source(connection.adapter, property_code), "application/octet-stream",
                                   POLL_HEADERS, result.body, origin="poll").id
    _record(connection_id, cursor=result.cursor, last_polled_at=now, last_success_at=now, last_error=None,
            poll_after=None)
    return PollOutcome(message_id, bool(result.more))
