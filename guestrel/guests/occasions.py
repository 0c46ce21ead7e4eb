"""A guest's occasions (birthday, anniversary, special dates) as they fall in a span of days:
"her birthday is during this stay", "their anniversary is in twelve days"."""
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Occasion:
    kind: str
    label: str | None
    # The date as recorded (its year is the birth or wedding year, or the first occurrence).
    recorded: date
    # Where it falls in the span asked about.
    on: date


def anniversary_in(recorded: date, start: date, end: date) -> date | None:
    """The day `recorded` comes round again between `start` and `end` (both included), or None.
    A 29 February is kept on 28 February in other years."""
    for year in range(start.year, end.year + 1):
        try:
            day = recorded.replace(year=year)
        except ValueError:
            day = date(year, 2, 28)
        if start <= day <= end and day >= recorded:
            return day
    return None


def occasions_between(guest, special_dates, start: date, end: date) -> list[Occasion]:
    """The guest's occasions that fall between `start` and `end`, soonest first: the birthday and
    anniversary on the profile and every special date."""
    recorded = [("birthday", None, guest.birthday), ("anniversary", None, guest.anniversary)]
    recorded += [(special.kind, special.label, special.date) for special in special_dates]
    found = []
    for kind, label, day in recorded:
        if day is None:
            continue
        on = anniversary_in(day, start, end)
        if on is not None:
            found.append(Occasion(kind, label, day, on))
    return sorted(found, key=lambda occasion: occasion.on)


def during_stay(guest, special_dates, arrival: date, departure: date) -> list[Occasion]:
    """The occasions from the arrival day to the departure day."""
    return occasions_between(guest, special_dates, arrival, max(arrival, departure))


def upcoming(guest, special_dates, today: date, days: int = 30) -> list[Occasion]:
    return occasions_between(guest, special_dates, today, today + timedelta(days=days))
