"""Guests and stays for the task and board tests: Li Wei, whose carrot juice waits in the fridge
and whose pillow is feather-free, allergic to peanuts, booked at Shanghai."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.stays import service as stay_service
from guestrel.tasks.models import PreArrivalTask

SHANGHAI = ZoneInfo("Asia/Shanghai")


def hotel_today() -> date:
    return utcnow().astimezone(SHANGHAI).date()


def shanghai_time(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on the Shanghai hotels' clock, in UTC as stored."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI).astimezone(timezone.utc)


def li_wei(**fields):
    guest = guest_service.create_guest(OPERATOR, {
        "given_name": "Wei", "family_name": "Li", "full_name": "李伟", "vip_code": "GOLD",
        "member_number": "GR-1208", "email": "li.wei@example.com", "phone": "+86 138 0013 8000", **fields})
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "food_and_drink", "value": "Carrot juice", "detail": "Large glass, in the fridge",
        "prepare_before_arrival": True})
    preference_service.add_preference(OPERATOR, guest.id, {
        "category": "bed_and_pillow", "value": "Feather-free pillow", "prepare_before_arrival": True})
    preference_service.add_preference(OPERATOR, guest.id, {"category": "dietary_and_allergy", "value": "Peanuts"})
    preference_service.add_preference(OPERATOR, guest.id, {"category": "room", "value": "High floor"})
    return guest


_moments = iter(range(1, 1_000_000))


def book(guest_id, arrival=None, room="1208", pms_id="R-1", property_code="SHA", nights=2, **fields):
    """Create or update the reservation, each call newer than the one before."""
    arrival = arrival or hotel_today()
    moment = datetime(2026, 11, 1, tzinfo=timezone.utc) + timedelta(seconds=next(_moments))
    return stay_service.upsert_stay(OPERATOR, property_code, pms_id, {
        "source_modified_at": moment, "guest_id": guest_id, "arrival": arrival,
        "departure": arrival + timedelta(days=nights), "room_number": room, **fields}).stay


def tasks(stay_id=None) -> list[PreArrivalTask]:
    db.session.expire_all()
    query = sa.select(PreArrivalTask).order_by(PreArrivalTask.id)
    if stay_id is not None:
        query = query.where(PreArrivalTask.stay_id == stay_id)
    return db.session.scalars(query).all()


def by_text(stay_id=None) -> dict[str, PreArrivalTask]:
    return {task.text: task for task in tasks(stay_id)}
