"""What the apaleo tests share besides fixtures: apaleo's published payloads from data/, in
any state a test needs."""
import copy
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
TOKEN_PATH = "/connect/token"
RESERVATION_PATH = "/booking/v1/reservations/XPGMSXGF-1"
CLIENT_SECRET = "apaleo-client-secret-MUC"


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


def reservation(status="Confirmed", modified="2026-11-20T09:15:00+01:00", **changes) -> dict:
    """The reservation of data/reservation.json in `status`, as apaleo shows it then (a
    checked-in one has its unit and check-in time, and so on)."""
    found = copy.deepcopy(load("reservation.json")) | {"status": status, "modified": modified}
    if status in ("InHouse", "CheckedOut"):
        found["unit"] = {"id": "MUC-1208", "name": "1208", "description": "Double room 1208", "unitGroupId": "MUC-DBL"}
        found["checkInTime"] = "2026-12-01T15:42:10+01:00"
    if status == "CheckedOut":
        found["checkOutTime"] = "2026-12-03T10:05:31+01:00"
    if status == "Canceled":
        found["cancellationTime"] = modified
    if status == "NoShow":
        found["noShowTime"] = modified
    return found | changes


def webhook(kind="changed", event_id="ec5a1fe4-331c-450a-915c-5caa231cc825", **changes) -> bytes:
    return json.dumps(load("webhook_checked_in.json") | {"type": kind, "id": event_id} | changes).encode()


def requests_to(server, path: str, method: str | None = None) -> list:
    return [request for request, _response in server.log
            if request.path == path and (method is None or request.method == method)]
