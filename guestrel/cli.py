"""Commands for operators and scripts: `flask --app wsgi guestrel ...`."""
import os

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from guestrel import jobs
from guestrel.auth import service as auth_service
from guestrel.auth.permissions import SCOPES
from guestrel.service_errors import ServiceError
from guestrel.sync.cli import import_command, inbox_cli, outbox_cli, poll_command

guestrel_cli = AppGroup("guestrel", help="guestrel administration.")
guestrel_cli.add_command(inbox_cli)
guestrel_cli.add_command(outbox_cli)
guestrel_cli.add_command(poll_command)
guestrel_cli.add_command(import_command)


@guestrel_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Administrator", show_default=True)
def create_admin(email, name):
    """Create an admin. The password comes from GUESTREL_ADMIN_PASSWORD or a prompt."""
    password = os.environ.get("GUESTREL_ADMIN_PASSWORD") or click.prompt(
        _("Password"), hide_input=True, confirmation_prompt=True
    )
    try:
        staff = auth_service.create_staff(
            email=email, name=name, password=password, role="admin", principal=auth_service.OPERATOR
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(_("Admin %(email)s created.", email=staff.email))


@guestrel_cli.command("create-api-client")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES))
@click.option("--property", "property_codes", multiple=True, help="Property code; none means the whole chain.")
def create_api_client(name, scopes, property_codes):
    """Create an API client and print its key, once."""
    try:
        client, key = auth_service.create_api_client(
            name=name,
            scopes=scopes,
            properties=auth_service.properties_by_code(property_codes),
            principal=auth_service.OPERATOR,
        )
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(_("API client %(name)s created. Its key, shown only this once:", name=client.name))
    click.echo(key)


@guestrel_cli.command("seed-demo")
@click.option("--guests", default=300, show_default=True, help="How many demo guests to create.")
def seed_demo(guests):
    """Create the demo chain, staff and guests, unless they exist already."""
    from guestrel import demo

    for line in demo.seed(guest_count=guests):
        click.echo(line)


@guestrel_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at once by this worker.")
def worker(threads):
    """Run background jobs (inbound payloads, polls, deliveries, sweeps) until stopped."""
    jobs.run_worker(current_app._get_current_object(), threads)


def init_app(app):
    app.cli.add_command(guestrel_cli)
