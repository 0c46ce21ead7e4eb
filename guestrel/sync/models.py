import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db

MESSAGE_STATUSES = ("received", "applied", "failed", "ignored")
EVENT_STATUSES = ("applied", "failed", "ignored")
# How a payload came: pushed to the inbound endpoint, fetched by a poll, or an uploaded file.
MESSAGE_ORIGINS = ("webhook", "poll", "file")


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
    origin: Mapped[str] = mapped_column(
        sa.Enum(*MESSAGE_ORIGINS, name="inbox_message_origin", native_enum=False, create_constraint=True, length=20),
        default="webhook", server_default="webhook",
    )
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
    # While the source is unreachable (a webhook that carries only ids), when to try again.
    next_attempt_at: Mapped[object | None] = mapped_column(UTCDateTime, index=True)
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
    # The adapter's poll cursor, opaque to guestrel.
    cursor: Mapped[str | None] = mapped_column(sa.JSON)
    # The secret part of the connection's inbound URL, for systems that can only call a URL.
    inbound_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    last_success_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_polled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # A PMS that said when to come back (a 429's Retry-After) is not polled before then.
    poll_after: Mapped[object | None] = mapped_column(UTCDateTime)
    # Bumped by every change an admin makes: two admins editing at once do not overwrite each other.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)


OUTBOX_STATUSES = ("pending", "delivering", "delivered", "dead", "superseded")


class OutboxMessage(db.Model):
    """One fact to send to one connection (the guest's profile for a PMS), written in the same
    transaction as the change it reports and delivered later by guestrel.sync.outbox, the only
    writer of this table. `fact_id` is the fact's identity, the same on every try, so a system
    that got it before can tell. While `delivering`, `next_attempt_at` is the end of the worker's
    claim: a worker that died mid-push leaves the row due again afterwards. `superseded`: a newer
    fact for the same connection, guest and kind replaced it before it was delivered."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_connection_due", "connection_id", "status", "next_attempt_at"),
        sa.Index("ix_outbox_messages_guest_connection_kind", "guest_id", "connection_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(sa.ForeignKey("connections.id", ondelete="CASCADE"))
    # A guest who is erased takes their undelivered preferences along.
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    payload: Mapped[dict] = mapped_column(sa.JSON)
    fact_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(
        sa.Enum(*OUTBOX_STATUSES, name="outbox_message_status", native_enum=False, create_constraint=True, length=20),
        default="pending",
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[object | None] = mapped_column(UTCDateTime)
    # What went wrong last, with the connection's secret values blanked out: admins read it.
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[object | None] = mapped_column(UTCDateTime)
