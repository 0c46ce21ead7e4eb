"""Pre-arrival tasks as staff see and work them: the tasks of a hotel's day, by department;
marking one done (who and when, in the audit trail) and undoing that. The planner
(guestrel.tasks.planner) creates, moves and cancels them; this is the only other code that
writes them.

A principal sees the tasks of the hotels it covers only, and nothing of a guest beyond the name:
housekeeping prepares rooms without the guest's contact details.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from guestrel.audit import service as audit
from guestrel.auth.models import ApiClient, StaffUser
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests.models import DEPARTMENTS, Guest
from guestrel.guests.operation import require, transaction
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import InvalidDataError, NotFoundError, ServiceError
from guestrel.stays.models import Stay
from guestrel.tasks import planner
from guestrel.tasks.models import PreArrivalTask as Task

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)

STATUSES = ("open", "overdue", "done", "cancelled")
DEPARTMENT_ORDER = {department: rank for rank, department in enumerate(DEPARTMENTS)}


class TaskCancelledError(ServiceError):
    """The task was cancelled (the stay cancelled, the preference retired): nothing to do."""

    status = 409


@dataclass(frozen=True)
class TaskView:
    """A task as pages and the API show it: with its hotel, guest and who did it."""

    task: Task
    property_code: str
    guest_id: int | None
    guest_name: str | None
    done_by: str | None
    now: datetime

    @property
    def done(self) -> bool:
        return self.task.done_at is not None

    @property
    def overdue(self) -> bool:
        task = self.task
        return task.cancelled_at is None and task.done_at is None and task.due_at < self.now

    @property
    def status(self) -> str:
        if self.task.cancelled_at is not None:
            return "cancelled"
        if self.done:
            return "done"
        return "overdue" if self.overdue else "open"


@dataclass(frozen=True)
class TaskDay:
    property: Property
    day: date
    items: list


def _overdue(now: datetime):
    return sa.and_(Task.cancelled_at.is_(None), Task.done_at.is_(None), Task.due_at < now)


def _status_clause(status: str | None, now: datetime):
    if status is None:
        return Task.cancelled_at.is_(None)
    if status not in STATUSES:
        raise InvalidDataError({"status": [_("Choose one of: %(choices)s.", choices=", ".join(STATUSES))]})
    return {
        "open": sa.and_(Task.cancelled_at.is_(None), Task.done_at.is_(None)),
        "overdue": _overdue(now),
        "done": sa.and_(Task.cancelled_at.is_(None), Task.done_at.is_not(None)),
        "cancelled": Task.cancelled_at.is_not(None),
    }[status]


def _views(query, now: datetime) -> list[TaskView]:
    """Tasks with their hotel, guest name and doer, in one query."""
    staff = aliased(StaffUser)
    client = aliased(ApiClient)
    rows = db.session.execute(
        query.add_columns(Property.code, Guest.id, Guest.full_name, Guest.given_name, Guest.family_name,
                          staff.name, client.name)
        .join(Property, Property.id == Task.property_id)
        .join(Stay, Stay.id == Task.stay_id)
        .outerjoin(Guest, Guest.id == Stay.guest_id)
        .outerjoin(staff, staff.id == Task.done_by_staff_id)
        .outerjoin(client, client.id == Task.done_by_client_id)
    ).all()
    views = []
    for task, code, guest_id, full_name, given_name, family_name, staff_name, client_name in rows:
        name = full_name or " ".join(part for part in (given_name, family_name) if part) or None
        views.append(TaskView(task, code, guest_id, name, staff_name or client_name, now))
    return views


def _hotel(principal: Principal, property_code: str | None) -> Property:
    if not property_code:
        raise InvalidDataError({"property": [_("Choose a hotel.")]})
    return property_service.get_property(principal, property_code)


def list_tasks(principal: Principal, property_code: str, day: date | None = None, *,
               department: str | None = None, status: str | None = None, now: datetime | None = None) -> TaskDay:
    """The hotel's tasks due on `day` (today on the hotel's clock by default), by department,
    due time and room. `status` open (overdue included), overdue, done or cancelled; by default
    every task not cancelled."""
    require(principal, "tasks:read")
    now = now or utcnow()
    prop = _hotel(principal, property_code)
    day = day or planner.hotel_today(prop, now)
    if not FIRST_DAY <= day <= LAST_DAY:
        # Beyond these a day's bounds in UTC are not dates any more.
        raise InvalidDataError({"date": [_("Enter a date between %(first)s and %(last)s.",
                                           first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat())]})
    if department is not None and department not in DEPARTMENTS:
        raise InvalidDataError({"department": [_("Choose one of: %(choices)s.", choices=", ".join(DEPARTMENTS))]})
    query = sa.select(Task).where(
        Task.property_id == prop.id,
        Task.due_at >= planner.day_start(prop, day), Task.due_at < planner.day_start(prop, day + timedelta(days=1)),
        _status_clause(status, now),
    )
    if department is not None:
        query = query.where(Task.department == department)
    items = _views(query.order_by(Task.due_at, Task.room_number, Task.id), now)
    items.sort(key=lambda view: DEPARTMENT_ORDER[view.task.department])
    return TaskDay(prop, day, items)


def get_task(principal: Principal, task_id: int) -> TaskView:
    require(principal, "tasks:read")
    views = _views(_visible(principal).where(Task.id == task_id), utcnow())
    if not views:
        raise NotFoundError(_("There is no pre-arrival task with this id."))
    return views[0]


def _visible(principal: Principal):
    query = sa.select(Task)
    if principal.property_ids is not None:
        query = query.where(Task.property_id.in_(sorted(principal.property_ids)))
    return query


def _set_done(principal: Principal, task_id: int, done: bool) -> TaskView:
    require(principal, "tasks:write")
    with transaction():
        task = db.session.scalar(_visible(principal).where(Task.id == task_id).with_for_update())
        if task is None:
            raise NotFoundError(_("There is no pre-arrival task with this id."))
        if task.cancelled_at is not None:
            raise TaskCancelledError(_("This task was cancelled: the stay or the preference changed."))
        if (task.done_at is not None) != done:
            before = task.done_at
            task.done_at = utcnow() if done else None
            task.done_by_staff_id = principal.staff_id if done else None
            task.done_by_client_id = principal.api_client_id if done else None
            guest_id = db.session.scalar(sa.select(Stay.guest_id).where(Stay.id == task.stay_id))
            audit.record(principal, "update", "pre_arrival_task", task.id, guest_id=guest_id,
                         property_id=task.property_id,
                         changes={"done_at": [before and before.isoformat(),
                                              task.done_at and task.done_at.isoformat()]})
    return get_task(principal, task_id)


def mark_done(principal: Principal, task_id: int) -> TaskView:
    """The department prepared it: done now, by the principal. Marking it again changes nothing."""
    return _set_done(principal, task_id, True)


def undo(principal: Principal, task_id: int) -> TaskView:
    """Marked done by mistake: open again."""
    return _set_done(principal, task_id, False)


def for_stays(stay_ids, now: datetime | None = None) -> dict[int, list[TaskView]]:
    """The tasks not cancelled of these stays, by stay (the arrivals board), in one query."""
    if not stay_ids:
        return {}
    found = {}
    query = sa.select(Task).where(Task.stay_id.in_(list(stay_ids)), Task.cancelled_at.is_(None)).order_by(Task.id)
    for view in _views(query, now or utcnow()):
        found.setdefault(view.task.stay_id, []).append(view)
    return found


def summary_for_stay(stay_id: int) -> list[dict]:
    """What the check-in alert says of the stay's tasks: each not cancelled, by department, with
    whether it was done and whether it is overdue."""
    views = sorted(for_stays([stay_id]).get(stay_id, []), key=lambda view: DEPARTMENT_ORDER[view.task.department])
    return [{"department": view.task.department, "text": view.task.text, "done": view.done,
             "overdue": view.overdue} for view in views]

