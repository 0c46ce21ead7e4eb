"""A burst of PMS webhooks through the inbound endpoint, end to end: a fifth of the events sent
twice, all in shuffled order, in deliveries of BATCH events, each stored, parsed by the
bench_pms adapter and applied (jobs run in the request, as `GUESTREL_JOBS = "immediate"` does;
a worker runs the same code). Then SQL counts what applying an event twice would have left.

The events are the PMS's: each is a reservation as it stands after a change, with its guest.
Every reservation is booked (its first event) and then either checked in or changed (its
second): the adapter turns an in-house reservation into two normalised events, the reservation
and its check-in. A guest is new, returning (the same profile id), or booked through a channel
that passes on the guest's name and e-mail address but no profile id: identity resolution then
matches the profile by e-mail."""
import json
import random
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from bench.measure import BenchError
from bench.people import People, write_baseline_guests
from guestrel.audit.models import AuditEntry
from guestrel.guests.models import Guest
from guestrel.stays.models import Stay
from guestrel.sync.models import InboxEvent, InboxMessage

BATCH = 50
DUPLICATE_SHARE = 0.2
CHECKED_IN_SHARE = 0.6
RETURNING_SHARE = 0.2
CHANNEL_SHARE = 0.05
# The PMS's clock: a day of bookings, the second event of a reservation some hours later.
STARTED_AT = datetime(2026, 11, 20, 0, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class FinalStay:
    """A reservation as its newest event leaves it."""

    status: str
    room: str | None
    arrival: date
    departure: date
    adults: int
    profile_id: str


@dataclass
class Burst:
    deliveries: list
    events: int
    duplicates: int
    # reservation id -> FinalStay
    final: dict
    # profile id -> Person; every reservation's guest is one of them.
    people: dict
    # The normalised events the unique PMS events become, as (event id, kind).
    normalised: list = field(default_factory=list)


def _reservation(number: int, guest: dict, rng: random.Random) -> dict:
    arrival = STARTED_AT.date() + timedelta(days=rng.randrange(0, 30))
    return {"id": f"R{number:07d}", "state": "reserved", "arrival": arrival.isoformat(),
            "departure": (arrival + timedelta(days=rng.randint(1, 5))).isoformat(), "room": None,
            "adults": rng.choice((1, 2, 2, 2, 3)), "guest": guest}


def _guest(people: People, known: list, rng: random.Random) -> tuple[dict, object]:
    """The reservation's guest as the PMS sends it, and the person it is."""
    if known and rng.random() < RETURNING_SHARE:
        person = rng.choice(known)
        return person.profile(), person
    if known and rng.random() < CHANNEL_SHARE:
        person = rng.choice(known)
        return {"given_name": person.given_name, "family_name": person.family_name, "email": person.email}, person
    person = people.draw()
    known.append(person)
    return person.profile(), person


def _second_event(reservation: dict, booked_at: datetime, rng: random.Random) -> tuple[dict, datetime]:
    changed = dict(reservation, room=f"{rng.randint(2, 30)}{rng.randint(1, 40):02d}")
    at = booked_at + timedelta(minutes=rng.randint(30, 48 * 60))
    if rng.random() < CHECKED_IN_SHARE:
        changed |= {"state": "in_house", "checked_in_at": at.isoformat()}
    else:
        departure = date.fromisoformat(reservation["departure"]) + timedelta(days=1)
        changed["departure"] = departure.isoformat()
    return changed, at


def generate(events: int, rng: random.Random) -> Burst:
    """`events` PMS events, DUPLICATE_SHARE of them copies of others, shuffled into deliveries."""
    duplicates = round(events * DUPLICATE_SHARE)
    unique = events - duplicates
    people, known, final, persons = People(rng), [], {}, {}
    items, normalised = [], []
    for number in range((unique + 1) // 2):
        guest, person = _guest(people, known, rng)
        persons[person.profile_id] = person
        reservation = _reservation(number, guest, rng)
        booked_at = STARTED_AT + timedelta(seconds=number * 20)
        versions = [(reservation, booked_at)]
        if len(items) + 2 <= unique:
            versions.append(_second_event(reservation, booked_at, rng))
        for version, (state, at) in enumerate(versions, start=1):
            event_id = f"{state['id']}:{version}"
            items.append({"id": event_id, "modified": at.isoformat(), "reservation": state})
            normalised.append((f"{event_id}:upserted", "ReservationUpserted"))
            if state["state"] == "in_house":
                normalised.append((f"{event_id}:checked_in", "CheckedIn"))
        newest = versions[-1][0]
        final[newest["id"]] = FinalStay(
            "in_house" if newest["state"] == "in_house" else "booked", newest["room"],
            date.fromisoformat(newest["arrival"]), date.fromisoformat(newest["departure"]), newest["adults"],
            person.profile_id)
    sent = items + rng.sample(items, duplicates)
    rng.shuffle(sent)
    deliveries = [json.dumps({"events": sent[start:start + BATCH]}).encode() for start in range(0, len(sent), BATCH)]
    return Burst(deliveries, len(sent), duplicates, final, persons, normalised)


def deliver(client, url: str, burst: Burst) -> float:
    """Post every delivery; the seconds it took. BenchError on any refusal or failure."""
    started = time.perf_counter()
    for body in burst.deliveries:
        response = client.post(url, data=body, content_type="application/json")
        if response.status_code != 202 or response.json["status"] == "failed":
            raise BenchError(f"a delivery answered {response.status_code}: {response.get_data(as_text=True)[:500]}")
    return time.perf_counter() - started


def _beyond_one(column, *where) -> sa.Select:
    """How many rows there are beyond the first of each value of `column`."""
    counts = sa.select(sa.func.count().label("n")).where(*where).group_by(column).subquery()
    return sa.select(sa.func.coalesce(sa.func.sum(counts.c.n - 1), 0)).where(counts.c.n > 1)


def duplicate_effects(connection, property_id: int, burst: Burst) -> dict:
    """What applying an event twice would leave, counted in SQL: reservations stored twice, a
    stay created or checked in twice, an event claimed twice, a guest created twice."""
    of_property = AuditEntry.property_id == property_id
    checked_in = AuditEntry.changes[("status", 1)].as_string() == "in_house"
    counts = {
        "stays": _beyond_one(Stay.pms_id, Stay.property_id == property_id),
        "stay_creations": _beyond_one(AuditEntry.entity_id, of_property, AuditEntry.entity_type == "stay",
                                      AuditEntry.action == "create"),
        "check_ins": _beyond_one(AuditEntry.entity_id, of_property, AuditEntry.entity_type == "stay", checked_in),
        "inbox_events": _beyond_one(InboxEvent.event_id, InboxEvent.property_id == property_id),
    }
    # PostgreSQL sums counts as numeric: the figures go into JSON as plain integers.
    found = {name: int(connection.execute(query).scalar_one()) for name, query in counts.items()}
    guests = connection.execute(sa.select(sa.func.count()).select_from(Guest)
                                .where(Guest.merged_into_id.is_(None))).scalar_one()
    found["guests"] = max(0, guests - len(burst.people))
    return found


def missing_effects(connection, property_id: int, burst: Burst) -> int:
    """Reservations not stored as their newest event left them (status, room, a guest), and
    events that failed: what a lost event would leave."""
    stored = {pms_id: ((status, room), guest_id) for pms_id, status, room, guest_id in connection.execute(
        sa.select(Stay.pms_id, Stay.status, Stay.room_number, Stay.guest_id).where(Stay.property_id == property_id))}
    wrong = sum(1 for pms_id, final in burst.final.items()
                if pms_id not in stored or stored[pms_id][0] != (final.status, final.room) or stored[pms_id][1] is None)
    failed = connection.execute(sa.select(sa.func.count()).select_from(InboxEvent).where(
        InboxEvent.property_id == property_id, InboxEvent.status == "failed")).scalar_one()
    claimed = connection.execute(sa.select(sa.func.count()).select_from(InboxEvent).where(
        InboxEvent.property_id == property_id)).scalar_one()
    return wrong + failed + max(0, len(burst.normalised) - claimed)


def baseline(engine, property_id: int, burst: Burst) -> float:
    """Seconds to write, with one plain executemany per table, the rows the unique events
    leave: the guests and their profile ids, the stays as they end, one inbox row per event.
    Into the same tables of the same database, as another property and source."""
    now = datetime.now(timezone.utc)
    started = time.perf_counter()
    with engine.begin() as connection:
        guest_ids = write_baseline_guests(connection, burst.people.values(), now)
        connection.execute(sa.insert(Stay), _baseline_stays(property_id, burst, guest_ids, now))
        message_id = connection.execute(sa.insert(InboxMessage).values(
            adapter="baseline", property_id=property_id, origin="webhook", headers={}, body=b"",
            body_sha256="0" * 64, status="applied", attempts=1, received_at=now).returning(InboxMessage.id)).scalar_one()
        connection.execute(sa.insert(InboxEvent), [
            {"message_id": message_id, "adapter": "baseline", "property_id": property_id, "event_id": event_id,
             "kind": kind, "payload": {}, "status": "applied", "created_at": now, "applied_at": now}
            for event_id, kind in burst.normalised])
    return time.perf_counter() - started


def _baseline_stays(property_id, burst: Burst, guest_ids: dict, now) -> list[dict]:
    return [{"property_id": property_id, "pms_id": pms_id, "guest_id": guest_ids[final.profile_id],
             "status": final.status, "room_number": final.room, "arrival": final.arrival,
             "departure": final.departure, "adults": final.adults, "children": 0, "revenue_room": 0,
             "revenue_food_and_beverage": 0, "revenue_other": 0, "currency": "CNY", "source_modified_at": now,
             "checked_in_at": now if final.status == "in_house" else None, "created_at": now, "updated_at": now}
            for pms_id, final in burst.final.items()]
