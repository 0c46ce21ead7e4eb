"""The pre-arrival task planner: the only code that creates, moves and cancels tasks.

Per hotel, a handful of set-based statements, however many stays and preferences there are:

1. insert the task of every (booked stay, preference to prepare) pair arriving today or tomorrow
   on the hotel's clock that has none: tasks appear the day before arrival, and at once for a
   booking made on the day;
2. revive a cancelled task whose pair is wanted again (a cancelled reservation re-instated, a
   preference marked "prepare before arrival" again);
3. bring open tasks of booked stays in line with their stay and preference: the room, the due
   time (the hotel's check-in time on the arrival day), the text and the department. A task done
   for one room is open again when the guest is moved to another: the new room is not ready;
4. cancel the tasks of booked, cancelled or no-show stays that are no longer wanted (the stay
   cancelled, the preference retired or no longer to prepare, the stay given to another guest).

Tasks of stays in house or checked out are left as they are, done or not: the guest arrived.
Everything is idempotent (one task per stay and preference), so the planner runs as often as
it likes: every quarter of an hour for every hotel (`plan_all`), at once for a stay that changed
(`plan_stay`, after the stay's commit) and for a guest whose preferences changed (`plan_guest`,
inside that change's transaction).
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from guestrel.database import UTCDateTime, utcnow
from guestrel.extensions import db
from guestrel.guests.models import Preference, PreferenceCategory
from guestrel.guests.operation import transaction
from guestrel.properties.models import Property
from guestrel.stays.models import Stay
from guestrel.tasks.models import PreArrivalTask as Task

# Statuses whose tasks the planner keeps in line; the guest of the others has arrived.
PLANNED_STATUSES = ("booked", "cancelled", "no_show")
# A task is written as the department reads it: "Carrot juice — large glass, in the fridge".
TASK_TEXT = sa.case(
    (sa.func.coalesce(Preference.detail, "") == "", Preference.value),
    else_=Preference.value + " — " + Preference.detail,
)


def hotel_today(prop: Property, now: datetime) -> date:
    return now.astimezone(ZoneInfo(prop.timezone)).date()


def day_start(prop: Property, day: date) -> datetime:
    """Midnight of `day` on the hotel's clock, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(prop.timezone)).astimezone(timezone.utc)


def due_at(prop: Property, arrival: date) -> datetime:
    """When a stay's tasks are due: the hotel's check-in time on the arrival day, in UTC."""
    return datetime.combine(arrival, prop.check_in_time, tzinfo=ZoneInfo(prop.timezone)).astimezone(timezone.utc)


def _wanted():
    """The (stay, preference) pair in the FROM clause calls for a task."""
    return sa.and_(
        Stay.status == "booked",
        Stay.guest_id == Preference.guest_id,
        Preference.retired_at.is_(None),
        Preference.prepare_before_arrival.is_(True),
        sa.or_(Preference.property_id.is_(None), Preference.property_id == Stay.property_id),
    )


def _due_case(prop: Property, arrivals) -> sa.ColumnElement:
    """Stay.arrival -> the due time, for the given arrival days: time zones are the hotel's,
    worked out here rather than by two databases that do it differently."""
    whens = {day: sa.literal(due_at(prop, day), UTCDateTime()) for day in arrivals}
    return sa.case(whens, value=Stay.arrival, else_=sa.null())


def _insert():
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(Task.__table__)


class _Run:
    """One pass of the planner over one hotel, for all its stays or only some."""

    def __init__(self, prop: Property, now: datetime, stay_ids=None, guest_id=None):
        self.prop = prop
        self.now = now
        self.today = hotel_today(prop, now)
        self.stays = [Stay.property_id == prop.id]
        if stay_ids is not None:
            self.stays.append(Stay.id.in_(list(stay_ids)))
        if guest_id is not None:
            self.stays.append(Stay.guest_id == guest_id)
        self.tasks = [Task.property_id == prop.id]
        if stay_ids is None and guest_id is None:
            # The sweep of a whole hotel looks only at tasks that can still change.
            self.tasks.append(Task.due_at >= day_start(prop, self.today - timedelta(days=1)))
        # A guest arriving after midnight still arrives "yesterday": their tasks still follow.
        self.earliest_arrival = self.today - timedelta(days=1)

    def insert_missing(self) -> int:
        tomorrow = self.today + timedelta(days=1)
        now = sa.literal(self.now, UTCDateTime())
        rows = (
            sa.select(Stay.id, Preference.id, Stay.property_id, PreferenceCategory.department, TASK_TEXT,
                      Stay.room_number, _due_case(self.prop, (self.today, tomorrow)), now, now)
            .select_from(Stay)
            .join(Preference, Preference.guest_id == Stay.guest_id)
            .join(PreferenceCategory, PreferenceCategory.id == Preference.category_id)
            .where(*self.stays, _wanted(), Stay.arrival.in_((self.today, tomorrow)),
                   ~sa.exists().where(Task.stay_id == Stay.id, Task.preference_id == Preference.id))
        )
        columns = ["stay_id", "preference_id", "property_id", "department", "text", "room_number", "due_at",
                   "created_at", "updated_at"]
        # Another planner (the sweep and a stay's change) may insert the same pair meanwhile.
        statement = _insert().from_select(columns, rows).on_conflict_do_nothing(
            index_elements=["stay_id", "preference_id"]).returning(Task.__table__.c.id)
        # Counted from what it returns: drivers do not all report the rows an INSERT … SELECT wrote.
        return len(db.session.execute(statement).all())

    def revive_wanted(self) -> int:
        wanted_again = sa.exists().where(
            Stay.id == Task.stay_id, Preference.id == Task.preference_id, *self.stays, _wanted(),
            Stay.arrival >= self.earliest_arrival)
        return db.session.execute(
            sa.update(Task).where(*self.tasks, Task.cancelled_at.is_not(None), wanted_again)
            .values(cancelled_at=None, done_at=None, done_by_staff_id=None, done_by_client_id=None,
                    updated_at=self.now)
            .execution_options(synchronize_session=False)
        ).rowcount

    def _arrivals(self) -> list[date]:
        """The arrival days of the booked stays whose open tasks may need another due time."""
        return db.session.scalars(
            sa.select(Stay.arrival).distinct().join(Task, Task.stay_id == Stay.id)
            .where(*self.stays, *self.tasks, Task.cancelled_at.is_(None), Stay.status == "booked",
                   Stay.arrival >= self.earliest_arrival)
        ).all()

    def follow_changes(self) -> int:
        arrivals = self._arrivals()
        if not arrivals:
            return 0
        due = _due_case(self.prop, arrivals)
        moved_rooms = sa.and_(Task.room_number.is_not(None), Task.room_number.is_distinct_from(Stay.room_number))
        statement = (
            sa.update(Task)
            .where(*self.tasks, *self.stays, Task.cancelled_at.is_(None), Task.stay_id == Stay.id,
                   Task.preference_id == Preference.id, PreferenceCategory.id == Preference.category_id,
                   Stay.status == "booked", Stay.arrival.in_(arrivals),
                   sa.or_(Task.room_number.is_distinct_from(Stay.room_number), Task.due_at != due,
                          Task.text != TASK_TEXT, Task.department != PreferenceCategory.department))
            .values(room_number=Stay.room_number, due_at=due, text=TASK_TEXT,
                    department=PreferenceCategory.department,
                    done_at=sa.case((moved_rooms, sa.null()), else_=Task.done_at),
                    done_by_staff_id=sa.case((moved_rooms, sa.null()), else_=Task.done_by_staff_id),
                    done_by_client_id=sa.case((moved_rooms, sa.null()), else_=Task.done_by_client_id),
                    updated_at=self.now)
            .execution_options(synchronize_session=False)
        )
        return db.session.execute(statement).rowcount

    def cancel_unwanted(self) -> int:
        planned = sa.exists().where(Stay.id == Task.stay_id, Stay.status.in_(PLANNED_STATUSES), *self.stays)
        wanted = sa.exists().where(Stay.id == Task.stay_id, Preference.id == Task.preference_id, _wanted())
        return db.session.execute(
            sa.update(Task).where(*self.tasks, Task.cancelled_at.is_(None), planned, ~wanted)
            .values(cancelled_at=self.now, updated_at=self.now)
            .execution_options(synchronize_session=False)
        ).rowcount

    def run(self) -> dict:
        return {
            "created": self.insert_missing(),
            "revived": self.revive_wanted(),
            "updated": self.follow_changes(),
            "cancelled": self.cancel_unwanted(),
        }


def plan_property(prop: Property, now: datetime | None = None, *, stay_ids=None, guest_id=None) -> dict:
    """One hotel's tasks brought in line, for all its stays or only the given ones or guest's,
    in the caller's transaction. How many tasks were created, revived, updated and cancelled."""
    return _Run(prop, now or utcnow(), stay_ids, guest_id).run()


def plan_all(now: datetime | None = None) -> dict:
    """Every hotel's tasks, each hotel in a transaction of its own (the periodic job)."""
    now = now or utcnow()
    totals = dict(NOTHING_PLANNED)
    property_ids = db.session.scalars(sa.select(Property.id).order_by(Property.id)).all()
    db.session.rollback()
    for property_id in property_ids:
        with transaction():
            counts = plan_property(db.session.get(Property, property_id), now)
        totals = {name: totals[name] + counts[name] for name in totals}
    return totals


NOTHING_PLANNED = {"created": 0, "revived": 0, "updated": 0, "cancelled": 0}


def plan_stay(stay_id: int, now: datetime | None = None) -> dict | None:
    """A stay's tasks brought in line with it at once, committed (after a stay changed). A stay
    without tasks that does not arrive today or tomorrow gets none: one query decides it, so the
    past stays an import or a PMS sends by the thousand cost no planning."""
    now = now or utcnow()
    with transaction():
        found = db.session.execute(
            sa.select(Property, Stay.arrival, sa.exists().where(Task.stay_id == Stay.id))
            .join(Stay, Stay.property_id == Property.id).where(Stay.id == stay_id)
        ).first()
        if found is None:
            return None
        prop, arrival, has_tasks = found
        today = hotel_today(prop, now)
        if not has_tasks and arrival not in (today, today + timedelta(days=1)):
            return dict(NOTHING_PLANNED)
        return plan_property(prop, now, stay_ids=[stay_id])


def plan_guest(guest_id: int, now: datetime | None = None):
    """The tasks of a guest's coming stays brought in line with their preferences, in the
    caller's transaction (the change of a preference, a merge)."""
    now = now or utcnow()
    # A day of slack: the hotels' clocks run ahead of and behind UTC.
    since = now.date() - timedelta(days=2)
    hotels = db.session.scalars(
        sa.select(Property).where(Property.id.in_(
            sa.select(Stay.property_id).where(Stay.guest_id == guest_id, Stay.status.in_(PLANNED_STATUSES),
                                              Stay.arrival >= since)))
    ).all()
    for prop in hotels:
        plan_property(prop, now, guest_id=guest_id)


def carry_over_merged(survivor_id: int):
    """When two profiles of a guest merge, identical preferences collapse into one and the
    others are retired (guestrel.guests.merge). A task for a retired duplicate moves to the
    preference that was kept, with its done state, rather than be cancelled while a new, open
    one appears for the same thing. In the merge's transaction, before the survivor is planned."""
    kept = aliased(Preference)
    duplicate = aliased(Preference)
    other = aliased(Task)
    same = sa.and_(kept.guest_id == survivor_id, kept.retired_at.is_(None), kept.id != duplicate.id,
                   kept.category_id == duplicate.category_id,
                   kept.property_id.is_not_distinct_from(duplicate.property_id),
                   sa.func.lower(kept.value) == sa.func.lower(duplicate.value))
    rows = db.session.execute(
        sa.select(Task.id, Task.stay_id, sa.func.min(kept.id))
        .join(Stay, Stay.id == Task.stay_id)
        .join(duplicate, duplicate.id == Task.preference_id)
        .join(kept, same)
        .where(Stay.guest_id == survivor_id, Task.cancelled_at.is_(None), duplicate.retired_at.is_not(None),
               ~sa.exists().where(other.stay_id == Task.stay_id, other.preference_id == kept.id))
        .group_by(Task.id, Task.stay_id).order_by(Task.id)
    ).all()
    moves = {}
    for task_id, stay_id, preference_id in rows:
        # Two duplicates of one preference for one stay: the first task moves, the planner
        # cancels the other.
        moves.setdefault((stay_id, preference_id), task_id)
    if moves:
        db.session.execute(sa.update(Task), [
            {"id": task_id, "preference_id": preference_id, "updated_at": utcnow()}
            for (_stay_id, preference_id), task_id in moves.items()])
