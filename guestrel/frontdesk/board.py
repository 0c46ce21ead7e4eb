"""What the front-desk boards show: a hotel's arrivals of a day, the guests in house and the
day's departures, each stay with its guest, how many stays this is in the chain, and badges:
the preferences to prepare with their tasks' state, allergies, and the occasions during the stay.

Read only, composed across the stays, guests and tasks domains with a fixed number of queries
whatever the number of rows: the stays with their guests, then one query each for stay counts,
loyalty tiers, preferences, special dates and tasks, all for the whole page.
"""
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, contains_eager, lazyload

from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import occasions
from guestrel.guests.models import Guest, Preference, PreferenceCategory, SpecialDate
from guestrel.guests.operation import require
from guestrel.loyalty import service as loyalty_service
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import InvalidDataError
from guestrel.stays.models import Stay
from guestrel.tasks import planner
from guestrel.tasks import service as task_service

VIEWS = ("arrivals", "in_house", "departures")
# The stays that make a guest a returning one: they came, whether they have left or not.
COUNTED_STATUSES = ("in_house", "checked_out")


@dataclass
class Prepare:
    """A preference to prepare before arrival, with its task once the planner made one."""

    preference: Preference
    task: object = None

    @property
    def state(self) -> str:
        if self.task is None:
            return "planned"
        return self.task.status


@dataclass
class Row:
    stay: Stay
    guest: Guest | None
    stay_number: int | None = None
    tier: object = None
    allergies: list = field(default_factory=list)
    to_prepare: list = field(default_factory=list)
    occasions: list = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(item.state == "overdue" for item in self.to_prepare)


@dataclass
class Board:
    hotel: Property
    hotels: list
    view: str
    day: date
    today: date
    rows: list
    counts: dict
    shows_contact: bool

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.rows for item in row.to_prepare if item.state == "overdue")


def _stays(prop: Property, view: str, day: date) -> list[tuple[Stay, Guest | None]]:
    conditions = {
        "arrivals": (Stay.status == "booked", Stay.arrival == day),
        "in_house": (Stay.status == "in_house",),
        "departures": (Stay.status == "in_house", Stay.departure == day),
    }[view]
    rows = db.session.execute(
        sa.select(Stay, Guest).outerjoin(Guest, Guest.id == Stay.guest_id)
        .where(Stay.property_id == prop.id, *conditions)
        .options(lazyload(Stay.stay_property))
    ).all()
    return sorted(rows, key=lambda row: ((row[1].display_name if row[1] else "").casefold(), row[0].id))


def _counts(prop: Property, day: date) -> dict:
    """How many stays each view holds, for its tab, in one query."""
    in_house = Stay.status == "in_house"
    arrivals, staying, departures = db.session.execute(
        sa.select(
            sa.func.count().filter(Stay.status == "booked", Stay.arrival == day),
            sa.func.count().filter(in_house),
            sa.func.count().filter(in_house, Stay.departure == day),
        ).where(Stay.property_id == prop.id, sa.or_(Stay.status == "booked", in_house),
                sa.or_(Stay.arrival == day, in_house))
    ).one()
    return {"arrivals": arrivals, "in_house": staying, "departures": departures}


def _stay_numbers(stay_ids) -> dict[int, int]:
    """Which stay in the chain each is: the guest's stays that came (in house or checked out),
    this one left out, plus one."""
    earlier = aliased(Stay)
    rows = db.session.execute(
        sa.select(Stay.id, sa.func.count(earlier.id))
        .outerjoin(earlier, sa.and_(earlier.guest_id == Stay.guest_id, earlier.id != Stay.id,
                                    earlier.status.in_(COUNTED_STATUSES)))
        .where(Stay.id.in_(stay_ids), Stay.guest_id.is_not(None))
        .group_by(Stay.id)
    ).all()
    return {stay_id: count + 1 for stay_id, count in rows}


def _preferences(prop: Property, guest_ids) -> dict[int, list[Preference]]:
    """The guests' active preferences the board shows at this hotel: to prepare, or allergies."""
    preferences = db.session.scalars(
        sa.select(Preference).join(Preference.category)
        .where(Preference.guest_id.in_(guest_ids), Preference.retired_at.is_(None),
               sa.or_(Preference.property_id.is_(None), Preference.property_id == prop.id),
               sa.or_(Preference.prepare_before_arrival.is_(True), PreferenceCategory.is_allergy.is_(True),
                      Preference.priority == "critical"))
        .options(contains_eager(Preference.category), lazyload(Preference.scope_property))
        .order_by(PreferenceCategory.sort_order, Preference.id)
    ).all()
    found = {}
    for preference in preferences:
        found.setdefault(preference.guest_id, []).append(preference)
    return found


def _special_dates(guest_ids) -> dict[int, list[SpecialDate]]:
    found = {}
    for special in db.session.scalars(sa.select(SpecialDate).where(SpecialDate.guest_id.in_(guest_ids))):
        found.setdefault(special.guest_id, []).append(special)
    return found


def hotels_of(principal: Principal) -> list[Property]:
    return property_service.list_properties(principal)


def build(principal: Principal, view: str, property_code: str | None = None, day: date | None = None,
          now: datetime | None = None) -> Board | None:
    """The board `view` (arrivals, in_house or departures) of a hotel the principal covers (the
    first of them by default) on `day` (today on the hotel's clock by default). None when the
    principal works at no hotel. Contact-bound facts (occasions) only for guests:contact."""
    require(principal, "arrivals:read")
    if view not in VIEWS:
        raise InvalidDataError({"view": [_("Choose one of: %(choices)s.", choices=", ".join(VIEWS))]})
    hotels = hotels_of(principal)
    if not hotels:
        return None
    prop = property_service.get_property(principal, property_code) if property_code else hotels[0]
    now = now or utcnow()
    today = planner.hotel_today(prop, now)
    day = day or today
    stays = _stays(prop, view, day)
    rows = [Row(stay, guest) for stay, guest in stays]
    shows_contact = principal.can("guests:contact")
    guest_ids = sorted({row.guest.id for row in rows if row.guest is not None})
    if rows:
        numbers = _stay_numbers([row.stay.id for row in rows])
        preferences = _preferences(prop, guest_ids) if guest_ids else {}
        special_dates = _special_dates(guest_ids) if guest_ids and shows_contact else {}
        tasks = task_service.for_stays([row.stay.id for row in rows], now) if principal.can("tasks:read") else {}
        tiers = loyalty_service.tiers_of(guest_ids) if principal.can("loyalty:read") else {}
        for row in rows:
            _fill(row, numbers, preferences, special_dates, tasks, shows_contact)
            row.tier = tiers.get(row.guest.id) if row.guest is not None else None
    return Board(prop, hotels, view, day, today, rows, _counts(prop, day), shows_contact)


def _fill(row: Row, numbers, preferences, special_dates, tasks, shows_contact):
    row.stay_number = numbers.get(row.stay.id)
    if row.guest is None:
        return
    by_preference = {view.task.preference_id: view for view in tasks.get(row.stay.id, [])}
    for preference in preferences.get(row.guest.id, []):
        if preference.category.is_allergy or preference.priority == "critical":
            row.allergies.append(preference)
        if preference.prepare_before_arrival:
            row.to_prepare.append(Prepare(preference, by_preference.get(preference.id)))
    if shows_contact:
        row.occasions = occasions.during_stay(row.guest, special_dates.get(row.guest.id, []),
                                              row.stay.arrival, row.stay.departure)
