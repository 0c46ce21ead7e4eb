from datetime import time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db

DEFAULT_CHECK_IN_TIME = time(14, 0)


class Property(db.Model):
    """A hotel of the chain. Guests belong to the chain; staff and API clients to properties."""

    __tablename__ = "properties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    # When rooms are ready, on the hotel's clock: pre-arrival tasks are due then on the arrival day.
    check_in_time: Mapped[time] = mapped_column(sa.Time, default=DEFAULT_CHECK_IN_TIME, server_default="14:00:00")
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Property {self.code}>"
