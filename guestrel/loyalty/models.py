import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.properties.models import Property


class LoyaltyTier(db.Model):
    """A level of the chain's loyalty programme ("Platinum") and what its members are given
    ("Late check-out until 14:00"). `rank` orders the tiers: the higher, the better."""

    __tablename__ = "loyalty_tiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    rank: Mapped[int] = mapped_column(unique=True)
    # The benefits, one text each, in the order the desk should read them.
    benefits: Mapped[list] = mapped_column(sa.JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}


class LoyaltyMembership(db.Model):
    """A guest's tier. The member number stays on the guest's profile, where the PMS and the
    identity resolution read it."""

    __tablename__ = "loyalty_memberships"

    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id", ondelete="CASCADE"), primary_key=True)
    tier_id: Mapped[int] = mapped_column(sa.ForeignKey("loyalty_tiers.id"), index=True)
    tier_since: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    tier: Mapped[LoyaltyTier] = relationship()


POINTS_KINDS = ("award", "redeem", "adjust", "merge")


class PointsEntry(db.Model):
    """One movement of a guest's points. Entries are only ever added: the balance is their sum, a
    correction is another entry, and a merge moves a balance with a pair of entries. The
    idempotency key makes a retried request find its entry instead of booking it twice."""

    __tablename__ = "points_entries"
    __table_args__ = (
        # A guest's balance and entries, newest first.
        sa.Index("ix_points_entries_guest_id", "guest_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    guest_id: Mapped[int] = mapped_column(sa.ForeignKey("guests.id"))
    points: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.Enum(*POINTS_KINDS, name="points_kind", native_enum=False,
                                              create_constraint=True, length=20))
    reason: Mapped[str] = mapped_column(sa.String(200))
    idempotency_key: Mapped[str] = mapped_column(sa.String(100), unique=True)
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("properties.id"))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    entry_property: Mapped[Property | None] = relationship()
