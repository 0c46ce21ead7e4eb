import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from guestrel.auth.models import ApiClient, StaffUser
from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db

AUDIT_ACTIONS = ("view", "create", "update", "retire", "delete", "export", "merge", "revoke", "login")


class AuditEntry(db.Model):
    """Who saw or changed what, and when. Written by audit.service only; never updated, except
    that a merge of two guests files the merged guest's entries under the survivor."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"), index=True)
    api_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(
        sa.Enum(*AUDIT_ACTIONS, name="audit_action", native_enum=False, create_constraint=True, length=20)
    )
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    guest_id: Mapped[int | None] = mapped_column(index=True)
    # Set when the entry concerns data that belongs to one property, so other properties' staff
    # do not read it in the trail.
    property_id: Mapped[int | None] = mapped_column(sa.ForeignKey("properties.id", ondelete="SET NULL"))
    changes: Mapped[dict | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(45))

    staff: Mapped[StaffUser | None] = relationship(lazy="joined")
    api_client: Mapped[ApiClient | None] = relationship(lazy="joined")

    __table_args__ = (sa.Index("ix_audit_entries_guest_at", "guest_id", "at"),)
