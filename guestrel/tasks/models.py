import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.guests.models import DEPARTMENTS


class PreArrivalTask(db.Model):
    """One preference to prepare for one stay, by the department of the preference's category,
    in the stay's room by `due_at` (the hotel's check-in time on the arrival day). Written by the
    planner (guestrel.tasks.planner) and by staff marking it done. A task that is no longer
    wanted (the stay cancelled, the preference retired) is cancelled, never deleted, so who did
    what stays readable."""

    __tablename__ = "pre_arrival_tasks"
    __table_args__ = (
        # One task per stay and preference: the planner may run any number of times.
        sa.UniqueConstraint("stay_id", "preference_id"),
        # The tasks page and the planner's sweep: one hotel's tasks due in a span of time.
        sa.Index("ix_pre_arrival_tasks_property_due", "property_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(sa.ForeignKey("stays.id", ondelete="CASCADE"))
    preference_id: Mapped[int] = mapped_column(sa.ForeignKey("preferences.id", ondelete="CASCADE"), index=True)
    property_id: Mapped[int] = mapped_column(sa.ForeignKey("properties.id"))
    department: Mapped[str] = mapped_column(
        sa.Enum(*DEPARTMENTS, name="task_department", native_enum=False, create_constraint=True, length=20))
    # The preference's value and detail as the department reads them: "Carrot juice — large glass".
    text: Mapped[str] = mapped_column(sa.Text)
    room_number: Mapped[str | None] = mapped_column(sa.String(20))
    due_at: Mapped[object] = mapped_column(UTCDateTime)
    done_at: Mapped[object | None] = mapped_column(UTCDateTime)
    done_by_staff_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id", ondelete="SET NULL"))
    done_by_client_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_clients.id", ondelete="SET NULL"))
    cancelled_at: Mapped[object | None] = mapped_column(UTCDateTime)
    created_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
