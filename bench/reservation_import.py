"""A hotel's initial load: a legacy system's CSV export of its past reservations with their
guests, imported through a csv_import connection with `flask guestrel import`, every row through
the services (identity resolution, stays, audit) as a hotel's own file would go. Then the same
guest and stay rows written with plain executemany, the baseline.

The file holds a profile row per guest, then a stay row per reservation naming its guest by
guest_id (the columns of the csv_import adapter); a third of the stays are a returning guest's."""
import csv
import io
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa

from bench.measure import BenchError
from bench.people import People, write_baseline_guests
from guestrel.guests.models import Guest
from guestrel.stays.models import Stay

COLUMNS = ("record_type", "guest_id", "given_name", "family_name", "email", "phone", "nationality", "language",
           "stay_id", "arrival", "departure", "status", "room_number", "room_type", "rate_code", "revenue_room",
           "currency")
RETURNING_SHARE = 0.35
STATUSES = (("checked_out", 85), ("cancelled", 10), ("no_show", 5))
ROOM_TYPES = {"STD": Decimal("680.00"), "DLX": Decimal("980.00"), "STE": Decimal("2380.00")}
RATE_CODES = ("BAR", "CORP", "PKG", "MEMBER")
# Past stays of the last three years, each over before the import's day.
HISTORY_DAYS = 3 * 365


@dataclass(frozen=True)
class PastStay:
    stay_id: str
    profile_id: str
    arrival: date
    departure: date
    status: str
    room_number: str
    room_type: str
    rate_code: str
    revenue_room: Decimal


@dataclass
class Export:
    body: bytes
    people: list
    stays: list

    @property
    def rows(self) -> int:
        return len(self.people) + len(self.stays)


def _stay(number: int, profile_id: str, today: date, rng: random.Random) -> PastStay:
    arrival = today - timedelta(days=rng.randint(7, HISTORY_DAYS))
    nights = rng.randint(1, 5)
    status = rng.choices([name for name, _weight in STATUSES], [weight for _name, weight in STATUSES])[0]
    room_type = rng.choice(tuple(ROOM_TYPES))
    revenue = ROOM_TYPES[room_type] * nights if status == "checked_out" else Decimal("0.00")
    return PastStay(f"S{number:07d}", profile_id, arrival, arrival + timedelta(days=nights), status,
                    f"{rng.randint(2, 30)}{rng.randint(1, 40):02d}", room_type, rng.choice(RATE_CODES), revenue)


def generate(reservations: int, rng: random.Random) -> Export:
    today = datetime.now(timezone.utc).date()
    people, known, stays = People(rng), [], []
    for number in range(reservations):
        if known and rng.random() < RETURNING_SHARE:
            person = rng.choice(known)
        else:
            person = people.draw()
            known.append(person)
        stays.append(_stay(number, person.profile_id, today, rng))
    text = io.StringIO()
    writer = csv.DictWriter(text, COLUMNS, lineterminator="\n")
    writer.writeheader()
    for person in known:
        writer.writerow({"record_type": "profile", "guest_id": person.profile_id, **{
            name: getattr(person, name)
            for name in ("given_name", "family_name", "email", "phone", "nationality", "language")}})
    for stay in stays:
        writer.writerow({
            "record_type": "stay", "guest_id": stay.profile_id, "stay_id": stay.stay_id,
            "arrival": stay.arrival.isoformat(), "departure": stay.departure.isoformat(), "status": stay.status,
            "room_number": stay.room_number, "room_type": stay.room_type, "rate_code": stay.rate_code,
            "revenue_room": str(stay.revenue_room), "currency": "CNY",
        })
    return Export(text.getvalue().encode(), known, stays)


def check(connection, property_id: int, export: Export):
    """BenchError unless every reservation and guest of the file is stored once."""
    stays = connection.execute(sa.select(sa.func.count()).select_from(Stay)
                               .where(Stay.property_id == property_id, Stay.guest_id.is_not(None))).scalar_one()
    guests = connection.execute(sa.select(sa.func.count()).select_from(Guest)).scalar_one()
    if (stays, guests) != (len(export.stays), len(export.people)):
        raise BenchError(f"the import stored {stays} stays with a guest and {guests} guests;"
                         f" the file holds {len(export.stays)} and {len(export.people)}")


def baseline(engine, property_id: int, export: Export) -> float:
    """Seconds to write the file's guests (with their legacy ids) and stays with one plain
    executemany per table, into the same tables of the same database, as another property."""
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    with engine.begin() as connection:
        guest_ids = write_baseline_guests(connection, export.people, now)
        connection.execute(sa.insert(Stay), [
            {"property_id": property_id, "pms_id": stay.stay_id, "guest_id": guest_ids[stay.profile_id],
             "status": stay.status, "arrival": stay.arrival, "departure": stay.departure,
             "room_number": stay.room_number, "room_type": stay.room_type, "rate_code": stay.rate_code,
             "adults": 1, "children": 0, "revenue_room": stay.revenue_room, "revenue_food_and_beverage": 0,
             "revenue_other": 0, "currency": "CNY", "source_modified_at": now, "created_at": now, "updated_at": now}
            for stay in export.stays])
    return time.perf_counter() - started
