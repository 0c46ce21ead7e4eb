"""`flask --app wsgi guestrel inbox ...`: look at the inbox and replay what failed."""
import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from guestrel.auth.service import OPERATOR
from guestrel.service_errors import ServiceError
from guestrel.sync import inbox

inbox_cli = AppGroup("inbox", help="The sync inbox: inbound payloads and their events.")


def _counts(summary: inbox.MessageSummary) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(summary.event_counts.items())) or "-"


@inbox_cli.command("list")
@click.option("--failed", "failed_only", is_flag=True, help="Only messages that failed to parse or apply.")
@click.option("--limit", default=100, show_default=True)
def list_command(failed_only, limit):
    """The latest inbound messages, newest first."""
    try:
        summaries = inbox.list_messages(OPERATOR, failed_only=failed_only, limit=limit)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    if not summaries:
        click.echo(_("The inbox holds no such messages."))
    for summary in summaries:
        message = summary.message
        click.echo(f"{message.id}\t{message.received_at:%Y-%m-%d %H:%M:%S}\t{message.adapter}\t{summary.property_code}"
                   f"\t{message.status}\t{_counts(summary)}\t{message.error or ''}")


@inbox_cli.command("replay")
@click.argument("message_id", type=int)
def replay_command(message_id):
    """Process a failed message again, after the adapter or the data was fixed."""
    try:
        message = inbox.replay(OPERATOR, message_id)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(_("Message %(id)d is now %(status)s.", id=message.id, status=message.status))
    for event in inbox.events_of(message.id):
        if event.status == "failed":
            click.echo(f"{event.event_id}\t{event.kind}\t{event.error}")
    if message.status == "failed":
        raise click.ClickException(message.error)
