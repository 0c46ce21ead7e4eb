import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db

MESSAGE_STATUSES = ("received", "applied", "failed", "ignored")
EVENT_STATUSES = ("applying", "applied", "failed", "ignored")


class InboxMessage(db.Model):
    """One inbound payload exactly as it arrived (a webhook body, a polled page, an uploaded
    file), stored before anything reads it so that nothing a PMS sends is lost. Its source is
    the adapter that understands it and the property it is for."""

    __tablename__ = "inbox_messages"
    __table_args__ = (
        # Per source, which is per connection: a sender's retry of a delivery is stored once.
        sa.UniqueConstraint("adapter", "property_id", "delivery_id", name="uq_inbox_messages_source_delivery_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    adapter: Mapped[str] = mapped_column(sa.String(40))
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    received_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    content_type: Mapped[str | None] = mapped_column(sa.String(200))
    # Without credentials (Authorization, cookies, tokens): the inbox is shown to admins.
    headers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    body: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The sender's id of the delivery, when it gives one (a webhook's delivery header).
    delivery_id: Mapped[str | None] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(
        sa.Enum(*MESSAGE_STATUSES, name="inbox_message_status", native_enum=False, create_constraint=True, length=20),
        default="received", index=True,
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    attempts: Mapped[int] = mapped_column(default=0)
    applied_at: Mapped[object | None] = mapped_column(UTCDateTime)


class InboxEvent(db.Model):
    """One normalised event of a message. The unique (adapter, property, event_id) is what makes
    an event delivered twice, in one payload or in two, have one effect."""

    __tablename__ = "inbox_events"
    __table_args__ = (
        sa.UniqueConstraint("adapter", "property_id", "event_id", name="uq_inbox_events_source_event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(sa.ForeignKey("inbox_messages.id"), index=True)
    adapter: Mapped[str] = mapped_column(sa.String(40))
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    event_id: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(
        sa.Enum(*EVENT_STATUSES, name="inbox_event_status", native_enum=False, create_constraint=True, length=20),
        index=True,
    )
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    applied_at: Mapped[object | None] = mapped_column(UTCDateTime)


class Connection(db.Model):
    """One configured instance of an adapter for one property. `settings` holds what may be
    shown; the adapter's secret settings are in `secrets`, a Fernet token (see
    guestrel.sync.secrets), so a database dump does not give away a PMS's keys. One connection
    per adapter and property: the inbox names its source the same way."""

    __tablename__ = "connections"
    __table_args__ = (
        sa.UniqueConstraint("adapter", "property_id", name="uq_connections_adapter_property"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    adapter: Mapped[str] = mapped_column(sa.String(40))
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    settings: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    secrets: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    enabled: Mapped[bool] = mapped_column(default=True)
    cursor: Mapped[dict | None] = mapped_column(sa.JSON)
    # The secret part of the connection's inbound URL, for systems that can only call a URL.
    inbound_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_success_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
