"""The planner: tasks appear the day before arrival (at once for a booking on the day), follow
the stay's room and dates, are cancelled (never deleted) when no longer wanted, survive the
check-in, and running it again changes nothing."""
from datetime import timedelta

import sqlalchemy as sa

from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import merge, preference_service
from guestrel.guests import service as guest_service
from guestrel.properties import service as property_service
from guestrel.stays import service as stay_service
from guestrel.stays.models import Stay
from guestrel.tasks import planner, service
from guestrel.tasks.models import PreArrivalTask
from tests.statements import counted
from tests.tasks.support import book, by_text, hotel_today, li_wei, shanghai_time, tasks

JUICE = "Carrot juice — Large glass, in the fridge"
PILLOW = "Feather-free pillow"


def test_a_booking_arriving_in_two_days_gets_its_tasks_on_the_day_before(hotels):
    guest = li_wei()
    arrival = hotel_today() + timedelta(days=2)
    stay = book(guest.id, arrival)
    assert tasks() == []

    created = planner.plan_all(now=utcnow() + timedelta(days=1))

    assert created["created"] == 2
    found = by_text(stay.id)
    assert set(found) == {JUICE, PILLOW}
    juice, pillow = found[JUICE], found[PILLOW]
    assert (juice.department, pillow.department) == ("food_and_beverage", "housekeeping")
    assert {task.room_number for task in found.values()} == {"1208"}
    assert {task.property_id for task in found.values()} == {hotels[0].id}
    # 14:00 on the hotel's clock on the arrival day, stored in UTC.
    assert juice.due_at == shanghai_time(arrival, 14) and juice.due_at.hour == 6
    assert (juice.done_at, juice.cancelled_at) == (None, None)


def test_a_booking_for_today_or_tomorrow_gets_its_tasks_at_once(hotels):
    guest = li_wei()

    today = book(guest.id, hotel_today(), pms_id="R-1")
    tomorrow = book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2")

    assert set(by_text(today.id)) == {JUICE, PILLOW}
    assert set(by_text(tomorrow.id)) == {JUICE, PILLOW}


def test_no_task_for_a_preference_not_to_prepare_of_another_hotel_or_a_guest_not_linked(hotels):
    guest = li_wei()
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "amenities", "value": "Lake view roses", "property_code": "HGH", "prepare_before_arrival": True})

    stay = book(guest.id)
    anonymous = book(None, pms_id="R-2")

    assert set(by_text(stay.id)) == {JUICE, PILLOW}
    assert tasks(anonymous.id) == []


def test_a_room_change_moves_the_task_and_opens_a_done_one_again(hotels):
    stay = book(li_wei().id)
    juice = by_text(stay.id)[JUICE]
    service.mark_done(OPERATOR, juice.id)

    book(stay.guest_id, room="1510")

    for task in tasks(stay.id):
        assert task.room_number == "1510"
        # The juice is in the fridge of 1208: 1510 still needs it.
        assert (task.done_at, task.done_by_staff_id, task.cancelled_at) == (None, None, None)


def test_a_room_assigned_late_keeps_what_was_done_before(hotels):
    stay = book(li_wei().id, room=None)
    juice = by_text(stay.id)[JUICE]
    assert juice.room_number is None
    service.mark_done(OPERATOR, juice.id)

    book(stay.guest_id, room="1208")

    juice = by_text(stay.id)[JUICE]
    assert juice.room_number == "1208" and juice.done_at is not None


def test_an_arrival_moved_to_another_day_moves_the_due_time(hotels):
    stay = book(li_wei().id)
    tomorrow = hotel_today() + timedelta(days=1)

    book(stay.guest_id, tomorrow)

    assert {task.due_at for task in tasks(stay.id)} == {shanghai_time(tomorrow, 14)}


def test_a_new_check_in_time_moves_the_due_time_at_the_next_sweep(hotels):
    stay = book(li_wei().id)

    property_service.update_property(OPERATOR, "SHA", check_in_time="15:30")
    planner.plan_all()

    assert {task.due_at for task in tasks(stay.id)} == {shanghai_time(hotel_today(), 15, 30)}


def test_a_cancelled_stay_cancels_its_tasks_and_a_reinstated_one_opens_them_again(hotels):
    stay = book(li_wei().id)
    service.mark_done(OPERATOR, by_text(stay.id)[JUICE].id)

    stay_service.cancel(OPERATOR, stay.id)
    cancelled = {task.text: (task.id, task.cancelled_at, task.done_at) for task in tasks(stay.id)}
    book(stay.guest_id, status="booked")
    revived = tasks(stay.id)

    assert len(cancelled) == 2 and all(cancelled_at is not None for _id, cancelled_at, _done in cancelled.values())
    # Kept as they were, who did what included.
    assert cancelled[JUICE][2] is not None
    assert sorted(task.id for task in revived) == sorted(task_id for task_id, _c, _d in cancelled.values())
    assert all(task.cancelled_at is None and task.done_at is None for task in revived)


def test_a_no_show_cancels_its_tasks(hotels):
    stay = book(li_wei().id)

    stay_service.mark_no_show(OPERATOR, stay.id)

    assert all(task.cancelled_at is not None for task in tasks(stay.id))


def test_a_retired_preference_or_one_no_longer_to_prepare_cancels_its_task_at_once(hotels):
    guest = li_wei()
    stay = book(guest.id)
    juice, pillow = (p for p in preference_service.list_preferences(OPERATOR, guest.id) if p.prepare_before_arrival)

    preference_service.retire_preference(OPERATOR, guest.id, juice.id)
    preference_service.update_preference(OPERATOR, guest.id, pillow.id, pillow.version,
                                         {"prepare_before_arrival": False})

    found = by_text(stay.id)
    assert found[JUICE].cancelled_at is not None and found[PILLOW].cancelled_at is not None


def test_a_preference_recorded_for_a_guest_about_to_arrive_becomes_a_task_at_once(hotels):
    guest = li_wei()
    stay = book(guest.id)

    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "amenities", "value": "Fresh lilies", "detail": "on the desk", "prepare_before_arrival": True})
    later = book(guest.id, hotel_today() + timedelta(days=10), pms_id="R-2")

    lilies = by_text(stay.id)["Fresh lilies — on the desk"]
    assert (lilies.department, lilies.room_number) == ("housekeeping", "1208")
    assert tasks(later.id) == []


def test_an_edited_preference_and_a_category_given_to_another_department_change_the_task(hotels):
    guest = li_wei()
    stay = book(guest.id)
    juice = next(p for p in preference_service.list_preferences(OPERATOR, guest.id) if p.value == "Carrot juice")
    category = juice.category

    preference_service.update_preference(OPERATOR, guest.id, juice.id, juice.version, {"detail": "no ice"})
    preference_service.update_category(OPERATOR, category.id, {"department": "front_desk"})
    planner.plan_all()

    task = by_text(stay.id)["Carrot juice — no ice"]
    assert task.department == "front_desk"
    assert len(tasks(stay.id)) == 2


def test_a_check_in_keeps_the_tasks_with_what_was_done_and_later_changes_leave_them(hotels):
    guest = li_wei()
    stay = book(guest.id)
    service.mark_done(OPERATOR, by_text(stay.id)[JUICE].id)

    stay_service.check_in(OPERATOR, stay.id)
    juice = next(p for p in preference_service.list_preferences(OPERATOR, guest.id) if p.value == "Carrot juice")
    preference_service.retire_preference(OPERATOR, guest.id, juice.id)
    planner.plan_all()

    found = by_text(stay.id)
    assert found[JUICE].done_at is not None and found[JUICE].cancelled_at is None
    assert found[PILLOW].done_at is None and found[PILLOW].cancelled_at is None


def test_planning_again_changes_nothing(hotels):
    guest = li_wei()
    book(guest.id, pms_id="R-1")
    book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2", room="806")
    before = [(t.id, t.room_number, t.due_at, t.updated_at) for t in tasks()]

    first = planner.plan_all()
    second = planner.plan_all()

    assert first == second == {"created": 0, "revived": 0, "updated": 0, "cancelled": 0}
    assert [(t.id, t.room_number, t.due_at, t.updated_at) for t in tasks()] == before
    assert len(before) == 4


def test_the_sweep_catches_up_what_no_signal_told_it(hotels):
    guest = li_wei()
    stay = book(guest.id)
    # As if the process had stopped between the stay's commit and its receivers.
    db.session.execute(sa.delete(PreArrivalTask))
    db.session.commit()

    counts = planner.plan_all()

    assert counts["created"] == 2
    assert set(by_text(stay.id)) == {JUICE, PILLOW}


def test_a_merge_keeps_the_tasks_and_what_was_done_for_an_identical_preference(hotels):
    survivor = guest_service.create_guest(OPERATOR, {"given_name": "Wei", "family_name": "Li"})
    preference_service.add_preference(OPERATOR, survivor.id, {
        "category": "food_and_drink", "value": "carrot juice", "prepare_before_arrival": True})
    merged = li_wei(member_number=None, email=None, phone=None, vip_code=None, full_name=None)
    stay = book(merged.id)
    service.mark_done(OPERATOR, by_text(stay.id)[JUICE].id)
    survivor, merged = (guest_service.get_guest(OPERATOR, guest.id, audit_view=False) for guest in (survivor, merged))

    merge.merge_guests(OPERATOR, survivor.id, merged.id, survivor.version, merged.version, {})

    open_tasks = [task for task in tasks(stay.id) if task.cancelled_at is None]
    # The survivor's juice, recorded first, is kept; the task moved to it, still done.
    juice = next(task for task in open_tasks if task.department == "food_and_beverage")
    kept = next(p for p in preference_service.list_preferences(OPERATOR, survivor.id)
                if p.category.code == "food_and_drink")
    assert juice.preference_id == kept.id and juice.done_at is not None
    assert juice.text == "carrot juice — Large glass, in the fridge"
    assert {task.department for task in open_tasks} == {"food_and_beverage", "housekeeping"}
    assert len(tasks(stay.id)) == 2
    assert db.session.scalar(sa.select(Stay.guest_id).where(Stay.id == stay.id)) == survivor.id


def test_the_due_time_follows_the_hotels_own_clock_and_summer_time(hotels):
    paris = property_service.create_property(OPERATOR, code="PAR", name="Paris Opéra", timezone="Europe/Paris",
                                             currency="EUR", check_in_time="15:00")

    summer = planner.due_at(paris, hotel_today().replace(month=7, day=1))
    winter = planner.due_at(paris, hotel_today().replace(month=1, day=15))

    assert (summer.hour, winter.hour) == (13, 14)


def test_a_stay_given_to_another_guest_gets_that_guests_tasks(hotels):
    stay = book(li_wei().id)
    other = guest_service.create_guest(OPERATOR, {"given_name": "Mei", "family_name": "Wang"})
    preference_service.add_preference(OPERATOR, other.id, {
        "category": "temperature", "value": "Room at 20 °C", "prepare_before_arrival": True})

    book(other.id)

    found = by_text(stay.id)
    assert found[JUICE].cancelled_at is not None and found[PILLOW].cancelled_at is not None
    assert found["Room at 20 °C"].cancelled_at is None


def test_a_past_stay_without_tasks_is_decided_in_one_query_and_gets_none(hotels):
    guest = li_wei()
    past = book(guest.id, hotel_today() - timedelta(days=300), pms_id="OLD-1")
    coming = book(guest.id, hotel_today() + timedelta(days=1), pms_id="R-2")
    past_id = past.id

    with counted() as statements:
        outcome = planner.plan_stay(past_id)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]

    assert outcome == {"created": 0, "revived": 0, "updated": 0, "cancelled": 0}
    assert len(selects) == 1 and not any(s.lstrip().upper().startswith(("INSERT", "UPDATE")) for s in statements)
    assert tasks(past_id) == [] and len(tasks(coming.id)) == 2
