"""An app with a small JSON PMS adapter installed through a real entry point, and helpers to
deliver its payloads to the inbox."""
import importlib
import json

import pytest

from guestrel.sync import inbox
from tests.plugins.conftest import install_plugin  # noqa: F401  (a fixture this directory uses)

JSON_PMS = '''
import json
from datetime import date, datetime
from decimal import Decimal

import marshmallow
from guestrel.plugins.plugin_api import (
    CheckedIn, CheckedOut, ConnectionCheck, GuestData, NoShow, PayloadError, PmsAdapter, PollResult,
    ReservationCancelled, ReservationUpserted, Revenue, hookimpl,
)

# The payload versions this adapter understands; a test "fixes" the adapter by adding one.
ACCEPTED_VERSIONS = {1}


class Settings(marshmallow.Schema):
    url = marshmallow.fields.Url(required=True)
    api_key = marshmallow.fields.String(required=True)
    webhook_secret = marshmallow.fields.String()


def _moment(value):
    return datetime.fromisoformat(value)


def _event(item):
    common = dict(event_id=item["id"], reservation_id=item["reservation"], source_modified_at=_moment(item["modified"]))
    kind = item["kind"]
    if kind == "upsert":
        guest = GuestData(**item["guest"]) if item.get("guest") else None
        return ReservationUpserted(**common, arrival=date.fromisoformat(item["arrival"]),
                                   departure=date.fromisoformat(item["departure"]), room_number=item.get("room"),
                                   guest=guest)
    if kind == "checked_in":
        return CheckedIn(**common, at=_moment(item["at"]), room_number=item.get("room"))
    if kind == "checked_out":
        revenue = Revenue(room=Decimal(item["revenue"]), currency="CNY") if "revenue" in item else None
        return CheckedOut(**common, at=_moment(item["at"]), revenue=revenue)
    return {"cancelled": ReservationCancelled, "no_show": NoShow}[kind](**common)


class JsonPms(PmsAdapter):
    name = "jsonpms"
    settings_schema = Settings
    secret_settings = frozenset({"api_key", "webhook_secret"})

    def check_connection(self):
        if self.settings["api_key"] == "crash":
            raise RuntimeError("the key " + self.settings["api_key"] + " broke me")
        ok = self.settings["api_key"] == "s3cret-key"
        session = type(self.http_session).__name__
        return ConnectionCheck(ok, f"{self.settings['url']} answered through a {session}")

    def parse_webhook(self, headers, body):
        return self.parse_page(body)

    def parse_page(self, body):
        try:
            data = json.loads(body)
        except ValueError as error:
            raise PayloadError(f"not JSON: {error}") from error
        if data.get("version", 1) not in ACCEPTED_VERSIONS:
            raise PayloadError(f"unknown payload version {data['version']}")
        return [_event(item) for item in data["events"]]

    def poll(self, cursor):
        return PollResult(None, cursor)

    def push(self, fact):
        return None


@hookimpl
def register_adapters():
    return [JsonPms]
'''


@pytest.fixture
def json_pms(install_plugin):
    """The adapter's module, installed before the app is created (as the app finds plugins then)."""
    name = install_plugin(JSON_PMS, entry_point="json_pms")
    return name


@pytest.fixture
def app(make_app, json_pms):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def adapter_module(app, json_pms):
    return importlib.import_module(json_pms)


def upsert(event_id, reservation="R1", modified="2026-11-20T10:00:00+00:00", room=None, guest="P1", **extra):
    item = {"id": event_id, "kind": "upsert", "reservation": reservation, "modified": modified,
            "arrival": "2026-12-01", "departure": "2026-12-03", "room": room}
    if guest:
        item["guest"] = {"external_id": guest, "given_name": "Wei", "family_name": "Zhang"}
    return item | extra


def payload(*events, **fields) -> bytes:
    return json.dumps({"events": list(events), **fields}).encode()


def deliver(body: bytes, property_code="SHA", headers=None):
    """Receive and process one payload, as the inbound endpoint will."""
    message = inbox.receive(inbox.Source("jsonpms", property_code), "application/json", headers or {}, body)
    return inbox.process(message.id)
