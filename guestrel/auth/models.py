import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.properties.models import Property

ROLES = ("front_desk", "housekeeping", "marketing", "manager", "admin")

staff_properties = db.Table(
    "staff_properties",
    sa.Column("staff_id", sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("property_id", sa.ForeignKey("properties.id", ondelete="CASCADE"), primary_key=True),
)

api_client_properties = db.Table(
    "api_client_properties",
    sa.Column("api_client_id", sa.ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("property_id", sa.ForeignKey("properties.id", ondelete="CASCADE"), primary_key=True),
)


class StaffUser(UserMixin, db.Model):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(
        sa.Enum(*ROLES, name="staff_role", native_enum=False, create_constraint=True, length=20)
    )
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    active: Mapped[bool] = mapped_column(default=True)
    # Changes whenever the password changes or the account is disabled, ending existing sessions.
    session_token: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[object | None] = mapped_column(UTCDateTime)

    properties: Mapped[list[Property]] = relationship(
        secondary=staff_properties, order_by=Property.code, lazy="selectin"
    )

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"{self.id}:{self.session_token}"

    def __repr__(self):
        return f"<StaffUser {self.email} {self.role}>"


class ApiClient(db.Model):
    """An integration calling the API with a bearer key. Only the key's hash is stored."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    key_prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    revoked_at: Mapped[object | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[object | None] = mapped_column(UTCDateTime)

    properties: Mapped[list[Property]] = relationship(
        secondary=api_client_properties, order_by=Property.code, lazy="selectin"
    )
    created_by: Mapped[StaffUser | None] = relationship()

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    def __repr__(self):
        return f"<ApiClient {self.name}>"
