"""`flask --app wsgi guestrel inbox ...`: look at the inbox and replay what failed;
`... guestrel outbox ...`: run a delivery round, look at the outbox and retry dead letters;
`... guestrel poll ID`: poll a connection now, without the worker;
`... guestrel import ID FILE`: import a file through an import connection."""
import os
from contextlib import contextmanager
from datetime import datetime

import click
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext

from guestrel.auth.service import OPERATOR
from guestrel.service_errors import ServiceError
from guestrel.sync import imports, inbox, outbox, polling
from guestrel.sync.models import OUTBOX_STATUSES

inbox_cli = AppGroup("inbox", help="The sync inbox: inbound payloads and their events.")


@contextmanager
def _refusals():
    """A service's refusal ends the command with its message and exit status 1."""
    try:
        yield
    except ServiceError as error:
        raise click.ClickException(error.message) from error


def _echo_row(*fields):
    """One tab-separated line for scripts: times to the second, nothing for a missing value."""
    click.echo("\t".join("" if value is None else f"{value:%Y-%m-%d %H:%M:%S}" if isinstance(value, datetime)
                         else str(value) for value in fields))


def _counts(summary: inbox.MessageSummary) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(summary.event_counts.items())) or "-"


@inbox_cli.command("list")
@click.option("--failed", "failed_only", is_flag=True, help="Only messages that failed to parse or apply.")
@click.option("--limit", default=100, show_default=True)
def list_command(failed_only, limit):
    """The latest inbound messages, newest first."""
    with _refusals():
        summaries = inbox.list_messages(OPERATOR, failed_only=failed_only, limit=limit)
    if not summaries:
        click.echo(_("The inbox holds no such messages."))
    for summary in summaries:
        message = summary.message
        _echo_row(message.id, message.received_at, message.adapter, summary.property_code, message.status,
                  _counts(summary), message.error)


@inbox_cli.command("replay")
@click.argument("message_id", type=int)
def replay_command(message_id):
    """Process a failed message again, after the adapter or the data was fixed."""
    with _refusals():
        message = inbox.replay(OPERATOR, message_id)
    click.echo(_("Message %(id)d is now %(status)s.", id=message.id, status=message.status))
    for event in inbox.events_of(message.id):
        if event.status == "failed":
            click.echo(f"{event.event_id}\t{event.kind}\t{event.error}")
    if message.status == "failed":
        raise click.ClickException(message.error)


outbox_cli = AppGroup("outbox", help="The sync outbox: facts for PMSs and their deliveries.")


@outbox_cli.command("deliver")
@click.option("--limit", default=100, show_default=True, help="Most messages to try in this round.")
def deliver_command(limit):
    """Try the messages that are due now, as the periodic job does."""
    tried = outbox.deliver_due(limit=limit)
    click.echo(ngettext("%(num)d message tried.", "%(num)d messages tried.", tried))


@outbox_cli.command("list")
@click.option("--status", type=click.Choice(OUTBOX_STATUSES), help="Only messages in this state.")
@click.option("--limit", default=100, show_default=True)
def outbox_list_command(status, limit):
    """Outbox messages, oldest first: id, written, adapter, hotel, guest, status, attempts, next
    attempt, last error."""
    with _refusals():
        page = outbox.list_messages(OPERATOR, status=status, limit=limit)
    if not page.items:
        click.echo(_("The outbox holds no such messages."))
    for item in page.items:
        message = item.message
        _echo_row(message.id, message.created_at, item.adapter, item.property_code, message.guest_id, message.status,
                  message.attempts, message.next_attempt_at, message.last_error)


@outbox_cli.command("retry")
@click.argument("message_id", type=int)
def retry_command(message_id):
    """Try a dead message again, after the cause was fixed."""
    with _refusals():
        item = outbox.retry(OPERATOR, message_id)
    click.echo(_("Message %(id)d is now %(status)s.", id=item.message.id, status=item.message.status))


@click.command("poll")
@click.argument("connection_id", type=int)
def poll_command(connection_id):
    """Poll a connection now, page after page until caught up, applying each page as it comes:
    to try a PMS connection, or to fill the demo, without the worker."""
    pages = 0
    while True:
        outcome = polling.poll_connection(connection_id)
        if outcome.error:
            raise click.ClickException(outcome.error)
        if outcome.message_id is not None:
            message = inbox.process(outcome.message_id)
            pages += 1
            click.echo(f"{message.id}\t{message.status}\t{message.error or ''}")
        if not outcome.more:
            break
    click.echo(_("Connection %(id)d is caught up; %(pages)d pages were stored.", id=connection_id, pages=pages))


@click.command("import")
@click.argument("connection_id", type=int)
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Report what the import would do and every bad row; write nothing.")
def import_command(connection_id, file, dry_run):
    """Import FILE (a legacy system's export) through the import connection CONNECTION_ID and
    print the report: the counts, then each error as row, field and message (row 0 is the file).
    The exit status is 1 when a row or the file has errors."""
    try:
        report = imports.import_file(OPERATOR, connection_id, file.read(), os.path.basename(file.name), dry_run=dry_run)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
    click.echo(_("Rows read %(read)d, imported %(imported)d, unchanged %(unchanged)d, failed %(failed)d.",
                 read=report.rows_read, imported=report.rows_imported, unchanged=report.rows_unchanged,
                 failed=report.rows_failed))
    for error in report.errors:
        click.echo(f"{error.row}\t{error.field}\t{error.message}")
    if report.errors:
        raise click.exceptions.Exit(1)
