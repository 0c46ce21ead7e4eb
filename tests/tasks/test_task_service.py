"""Marking tasks done and undoing it (who, when, the audit trail), reading a hotel's day of
tasks, and what the check-in alert reads of a stay's tasks."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.permissions import ROLE_PERMISSIONS, Principal
from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError
from guestrel.stays import service as stay_service
from guestrel.tasks import service
from guestrel.tasks.service import TaskCancelledError
from tests.tasks.support import book, by_text, hotel_today, li_wei, shanghai_time

JUICE = "Carrot juice — Large glass, in the fridge"
PILLOW = "Feather-free pillow"


def staff_principal(staff):
    return Principal.for_staff(staff)


def test_housekeeping_marks_a_task_done_and_the_audit_trail_says_who_and_when(hotels, make_staff):
    keeper = make_staff("housekeeping", properties=[hotels[0]])
    stay = book(li_wei().id)
    pillow = by_text(stay.id)[PILLOW]

    view = service.mark_done(staff_principal(keeper), pillow.id)

    assert view.status == "done" and view.done_by == keeper.name and view.guest_name == "李伟"
    stored = by_text(stay.id)[PILLOW]
    assert stored.done_by_staff_id == keeper.id and stored.done_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "pre_arrival_task"))
    assert (entry.action, entry.entity_id, entry.staff_id, entry.guest_id, entry.property_id) == (
        "update", pillow.id, keeper.id, stay.guest_id, hotels[0].id)
    assert entry.changes == {"done_at": [None, stored.done_at.isoformat()]}


def test_marking_done_twice_changes_nothing_and_undo_opens_it_again(hotels, make_staff):
    keeper = make_staff("housekeeping", properties=[hotels[0]])
    stay = book(li_wei().id)
    pillow = by_text(stay.id)[PILLOW]
    service.mark_done(staff_principal(keeper), pillow.id)
    first = by_text(stay.id)[PILLOW].done_at

    service.mark_done(staff_principal(keeper), pillow.id)
    assert by_text(stay.id)[PILLOW].done_at == first
    view = service.undo(staff_principal(keeper), pillow.id)

    assert view.status in ("open", "overdue")
    stored = by_text(stay.id)[PILLOW]
    assert (stored.done_at, stored.done_by_staff_id) == (None, None)
    changes = db.session.scalars(sa.select(AuditEntry.changes).where(AuditEntry.entity_type == "pre_arrival_task")
                                 .order_by(AuditEntry.id)).all()
    assert changes == [{"done_at": [None, first.isoformat()]}, {"done_at": [first.isoformat(), None]}]


def test_a_cancelled_task_cannot_be_marked_done(hotels):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    stay_service.cancel(OPERATOR, stay.id)

    with pytest.raises(TaskCancelledError):
        service.mark_done(OPERATOR, juice.id)
    assert by_text(stay.id)[JUICE].done_at is None


def test_staff_of_another_hotel_and_roles_without_tasks_cannot_touch_a_task(hotels, make_staff):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    elsewhere = staff_principal(make_staff("front_desk", properties=[hotels[1]]))
    marketing = staff_principal(make_staff("marketing", properties=[hotels[0]]))

    with pytest.raises(NotFoundError):
        service.mark_done(elsewhere, juice.id)
    with pytest.raises(NotFoundError):
        service.list_tasks(elsewhere, "SHA")
    with pytest.raises(PermissionDeniedError):
        service.mark_done(marketing, juice.id)
    with pytest.raises(PermissionDeniedError):
        service.list_tasks(marketing, "SHA")
    assert by_text(stay.id)[JUICE].done_at is None


def test_a_day_of_tasks_by_department_with_overdue_ones_told_apart(hotels):
    guest = li_wei()
    stay = book(guest.id, pms_id="R-1", room="1208")
    other = book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2", room="806")
    service.mark_done(OPERATOR, by_text(stay.id)[PILLOW].id)
    after_due = shanghai_time(hotel_today(), 14, 30)

    day = service.list_tasks(OPERATOR, "sha", now=after_due)
    overdue = service.list_tasks(OPERATOR, "SHA", status="overdue", now=after_due)
    kitchen = service.list_tasks(OPERATOR, "SHA", department="food_and_beverage", now=after_due)
    tomorrow = service.list_tasks(OPERATOR, "SHA", hotel_today() + timedelta(days=1), now=after_due)

    assert day.day == hotel_today()
    assert [(v.task.department, v.task.text, v.status) for v in day.items] == [
        ("housekeeping", PILLOW, "done"), ("food_and_beverage", JUICE, "overdue")]
    assert [v.task.text for v in overdue.items] == [JUICE]
    assert [v.task.text for v in kitchen.items] == [JUICE]
    assert {v.task.stay_id for v in tomorrow.items} == {other.id}
    assert all(v.status == "open" and not v.overdue for v in tomorrow.items)


def test_a_day_of_tasks_refuses_unknown_departments_and_statuses(hotels):
    with pytest.raises(InvalidDataError):
        service.list_tasks(OPERATOR, "SHA", department="spa")
    with pytest.raises(InvalidDataError):
        service.list_tasks(OPERATOR, "SHA", status="forgotten")
    with pytest.raises(InvalidDataError):
        service.list_tasks(OPERATOR, "")


def test_the_check_in_alert_reads_each_task_not_cancelled_done_or_overdue(hotels):
    guest = li_wei()
    stay = book(guest.id)
    service.mark_done(OPERATOR, by_text(stay.id)[PILLOW].id)

    summary = service.summary_for_stay(stay.id)

    juice_overdue = utcnow() > shanghai_time(hotel_today(), 14)
    assert summary == [
        {"department": "housekeeping", "text": PILLOW, "done": True, "overdue": False},
        {"department": "food_and_beverage", "text": JUICE, "done": False, "overdue": juice_overdue},
    ]
    stay_service.cancel(OPERATOR, stay.id)
    assert service.summary_for_stay(stay.id) == []


def test_every_role_with_tasks_write_may_mark_done(hotels, make_staff):
    roles = [role for role, permissions in ROLE_PERMISSIONS.items() if "tasks:write" in permissions]
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]

    for role in roles:
        service.undo(OPERATOR, juice.id)
        view = service.mark_done(staff_principal(make_staff(role, properties=[hotels[0]])), juice.id)
        assert view.status == "done", role
    assert set(roles) == {"housekeeping", "front_desk", "manager", "admin"}
