"""Connections: the only code that writes the connections table.

An admin (integrations:admin) configures an adapter for a property. The settings are checked
with the adapter's own marshmallow schema; those the adapter names secret are encrypted (see
secret_box) and never handed back: a reader learns only which secrets are set. An update that
leaves a secret out keeps the stored one, since the admin cannot see it to send it again.
"""
import secrets
from dataclasses import dataclass, field

import marshmallow
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.audit import service as audit
from guestrel.database import utcnow
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import ConnectionCheck
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import (
    ConflictError, DuplicateError, InvalidDataError, NotFoundError, PermissionDeniedError,
)
from guestrel.sync import pacing, secret_box
from guestrel.sync.models import Connection, InboxMessage

NAME_MAX_LENGTH = 200
AUDITED_FIELDS = ("adapter", "property_id", "name", "settings", "enabled")


@dataclass(frozen=True)
class ConnectionView:
    """A connection as readers see it: no secret values, only the names of those set."""

    connection: Connection
    property_code: str
    secrets_set: list
    inbox_counts: dict = field(default_factory=dict)

    @property
    def inbound_path(self) -> str:
        return f"/inbound/{self.connection.id}/{self.connection.inbound_token}"


@dataclass(frozen=True)
class InboundTarget:
    """What the inbound endpoint needs of an enabled connection: the connection, its hotel's code,
    its adapter class and its decrypted secrets (to check signatures; never shown)."""

    connection: Connection
    property_code: str
    adapter: type
    secrets: dict


def _require(principal: Principal | None, property_id: int | None = None):
    if principal is None or not principal.can("integrations:admin"):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    if property_id is not None and not principal.covers_property(property_id):
        raise PermissionDeniedError(_("You may only configure connections of your own hotels."))


def installed_adapters() -> dict:
    """The installed adapter classes by name, sorted by name."""
    return dict(sorted(manager.adapters(current_app).items()))


def adapter_class(name):
    """The installed adapter class `name`; InvalidDataError naming the field when there is none."""
    adapter = manager.adapters(current_app).get(name) if isinstance(name, str) else None
    if adapter is None:
        raise InvalidDataError({"adapter": [_("No installed adapter is named %(name)s.", name=name)]})
    return adapter


def _validated_settings(adapter, settings) -> tuple[dict, dict]:
    """(plain settings, secret settings) as the adapter's schema loads them."""
    if not isinstance(settings, dict):
        raise InvalidDataError({"settings": [_("Give the settings as an object.")]})
    try:
        loaded = adapter.settings_schema().load(settings)
    except marshmallow.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
        raise InvalidDataError({f"settings.{name}": [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                                for name, msgs in messages.items()}) from error
    # What the schema dumps is JSON-safe (a URL, a date as text) whatever its fields load into.
    dumped = adapter.settings_schema().dump(loaded)
    secret = {name: value for name, value in dumped.items() if name in adapter.secret_settings}
    plain = {name: value for name, value in dumped.items() if name not in adapter.secret_settings}
    return plain, secret


def _clean_name(value) -> str:
    name = value.strip() if isinstance(value, str) else ""
    if not name or len(name) > NAME_MAX_LENGTH:
        raise InvalidDataError({"name": [_("Enter a name of 1 to %(max)d characters.", max=NAME_MAX_LENGTH)]})
    return name


def _clean_enabled(value) -> bool:
    if not isinstance(value, bool):
        raise InvalidDataError({"enabled": [_("Give true or false.")]})
    return value


def _save(principal, connection, action, before):
    try:
        db.session.flush()
        audit.record(principal, action, "connection", connection.id, property_id=connection.property_id,
                     changes=audit.diff(before, audit.snapshot(connection, AUDITED_FIELDS)))
        db.session.commit()
    except sa.exc.IntegrityError as error:
        db.session.rollback()
        raise DuplicateError(_("This hotel has a connection to this adapter already."), field="adapter") from error
    except BaseException:
        db.session.rollback()
        raise


def create_connection(principal: Principal, data: dict) -> ConnectionView:
    """A new connection from adapter, property_code, name, settings and optionally enabled."""
    _require(principal)
    adapter = adapter_class(data.get("adapter"))
    prop = property_service.get_by_codes([data.get("property_code") or ""])[0]
    _require(principal, prop.id)
    plain, secret = _validated_settings(adapter, data.get("settings") or {})
    connection = Connection(
        adapter=adapter.name, property_id=prop.id, name=_clean_name(data.get("name")), settings=plain,
        secrets=secret_box.encrypt(secret), enabled=_clean_enabled(data.get("enabled", True)),
        inbound_token=secrets.token_urlsafe(32),
    )
    db.session.add(connection)
    _save(principal, connection, "create", {})
    return _views([connection])[0]


CONNECTION_CHANGED = _l("This connection was changed by someone else since you read it. Read it again and redo "
                        "your change.")


def update_connection(principal: Principal, connection_id: int, changes: dict, *,
                      expected_version: int | None = None) -> ConnectionView:
    """Change name, enabled or settings; settings are merged into the stored ones and checked
    whole. With `expected_version` (what an admin read), a connection changed since is refused."""
    connection = _load(principal, connection_id)
    if expected_version is not None and expected_version != connection.version:
        raise ConflictError(str(CONNECTION_CHANGED))
    unknown = set(changes) - {"name", "enabled", "settings"}
    if unknown:
        raise InvalidDataError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    before = audit.snapshot(connection, AUDITED_FIELDS)
    if "name" in changes:
        connection.name = _clean_name(changes["name"])
    if "enabled" in changes:
        connection.enabled = _clean_enabled(changes["enabled"])
    if "settings" in changes:
        if not isinstance(changes["settings"], dict):
            raise InvalidDataError({"settings": [_("Give the settings as an object.")]})
        adapter = adapter_class(connection.adapter)
        merged = {**connection.settings, **secret_box.decrypt(connection.secrets), **changes["settings"]}
        connection.settings, secret = _validated_settings(adapter, merged)
        connection.secrets = secret_box.encrypt(secret)
    connection.version += 1
    _save(principal, connection, "update", before)
    return _views([connection])[0]


def _load(principal: Principal, connection_id: int) -> Connection:
    _require(principal)
    connection = db.session.get(Connection, connection_id)
    if connection is None or not principal.covers_property(connection.property_id):
        raise NotFoundError(_("There is no connection with this id."))
    return connection


def get_connection(principal: Principal, connection_id: int) -> ConnectionView:
    return _views([_load(principal, connection_id)])[0]


def list_connections(principal: Principal) -> list[ConnectionView]:
    _require(principal)
    query = sa.select(Connection)
    if principal.property_ids is not None:
        query = query.where(Connection.property_id.in_(sorted(principal.property_ids)))
    return _views(db.session.scalars(query.order_by(Connection.id)).all())


def _views(connections) -> list[ConnectionView]:
    """The connections with their property codes and inbox counts by status, in two queries."""
    if not connections:
        return []
    ids = [c.id for c in connections]
    codes = dict(db.session.execute(
        sa.select(Connection.id, Property.code).join(Property, Property.id == Connection.property_id)
        .where(Connection.id.in_(ids))).all())
    counts = {}
    grouped = db.session.execute(
        sa.select(Connection.id, InboxMessage.status, sa.func.count(InboxMessage.id))
        .join(InboxMessage, sa.and_(InboxMessage.adapter == Connection.adapter,
                                    InboxMessage.property_id == Connection.property_id))
        .where(Connection.id.in_(ids)).group_by(Connection.id, InboxMessage.status)
    ).all()
    for connection_id, status, count in grouped:
        counts.setdefault(connection_id, {})[status] = count
    return [ConnectionView(c, codes[c.id], sorted(secret_box.decrypt(c.secrets)), counts.get(c.id, {}))
            for c in connections]


def adapter_instance(connection: Connection):
    """An adapter for `connection`: its class, with the stored settings and decrypted secrets and
    a session with timeouts, paced to the vendor's limit. Raises InvalidDataError when the
    adapter is no longer installed."""
    adapter = adapter_class(connection.adapter)
    return adapter({**connection.settings, **secret_box.decrypt(connection.secrets)},
                   pacing.session_for(adapter, connection.id))


def find_connection(adapter: str, property_id: int) -> Connection | None:
    """The connection of `adapter` for the property, whatever its state: payloads stored while it
    was enabled are still processed with its settings."""
    return db.session.scalar(sa.select(Connection).where(Connection.adapter == adapter,
                                                         Connection.property_id == property_id))


def check_connection(principal: Principal, connection_id: int) -> ConnectionCheck:
    """Run the adapter's check_connection() with the stored settings; a crash is a failed check."""
    connection = _load(principal, connection_id)
    try:
        result = adapter_instance(connection).check_connection()
    except Exception as error:
        current_app.logger.warning("check_connection of connection %s failed: %s", connection.id,
                                   type(error).__name__)
        return ConnectionCheck(False, _("The adapter failed while checking: %(error)s", error=type(error).__name__))
    if not isinstance(result, ConnectionCheck):
        return ConnectionCheck(False, _("The adapter gave no answer guestrel understands."))
    return result


def inbound_target(connection_id: int) -> InboundTarget | None:
    """The enabled connection `connection_id` for the inbound endpoint, which authenticates the
    sender itself; None when there is none or it is disabled (or its adapter is not installed)."""
    row = db.session.execute(
        sa.select(Connection, Property.code).join(Property, Property.id == Connection.property_id)
        .where(Connection.id == connection_id, Connection.enabled.is_(True))
    ).first()
    if row is None:
        return None
    connection, code = row
    adapter = manager.adapters(current_app).get(connection.adapter)
    if adapter is None:
        return None
    return InboundTarget(connection, code, adapter, secret_box.decrypt(connection.secrets))


def record_outcome(adapter: str, property_id: int, error: str | None):
    """Note on the source's connection how its latest payload ended: a success, or the error."""
    values = {"last_error": error} if error else {"last_success_at": utcnow(), "last_error": None}
    db.session.execute(sa.update(Connection).where(Connection.adapter == adapter, Connection.property_id == property_id)
                       .values(**values))
    db.session.commit()
