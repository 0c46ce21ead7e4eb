"""The simulated hotel: every reservation arriving on a day, with its history, drawn from a
random generator seeded by the settings' seed, the hotel and that day alone. The same day is
therefore the same whenever and however often it is asked for, and so is every change in any
interval: that is what lets a poll be repeated without a second effect.

A reservation is booked up to two weeks ahead, then either cancelled before the guest comes,
missed (a no-show, recorded at the night audit), or checked in around the check-in hour of its
arrival day and out around the check-out hour of its departure day with its revenue. Known
guests come back on a cycle of their own (never twice at once); the others are invented.
"""
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from guestrel_demo_pms.names import invented_guest
from guestrel_demo_pms.settings import MAX_NIGHTS

CHANGE_KINDS = ("booked", "checked_in", "checked_out", "cancelled", "no_show")
FINAL_KINDS = frozenset({"checked_out", "cancelled", "no_show"})
# Days between booking and arrival, and how often each is chosen: most guests book a few days ahead.
LEAD_DAYS = tuple(range(15))
LEAD_WEIGHTS = (6, 8, 8, 7, 6, 5, 5, 4, 4, 3, 3, 2, 2, 2, 2)
NIGHTS, NIGHT_WEIGHTS = (1, 2, 3, 4), (35, 35, 20, 10)
# (code, share of bookings, price as a share of the standard double's)
ROOM_TYPES = (("STD", 55, Decimal("0.8")), ("DLX", 35, Decimal("1.0")), ("STE", 10, Decimal("1.9")))
RATE_CODES, RATE_WEIGHTS = ("BAR", "ADV7", "CORP", "PKG-BF"), (50, 20, 20, 10)
# (channel, share, prefix of its confirmation numbers; None: booked with the hotel itself)
CHANNELS = (("direct", 30, None), ("phone", 10, None), ("booking.com", 25, "BDC"), ("ctrip", 25, "CT"),
            ("expedia", 10, "EXP"))
CANCELLED_SHARE, NO_SHOW_SHARE = 0.08, 0.05
# Food and drink a night, and extras (laundry, minibar, parking) for the whole stay, as
# percentages of the standard double's rate: many guests have neither.
FOOD_SHARES = (0, 0, 10, 20, 35, 50)
EXTRAS_SHARES = (0, 0, 0, 5, 15, 30)
# A known guest books at most once per cycle, and in this share of cycles.
CYCLE_DAYS = (5, 10)
RETURN_SHARE = 0.8
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Change:
    """One thing that happened to a reservation, at `at` (UTC). A check-in names the room, a
    check-out the stay's revenue as {room, food_and_beverage, other}."""

    kind: str
    at: datetime
    room_number: str | None = None
    revenue: Mapping | None = None


@dataclass(frozen=True)
class Reservation:
    id: str
    # The guest's profile: external_id, names, email, phone, nationality, language as known.
    guest: Mapping
    arrival: date
    departure: date
    room_type: str
    room_number: str
    rate_code: str
    channel: str
    channel_confirmation: str | None
    adults: int
    children: int
    nightly_rate: Decimal
    changes: tuple[Change, ...]

    def changes_until(self, moment: datetime) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.at <= moment)


@dataclass(frozen=True)
class Hotel:
    """The loaded settings the simulation needs."""

    code: str
    name: str
    zone: ZoneInfo
    currency: str
    arrivals_per_day: int
    check_in_hour: int
    check_out_hour: int
    nightly_rate: Decimal
    seed: int
    guests: tuple[Mapping, ...]

    @classmethod
    def from_settings(cls, config: Mapping) -> "Hotel":
        return cls(code=config["hotel_code"], name=config["hotel_name"], zone=ZoneInfo(config["timezone"]),
                   currency=config["currency"], arrivals_per_day=config["arrivals_per_day"],
                   check_in_hour=config["check_in_hour"], check_out_hour=config["check_out_hour"],
                   nightly_rate=config["nightly_rate"], seed=config["seed"], guests=tuple(config["guests"]))


def _room_number(day: date, slot: int) -> str:
    """Rooms go to arrivals in blocks of 40 per day, 7 days' blocks apart: no two stays of one
    week (a stay lasts at most MAX_NIGHTS) share a room. Floors 3 to 16, rooms 01 to 20."""
    index = (day.toordinal() % (MAX_NIGHTS + 1)) * 40 + slot % 40
    return f"{3 + index // 20}{index % 20 + 1:02d}"


class Simulation:
    """The hotel's reservations, drawn day by day, and their changes in a window of time."""

    def __init__(self, hotel: Hotel):
        self.hotel = hotel
        # A day is drawn once per adapter, although every page asks for the three weeks around it.
        self.arrivals = lru_cache(maxsize=64)(self._arrivals)

    def _rng(self, *parts) -> random.Random:
        # A string seed is hashed with SHA-512, the same in every process (unlike hash()).
        return random.Random("/".join(str(part) for part in (self.hotel.seed, self.hotel.code, *parts)))

    def _local(self, day: date, hour: int, minutes: int = 0) -> datetime:
        moment = datetime.combine(day, time(hour), tzinfo=self.hotel.zone) + timedelta(minutes=minutes)
        return moment.astimezone(timezone.utc)

    def _pinned(self, guest: Mapping) -> tuple[date, date] | None:
        if guest.get("arrival") is None:
            return None
        return guest["arrival"], guest["arrival"] + timedelta(days=guest["nights"])

    def _returns_on(self, guest: Mapping, day: date) -> bool:
        """The known guest's cycle: one day in every 5 to 10, most cycles with a stay. No stay of
        at most 4 nights overlaps the next, nor the guest's pinned stay."""
        pinned = self._pinned(guest)
        if pinned and pinned[0] - timedelta(days=max(NIGHTS)) < day < pinned[1]:
            return False
        cycle_rng = self._rng(guest["external_id"])
        cycle = cycle_rng.randint(*CYCLE_DAYS)
        offset = cycle_rng.randrange(cycle)
        return (day.toordinal() - offset) % cycle == 0 and self._rng(guest["external_id"], day).random() < RETURN_SHARE

    def _arrivals(self, day: date) -> tuple[Reservation, ...]:
        rng = self._rng(day.isoformat())
        count = round(self.hotel.arrivals_per_day * rng.uniform(0.75, 1.25))
        pinned = [guest for guest in self.hotel.guests if guest.get("arrival") == day]
        returning = [guest for guest in self.hotel.guests if self._returns_on(guest, day)]
        guests = [(guest, guest["nights"]) for guest in pinned] + [(guest, None) for guest in returning]
        reservations = []
        for slot in range(max(count, len(guests))):
            number = f"{day:%y%m%d}-{slot + 1:02d}"
            if slot < len(guests):
                guest, nights = guests[slot]
                profile = {name: value for name, value in guest.items() if name not in ("arrival", "nights")}
            else:
                profile = {"external_id": f"DEMO-G{self.hotel.code}{number.replace('-', '')}"}
                profile |= invented_guest(f"{self.hotel.seed}/{profile['external_id']}")
                nights = None
            reservations.append(self._reservation(rng, day, slot, number, profile, nights))
        return tuple(reservations)

    def _reservation(self, rng: random.Random, day: date, slot: int, number: str, profile: Mapping,
                     pinned_nights: int | None) -> Reservation:
        hotel = self.hotel
        # Every draw is made whatever the outcome, so one reservation's fate never shifts the next's.
        lead = rng.choices(LEAD_DAYS, LEAD_WEIGHTS)[0]
        nights = rng.choices(NIGHTS, NIGHT_WEIGHTS)[0]
        room_type, _share, price = rng.choices(ROOM_TYPES, [share for _code, share, _price in ROOM_TYPES])[0]
        rate_code = rng.choices(RATE_CODES, RATE_WEIGHTS)[0]
        channel, _share, prefix = rng.choices(CHANNELS, [share for _name, share, _prefix in CHANNELS])[0]
        confirmation = f"{prefix}{rng.randrange(10**8, 10**9)}" if prefix else None
        adults, children = rng.choices((1, 2), (45, 55))[0], rng.choices((0, 1, 2), (85, 10, 5))[0]
        fate = rng.random()
        check_in = self._local(day, hotel.check_in_hour, rng.randint(-60, 240))
        # Same-day bookings are made overnight, at least an hour before the guest turns up.
        booked = (self._local(day, 0, rng.randrange(6 * 60)) if lead == 0
                  else self._local(day - timedelta(days=lead), 7, rng.randrange(16 * 60)))
        minutes_to_check_in = (check_in - booked).total_seconds() // 60
        cancelled = booked + timedelta(minutes=int(minutes_to_check_in * rng.uniform(0.1, 0.9)))
        no_show = self._local(day + timedelta(days=1), 1, rng.randrange(30, 90))
        check_out_minutes = rng.randint(-180, 60)
        food_share, extras_share = rng.choice(FOOD_SHARES), rng.choice(EXTRAS_SHARES)
        if pinned_nights is not None:
            # The demo's story: booked two days ahead, and the guest certainly comes.
            nights, fate = pinned_nights, 1.0
            booked = self._local(day - timedelta(days=2), 9)
        departure = day + timedelta(days=nights)
        rate = (hotel.nightly_rate * price).quantize(CENT)
        room_number = _room_number(day, slot)
        changes = [Change("booked", booked)]
        if fate < CANCELLED_SHARE:
            changes.append(Change("cancelled", cancelled))
        elif fate < CANCELLED_SHARE + NO_SHOW_SHARE:
            changes.append(Change("no_show", no_show))
        else:
            revenue = {"room": (rate * nights).quantize(CENT),
                       "food_and_beverage": (hotel.nightly_rate * food_share * nights / 100).quantize(CENT),
                       "other": (hotel.nightly_rate * extras_share / 100).quantize(CENT)}
            changes += [Change("checked_in", check_in, room_number=room_number),
                        Change("checked_out", self._local(departure, hotel.check_out_hour, check_out_minutes),
                               revenue=revenue)]
        return Reservation(
            id=f"{hotel.code}-{number}", guest=profile, arrival=day, departure=departure, room_type=room_type,
            room_number=room_number, rate_code=rate_code, channel=channel, channel_confirmation=confirmation,
            adults=adults, children=children, nightly_rate=rate, changes=tuple(changes),
        )

    def _days_around(self, first: datetime, last: datetime):
        """The arrival days whose reservations can change between the two moments: booked up to
        two weeks ahead, gone at most MAX_NIGHTS nights (and a night audit) later."""
        day = first.astimezone(self.hotel.zone).date() - timedelta(days=MAX_NIGHTS + 1)
        end = last.astimezone(self.hotel.zone).date() + timedelta(days=max(LEAD_DAYS))
        while day <= end:
            yield day
            day += timedelta(days=1)

    def changes_between(self, after: datetime, until: datetime) -> list[tuple[Reservation, tuple[Change, ...]]]:
        """Each reservation that changed after `after` and up to `until`, with those changes."""
        found = []
        for day in self._days_around(after, until):
            for reservation in self.arrivals(day):
                changes = tuple(c for c in reservation.changes if after < c.at <= until)
                if changes:
                    found.append((reservation, changes))
        return found

    def open_at(self, moment: datetime) -> list[tuple[Reservation, tuple[Change, ...]]]:
        """Each reservation booked by `moment` and not yet over then (not departed, cancelled or
        missed), with its changes so far: what a PMS hands over when it is first connected."""
        found = []
        for day in self._days_around(moment, moment):
            for reservation in self.arrivals(day):
                changes = reservation.changes_until(moment)
                if changes and changes[-1].kind not in FINAL_KINDS:
                    found.append((reservation, changes))
        return found
