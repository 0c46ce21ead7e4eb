import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.properties.models import Property

STAY_STATUSES = ("booked", "cancelled", "no_show", "in_house", "checked_out")
MONEY = sa.Numeric(12, 2)


class Stay(db.Model):
    """A reservation at one property and, once the guest arrives, their stay. The property's
    PMS (or a booking channel) is the system of record: `source_modified_at` is its last-modified
    time, so an update older than what is stored is recognised and ignored."""

    __tablename__ = "stays"
    __table_args__ = (
        sa.UniqueConstraint("property_id", "pms_id", name="uq_stays_property_pms_id"),
        # The arrivals board: one property's arrivals on a day.
        sa.Index("ix_stays_property_arrival", "property_id", "arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    # A reservation can arrive before its guest is known (a channel booking not yet matched to
    # a profile); it is linked once the guest is resolved.
    guest_id: Mapped[int | None] = mapped_column(sa.ForeignKey("guests.id", ondelete="SET NULL"), index=True)
    pms_id: Mapped[str] = mapped_column(sa.String(100))
    channel: Mapped[str | None] = mapped_column(sa.String(40))
    channel_confirmation: Mapped[str | None] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(
        sa.Enum(*STAY_STATUSES, name="stay_status", native_enum=False, create_constraint=True, length=20),
        index=True,
    )
    arrival: Mapped[object] = mapped_column(sa.Date)
    departure: Mapped[object] = mapped_column(sa.Date)
    room_type: Mapped[str | None] = mapped_column(sa.String(40))
    room_number: Mapped[str | None] = mapped_column(sa.String(20))
    rate_code: Mapped[str | None] = mapped_column(sa.String(40))
    adults: Mapped[int] = mapped_column(default=1)
    children: Mapped[int] = mapped_column(default=0)
    revenue_room: Mapped[object] = mapped_column(MONEY, default=0)
    revenue_food_and_beverage: Mapped[object] = mapped_column(MONEY, default=0)
    revenue_other: Mapped[object] = mapped_column(MONEY, default=0)
    currency: Mapped[str] = mapped_column(sa.String(3))
    source_modified_at: Mapped[object | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[object | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    stay_property: Mapped[Property] = relationship(lazy="joined", innerjoin=True)
