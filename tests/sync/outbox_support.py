"""For the outbox tests: a PMS adapter whose push writes the guest's preferences into the notes of
the customer in the PMS, in the shape of the Mews Connector API (POST
/api/connector/v1/customers/update with ClientToken and AccessToken in the body; 429 with
Retry-After when throttled; {"Message": ...} on errors), and a stand-in for that PMS on
pytest-httpserver that records what it received and answers what a test tells it to."""
import importlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from werkzeug import Response

from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.sync import connections
from guestrel.sync.models import OutboxMessage
from tests.plugins.conftest import adapter_source

CLIENT_TOKEN = "E0D439EE522F44368DC78E1BFB03710C-client"
ACCESS_TOKEN = "C66EF7B239D24632943D115EDE9CB810-s3cret/access+token"
UPDATE_PATH = "/api/connector/v1/customers/update"

# The plugins tests' complete PMS adapter, with the settings and push of a Mews-like PMS.
NOTES_PMS = adapter_source("notespms", cls="QuietPms") + '''
import email.utils
from datetime import datetime, timezone

import requests
from guestrel.plugins.plugin_api import DeliveryError

# A test sets this to make push fail the way a bug in an adapter would.
CRASH = False


class NotesSettings(marshmallow.Schema):
    url = marshmallow.fields.Url(required=True, require_tld=False)
    client_token = marshmallow.fields.String(required=True)
    access_token = marshmallow.fields.String(required=True)
    timeout = marshmallow.fields.Float()


def _retry_after(answer):
    value = answer.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        moment = email.utils.parsedate_to_datetime(value)
        return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _message(answer):
    try:
        return answer.json().get("Message") or answer.reason
    except ValueError:
        return answer.text[:200]


class NotesPms(QuietPms):
    settings_schema = NotesSettings
    secret_settings = frozenset({"client_token", "access_token"})

    def push(self, fact):
        if CRASH:
            raise RuntimeError("cannot use " + self.settings["access_token"])
        body = {
            "ClientToken": self.settings["client_token"], "AccessToken": self.settings["access_token"],
            "Client": "guestrel 1.0", "CustomerId": fact.guest_external_id,
            "Notes": {"Value": "\\n".join(fact.preferences)},
        }
        try:
            answer = self.http_session.post(self.settings["url"] + "/api/connector/v1/customers/update", json=body,
                                            headers={"Idempotency-Key": fact.fact_id},
                                            timeout=self.settings.get("timeout"))
        except requests.Timeout as error:
            raise DeliveryError(f"The PMS did not answer in time: {error}") from error
        if answer.status_code == 429:
            raise DeliveryError(f"Throttled: {_message(answer)}", retry_after=_retry_after(answer))
        if answer.status_code in (401, 408) or answer.status_code >= 500:
            raise DeliveryError(f"The PMS answered {answer.status_code}: {_message(answer)}")
        if answer.status_code >= 400:
            raise DeliveryError(f"The PMS refused the customer update: {_message(answer)}", permanent=True)


@hookimpl
def register_adapters():
    return [NotesPms]
'''


class Pms:
    """The PMS on pytest-httpserver: answers each update with the next of `answers` (then 200),
    a status alone or (status, headers, body); `received` holds the request bodies and headers."""

    def __init__(self, httpserver):
        self.url = httpserver.url_for("").rstrip("/")
        self.answers = []
        self.received = []
        self.before_answer = None
        httpserver.expect_request(UPDATE_PATH, method="POST").respond_with_handler(self._answer)

    def _answer(self, request):
        self.received.append({"body": request.get_json(), "headers": dict(request.headers)})
        if self.before_answer is not None:
            self.before_answer()
        answer = self.answers.pop(0) if self.answers else 200
        status, headers, body = answer if isinstance(answer, tuple) else (answer, {}, None)
        if body is None:
            body = {"Customers": [{"Id": self.received[-1]["body"]["CustomerId"]}]} if status == 200 else {
                "Message": "Service unavailable"}
        return Response(json.dumps(body), status=status, headers=headers, content_type="application/json")

    def customer_ids(self):
        return [item["body"]["CustomerId"] for item in self.received]

    def notes(self):
        return [item["body"]["Notes"]["Value"] for item in self.received]


@pytest.fixture
def notes_pms(install_plugin):
    return install_plugin(NOTES_PMS, entry_point="notes_pms")


@pytest.fixture
def app(make_app, json_pms, notes_pms):
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def notes_module(app, notes_pms):
    return importlib.import_module(notes_pms)


@pytest.fixture
def pms(httpserver):
    return Pms(httpserver)


@pytest.fixture
def clock():
    """A moment a minute from now: every message the test writes (however slowly, on a busy
    machine) is due at it."""
    return utcnow() + timedelta(minutes=1)


def make_connection(url, property_code="SHA", adapter="notespms", **settings):
    return connections.create_connection(OPERATOR, {
        "adapter": adapter, "property_code": property_code, "name": f"{property_code} PMS",
        "settings": {"url": url, "client_token": CLIENT_TOKEN, "access_token": ACCESS_TOKEN, "timeout": 0.3,
                     **settings},
    }).connection


def make_guest(external_id="C-1", system="notespms", name="Wei"):
    external_ids = [{"system": system, "external_id": external_id}] if external_id else []
    return guest_service.create_guest(OPERATOR, {"given_name": name, "family_name": "Li",
                                                 "external_ids": external_ids})


def prefer(guest_id, value, **fields):
    return preference_service.add_preference(OPERATOR, guest_id, {"category": "food_and_drink", "value": value,
                                                                  **fields})


def messages(**criteria):
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    for name, value in criteria.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return db.session.scalars(query).all()
