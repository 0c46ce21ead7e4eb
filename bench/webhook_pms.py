"""The benchmark's PMS adapter `bench_pms`: webhooks that carry each changed reservation whole,
with its guest's profile, as Mews's and most PMSs' reservation feeds do once fetched. No
built-in adapter reads webhooks without calling its PMS back (demo_pms is only polled; mews and
apaleo fetch what a webhook names), so this one is installed for the run the way any plugin is:
a distribution with an entry point in the `guestrel.plugins` group (see `installed`).

    {"events": [{"id": "R000123:2", "modified": "2026-11-20T10:00:00+00:00",
                 "reservation": {"id": "R000123", "state": "in_house", "arrival": "2026-11-20",
                                 "departure": "2026-11-22", "room": "1208", "checked_in_at": "...",
                                 "guest": {"id": "P000045", "given_name": "Wei", ...}}}]}

Each event becomes the reservation as it stands (ReservationUpserted) and, when it is in house,
its check-in (CheckedIn), with ids derived from the PMS's event id.
"""
import contextlib
import json
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

import marshmallow

from guestrel.plugins.plugin_api import (
    CheckedIn, ConnectionCheck, GuestData, PayloadError, PmsAdapter, PollResult, ReservationUpserted, hookimpl,
)

NAME = "bench_pms"
GUEST_FIELDS = ("given_name", "family_name", "email", "phone", "nationality", "language")


class Settings(marshmallow.Schema):
    pass


def _event(item) -> list:
    reservation = item["reservation"]
    modified = datetime.fromisoformat(item["modified"])
    profile = reservation.get("guest")
    guest = None
    if profile:
        guest = GuestData(external_id=profile.get("id"), **{name: profile.get(name) for name in GUEST_FIELDS})
    common = {"reservation_id": reservation["id"], "source_modified_at": modified}
    events = [ReservationUpserted(
        event_id=f"{item['id']}:upserted", **common, guest=guest, arrival=date.fromisoformat(reservation["arrival"]),
        departure=date.fromisoformat(reservation["departure"]), room_number=reservation.get("room"),
        adults=reservation.get("adults", 1))]
    if reservation["state"] == "in_house":
        events.append(CheckedIn(event_id=f"{item['id']}:checked_in", **common,
                                at=datetime.fromisoformat(reservation["checked_in_at"]),
                                room_number=reservation.get("room")))
    return events


class BenchPms(PmsAdapter):
    name = NAME
    settings_schema = Settings

    def check_connection(self):
        return ConnectionCheck(True, "The benchmark's PMS needs no network.")

    def parse_webhook(self, headers, body):
        try:
            items = json.loads(body)["events"]
            return [event for item in items for event in _event(item)]
        except (ValueError, KeyError, TypeError) as error:
            raise PayloadError(f"not a bench_pms webhook: {error}") from error

    def poll(self, cursor):
        return PollResult(None, cursor)

    def parse_page(self, body):
        return self.parse_webhook({}, body)

    def push(self, fact):
        return None


@hookimpl
def register_adapters():
    return [BenchPms]


@contextlib.contextmanager
def installed():
    """While the block runs, a distribution `guestrel-bench-pms` whose entry point names this
    module is on sys.path: apps created in the block load the adapter as they load any plugin."""
    with tempfile.TemporaryDirectory(prefix="guestrel_bench_pms_") as directory:
        dist_info = Path(directory) / "guestrel_bench_pms-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: guestrel-bench-pms\nVersion: 1.0\n")
        (dist_info / "entry_points.txt").write_text(f"[guestrel.plugins]\n{NAME} = {__name__}\n")
        sys.path.insert(0, directory)
        try:
            yield
        finally:
            sys.path.remove(directory)
