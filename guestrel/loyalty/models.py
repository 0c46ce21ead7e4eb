import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db


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
