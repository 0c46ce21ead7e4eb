import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db


class Property(db.Model):
    """A hotel of the chain. Guests belong to the chain; staff and API clients to properties."""

    __tablename__ = "properties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    currency: Mapped[str] = mapped_column(sa.String(3))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self):
        return f"<Property {self.code}>"
