import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.properties.models import Property

# What an alert rule looks at; each is explained in guestrel.alerts.rules.
RULE_CONDITIONS = (
    "vip_code", "member", "first_stay_in_chain", "first_stay_at_hotel", "stays_at_least", "allergy",
    "occasion_during_stay", "nationality", "language", "tier",
)
LIVE_EVENT_KINDS = ("alert", "acknowledged")


class CheckInAlert(db.Model):
    """What the front desk must know the moment a guest checks in, as it stood then: one per
    stay. `content` is the snapshot shown in the pop-up and on the alerts page (see
    guestrel.alerts.content), so an alert reads the same later, whatever changed since."""

    __tablename__ = "checkin_alerts"
    __table_args__ = (
        # The alerts page: a hotel's alerts, unacknowledged first, newest first.
        sa.Index("ix_checkin_alerts_property_acknowledged", "property_id", "acknowledged_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stays.id", ondelete="CASCADE"), unique=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    guest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guests.id", ondelete="SET NULL"), index=True)
    content: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[object | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))


class AlertRule(db.Model):
    """A text every matching check-in shows, at one hotel or the whole chain: "Platinum: offer
    the lounge", "First stay with us: welcome them". `value` is the condition's parameter."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    condition: Mapped[str] = mapped_column(
        sa.Enum(*RULE_CONDITIONS, name="alert_rule_condition", native_enum=False, create_constraint=True, length=40))
    value: Mapped[str | None] = mapped_column(sa.String(100))
    text: Mapped[str] = mapped_column(sa.String(500))
    # None: every hotel of the chain.
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("properties.id"), index=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    rule_property: Mapped[Property | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class LiveEvent(db.Model):
    """What the front-desk pages of a hotel are told, in order: its id is the Server-Sent
    Event's id, so a browser that reconnects with Last-Event-ID is sent what it missed from
    here, whichever process it reconnects to."""

    __tablename__ = "live_events"
    __table_args__ = (sa.Index("ix_live_events_property_id", "property_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    kind: Mapped[str] = mapped_column(
        sa.Enum(*LIVE_EVENT_KINDS, name="live_event_kind", native_enum=False, create_constraint=True, length=20))
    alert_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_alerts.id", ondelete="CASCADE"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
