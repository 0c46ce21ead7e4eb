"""The demo PMS: a simulated hotel for the embedded default, polled like a real PMS.

`poll` exports, one simulated hour per page, what happened in the hotel between the cursor and
now; `parse_page` turns such a page into guestrel's events. The first poll of a connection
exports the reservations open two days ago (what a PMS hands over when it is first connected)
and the cursor then walks from there to now. Nothing goes over the network.

Every change of a reservation becomes the reservation as it stands (ReservationUpserted) and,
unless it was the booking, the change itself (CheckedIn, CheckedOut, ReservationCancelled,
NoShow). Their event ids name the reservation and the change, so the same change exported in
two pages, or a page polled twice, has one effect.
"""
from datetime import datetime, timedelta, timezone

import marshmallow

from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    ConnectionCheck,
    GuestData,
    GuestProfileFact,
    NoShow,
    PayloadError,
    PmsAdapter,
    PollResult,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
)
from guestrel_demo_pms import export
from guestrel_demo_pms.settings import DemoPmsSettings
from guestrel_demo_pms.simulation import Hotel, Simulation

# How far back the first poll of a connection starts, and how much simulated time a page covers.
FIRST_POLL_LOOKBACK = timedelta(days=2)
PAGE = timedelta(hours=1)
STATUS_EVENTS = {"checked_in": CheckedIn, "checked_out": CheckedOut, "cancelled": ReservationCancelled,
                 "no_show": NoShow}
PROFILE_FIELDS = ("given_name", "family_name", "full_name", "email", "phone", "nationality", "language")


def _hour(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _cursor(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise PayloadError(f"The cursor {value!r} is not a time the demo PMS wrote; clear it to start again.")
    return moment.astimezone(timezone.utc)


def _events(reservation: dict, guest: GuestData, currency: str) -> list:
    common = {"reservation_id": reservation["id"]}
    details = {name: reservation[name] for name in ("arrival", "departure", "room_type", "room_number", "rate_code",
                                                    "channel", "channel_confirmation", "adults", "children")}
    events = []
    for change in reservation["changes"]:
        kind, at = change["kind"], change["at"]
        suffix = "" if kind == "booked" else "/reservation"
        events.append(ReservationUpserted(event_id=f"{reservation['id']}/{kind}{suffix}", source_modified_at=at,
                                          guest=guest, **common, **details))
        if kind == "booked":
            continue
        extra = {}
        if kind == "checked_in":
            extra = {"at": at, "room_number": change["room_number"]}
        elif kind == "checked_out":
            money = change["revenue"]
            extra = {"at": at, "revenue": None if money is None else Revenue(currency=currency, **money)}
        events.append(STATUS_EVENTS[kind](event_id=f"{reservation['id']}/{kind}", source_modified_at=at,
                                          **common, **extra))
    return events


class DemoPmsAdapter(PmsAdapter):
    name = "demo_pms"
    settings_schema = DemoPmsSettings
    poll_interval = 60.0

    def __init__(self, settings, http_session):
        super().__init__(settings, http_session)
        try:
            self.hotel = Hotel.from_settings(DemoPmsSettings().load(dict(settings), unknown=marshmallow.EXCLUDE))
            self.simulation, self.problem = Simulation(self.hotel), None
        except marshmallow.ValidationError as error:
            self.hotel = self.simulation = None
            self.problem = ("The demo PMS connection's settings are incomplete or wrong: "
                            + ", ".join(sorted(error.messages_dict)) + ".")

    def now(self) -> datetime:
        """The simulated hotel's clock; tests give an instance (or the class) another."""
        return datetime.now(timezone.utc)

    def check_connection(self) -> ConnectionCheck:
        if self.hotel is None:
            return ConnectionCheck(False, self.problem)
        return ConnectionCheck(True, f"Simulated PMS for {self.hotel.name}: no network involved, "
                                     f"about {self.hotel.arrivals_per_day} arrivals a day.")

    def poll(self, cursor: str | None) -> PollResult:
        simulation = self.simulation
        if simulation is None:
            raise PayloadError(self.problem)
        now = self.now().astimezone(timezone.utc)
        if cursor is None:
            start = _hour(now - FIRST_POLL_LOOKBACK)
            found = simulation.open_at(start)
            body = export.write(self.hotel, None, start, found) if found else None
            return PollResult(body, start.isoformat(), more=start < now)
        after = _cursor(cursor)
        if after >= now:
            return PollResult(None, cursor, more=False)
        until = min(_hour(after) + PAGE, now)
        found = simulation.changes_between(after, until)
        body = export.write(self.hotel, after, until, found) if found else None
        return PollResult(body, until.isoformat(), more=until < now)

    def parse_page(self, body: bytes) -> list:
        """The page's events, each reservation's in the order they happened; the page carries
        all it refers to, so this needs no settings."""
        try:
            page = export.read(body)
        except ValueError as error:
            raise PayloadError(str(error)) from None
        currency = page["hotel"]["currency"]
        guests = {
            profile["id"]: GuestData(external_id=profile["id"], **{name: profile[name] for name in PROFILE_FIELDS})
            for profile in page["profiles"]
        }
        events = []
        for reservation in page["reservations"]:
            events += _events(reservation, guests[reservation["profile_id"]], currency)
        return sorted(events, key=lambda event: event.source_modified_at)

    def parse_webhook(self, headers, body) -> list:
        raise PayloadError("The demo PMS does not send webhooks; it is polled.")

    def push(self, fact: GuestProfileFact) -> None:
        """Accepted and forgotten: the simulated PMS keeps no guest profiles, so guestrel's
        memory has nowhere to go. Never fails, so the outbox shows the delivery as done."""
