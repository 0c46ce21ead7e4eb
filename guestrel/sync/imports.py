"""Importing a file another system exported (a legacy CRM's CSV) through a connection of an
import adapter.

The file is stored in the inbox first, as every inbound payload is, and committed; then the
adapter reads it row by row, and each row's events are claimed and applied together or not at
all: a row the adapter or the services refuse leaves nothing behind and is reported with every
field at fault. Events are claimed per (adapter, property, event_id) by the inbox's own code, so
a file imported twice has one effect, and an import that stopped half-way (a worker killed) is
resumed by the inbox's sweep without applying anything twice. Rows are applied in batches, one
transaction each, every row a savepoint of it: a failed row costs a rollback to its savepoint,
not a transaction of its own.

A dry run does all of this inside one transaction that is rolled back at the end, so each row
sees what the rows above it did (a preference for a guest created three rows up) and the report
names exactly the rows the real import would refuse. It stores nothing, the file included: a
dry run asks a question, it delivers nothing, and a stored file is a delivery the inbox would
resume and apply. The whole dry run is one transaction; on SQLite it holds the write lock until
it ends.
"""
import io
import mimetypes
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import one_transaction, refresh_planner_statistics, utcnow
from guestrel.extensions import db
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import ImportAdapter, ImportRow, NormalisedEvent, PayloadError
from guestrel.properties.models import Property
from guestrel.service_errors import GENERAL, InvalidDataError, ServiceError
from guestrel.sync import connections, inbox
from guestrel.sync.models import InboxEvent, InboxMessage

BATCH_ROWS = 100
# The database's statistics are refreshed when the rows imported reach this, then each time
# they double: a handful of times in the largest import.
ANALYZE_FIRST_AT = 1000
# The report's row number for what concerns the file as a whole, and field for what concerns a
# row as a whole.
FILE = 0
ROW = "row"
ERRORS_IN_MESSAGE = 20
FILENAME_MAX_LENGTH = 255


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    """What an import did, or in a dry run would do: rows read (empty ones are not rows),
    imported (something changed), unchanged (nothing new: imported before, or no newer than
    what is stored) and failed, and every error as (row, field, message); row 0 is the file."""

    dry_run: bool
    message_id: int | None = None
    rows_read: int = 0
    rows_imported: int = 0
    rows_unchanged: int = 0
    rows_failed: int = 0
    errors: list = field(default_factory=list)

    def fail(self, row: int, problems):
        if row != FILE:
            self.rows_failed += 1
        self.errors.extend(RowError(row, name, message) for name, message in problems)


class _Source(NamedTuple):
    """The stored file's message as plain values: all that claiming its events needs. The row
    transactions never touch the message through another session."""

    id: int
    adapter: str
    property_id: int


def file_adapter_names() -> frozenset[str]:
    """The installed adapters that import files."""
    return frozenset(name for name, adapter in manager.adapters(current_app).items()
                     if issubclass(adapter, ImportAdapter))


def _import_connection(principal: Principal, connection_id: int) -> connections.ConnectionView:
    view = connections.get_connection(principal, connection_id)
    if view.connection.adapter not in file_adapter_names():
        raise InvalidDataError.general(_("This connection's adapter does not import files."))
    if not view.connection.enabled:
        raise InvalidDataError.general(_("This connection is disabled; enable it to import files."))
    return view


def import_file(principal: Principal, connection_id: int, body: bytes, filename: str | None,
                dry_run: bool = False) -> ImportReport:
    """Import the file `body` (as uploaded) through the connection; see the module's docstring.
    Needs integrations:admin and the connection's hotel."""
    view = _import_connection(principal, connection_id)
    adapter = connections.adapter_instance(view.connection)
    source = inbox.Source(view.connection.adapter, view.property_code)
    filename = (filename or "")[:FILENAME_MAX_LENGTH] or None
    headers = {"Filename": filename} if filename else {}
    content_type = mimetypes.guess_type(filename or "")[0]
    report = ImportReport(dry_run=dry_run)
    if dry_run:
        with one_transaction(db.session, dry_run=True):
            message = inbox.receive(source, content_type, headers, body, origin="file")
            _run(_Source(message.id, message.adapter, message.property_id), view.property_code, adapter, body, report)
        return report
    with one_transaction(db.session):
        message = inbox.receive(source, content_type, headers, body, origin="file")
        audit.record(principal, "create", "inbox_message", message.id, property_id=message.property_id,
                     changes={"filename": [None, filename]})
        stored = _Source(message.id, message.adapter, message.property_id)
    report.message_id = stored.id
    _run(stored, view.property_code, adapter, body, report)
    return report


def resume(message: InboxMessage) -> InboxMessage:
    """Apply a stored file again: the inbox's sweep resuming an import that stopped, or a replay
    once what failed is fixed. What was applied before is unchanged now."""
    stored = _Source(message.id, message.adapter, message.property_id)
    body = message.body
    property_code = db.session.scalar(sa.select(Property.code).where(Property.id == message.property_id))
    connection = connections.find_connection(message.adapter, message.property_id)
    # Each batch waits for the write lock in a transaction of its own.
    db.session.commit()
    report = ImportReport(dry_run=False, message_id=stored.id)
    try:
        if connection is None:
            raise InvalidDataError.general(_("The connection this file came through no longer exists."))
        adapter = connections.adapter_instance(connection)
    except ServiceError as error:
        report.fail(FILE, [("file", error.message)])
        _finish(stored, report)
    else:
        _run(stored, property_code, adapter, body, report)
    db.session.expire(message)
    return message


def _run(stored: _Source, property_code: str, adapter, body: bytes, report: ImportReport):
    _renew_lease(stored, attempt=True)
    rows = _rows(adapter, body, report)
    analyze_at = ANALYZE_FIRST_AT
    # Each batch is read before its transaction begins: a slow reader does not hold the write lock.
    while batch := list(islice(rows, BATCH_ROWS)):
        with one_transaction(db.session):
            _renew_lease(stored)
            claimed = _claimed(stored, batch)
            for row in batch:
                _apply_row(stored, property_code, row, claimed, adapter.field_names, report)
        if report.rows_imported >= analyze_at:
            refresh_planner_statistics(db.session)
            analyze_at = 2 * report.rows_imported
    _finish(stored, report)


def _rows(adapter, body: bytes, report: ImportReport):
    """The adapter's rows. An adapter that fails mid-file, or gives something else than rows,
    ends the reading with an error about the file: the rows it gave before stand."""
    try:
        for row in adapter.read(io.BytesIO(body)):
            if not isinstance(row, ImportRow):
                report.fail(FILE, [("file", _("The adapter gave %(item)r, which is not an ImportRow.", item=row))])
                return
            yield row
    except PayloadError as error:
        report.fail(FILE, [("file", str(error))])
    except Exception as error:
        current_app.logger.exception("Import adapter %s failed while reading", adapter.name)
        report.fail(FILE, [("file", _("The file could not be read further: %(error)s",
                                      error=f"{type(error).__name__}: {error}"))])


def _renew_lease(stored: _Source, attempt: bool = False):
    """While an import runs, its message's next attempt is due now: the inbox's sweep resumes an
    import that made no progress for longer than its grace, i.e. one whose worker died."""
    values = {"next_attempt_at": utcnow()}
    if attempt:
        values["attempts"] = InboxMessage.attempts + 1
    with one_transaction(db.session):
        db.session.execute(sa.update(InboxMessage).where(InboxMessage.id == stored.id).values(**values))


def _claimed(stored: _Source, batch: list[ImportRow]) -> set[str]:
    """The batch's events applied already (by this file or an earlier one), in one query: the
    rows made only of them are unchanged without a transaction of their own."""
    event_ids = {event.event_id for row in batch if not row.errors for event in row.events
                 if isinstance(event, NormalisedEvent)}
    if not event_ids:
        return set()
    return set(db.session.scalars(sa.select(InboxEvent.event_id).where(
        InboxEvent.adapter == stored.adapter, InboxEvent.property_id == stored.property_id,
        InboxEvent.event_id.in_(sorted(event_ids)), InboxEvent.status != "failed",
    )))


def _refusal(error: ServiceError, field_names) -> list[tuple[str, str]]:
    """The service's refusal in the file's terms: each field it names, as the adapter calls it."""
    errors = error.errors or {GENERAL: [error.message]}
    return [(ROW if name == GENERAL else field_names.get(name, name), message)
            for name, messages in errors.items() for message in messages]


def _apply_row(stored: _Source, property_code: str, row: ImportRow, claimed: set, field_names,
               report: ImportReport):
    report.rows_read += 1
    if row.errors:
        report.fail(row.number, [(error.field, error.message) for error in row.errors])
        return
    if not all(isinstance(event, NormalisedEvent) for event in row.events):
        report.fail(row.number, [(ROW, _("The adapter gave something that is not a normalised event."))])
        return
    events = [event for event in row.events if event.event_id not in claimed]
    if not events:
        report.rows_unchanged += 1
        return
    try:
        with one_transaction(db.session):
            statuses = [inbox.claim_and_apply(stored, property_code, event) for event in events]
    except inbox.ClaimedElsewhere:
        report.fail(row.number, [(ROW, _("Another import is applying this row at this moment; "
                                         "import the file again once it has finished."))])
    except ServiceError as error:
        report.fail(row.number, _refusal(error, field_names))
    except Exception as error:
        current_app.logger.exception("Applying row %s of inbox message %s failed", row.number, stored.id)
        report.fail(row.number, [(ROW, f"{type(error).__name__}: {error}")])
    else:
        if "applied" in statuses:
            report.rows_imported += 1
        else:
            report.rows_unchanged += 1


def _summary(report: ImportReport) -> str:
    shown = "; ".join(_("row %(row)d %(field)s: %(message)s", row=error.row, field=error.field,
                        message=error.message) for error in report.errors[:ERRORS_IN_MESSAGE])
    more = len(report.errors) - ERRORS_IN_MESSAGE
    if more > 0:
        shown += " " + _("(and %(count)d more)", count=more)
    return _("%(failed)d of %(read)d rows failed: %(errors)s", failed=report.rows_failed, read=report.rows_read,
             errors=shown)


def _finish(stored: _Source, report: ImportReport):
    """The message ends as the inbox's do: applied (something changed), ignored (nothing new) or
    failed with the errors, and the connection notes the outcome."""
    if report.errors:
        values = {"status": "failed", "error": _summary(report), "applied_at": None}
    else:
        values = {"status": "applied" if report.rows_imported else "ignored", "error": None, "applied_at": utcnow()}
    with one_transaction(db.session):
        db.session.execute(sa.update(InboxMessage).where(InboxMessage.id == stored.id)
                           .values(next_attempt_at=None, **values))
        connections.record_outcome(stored.adapter, stored.property_id, values["error"])
