"""A vendor's request limit is kept per connection for every call an adapter makes, however many
adapter objects (one per job) and worker processes (with Redis) make them; a local HTTP server
records when each call arrived."""
import os
import time
import uuid

import pytest
from werkzeug import Response

from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.sync import connections, pacing
from guestrel.sync.models import Connection
from tests.plugins.conftest import adapter_source

REDIS_URL = os.environ.get("GUESTREL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
CALLS, WINDOW = 3, 1.0
# The server's clock and ours agree to well within this.
SLACK = 0.05

LIMITED_PMS = adapter_source("limitedpms", cls="QuietPms") + f'''
import requests


class LimitedPms(QuietPms):
    rate_limit = ({CALLS}, {WINDOW})

    def check_connection(self):
        try:
            answer = self.http_session.get(self.settings["url"] + "/ping")
        except requests.RequestException as error:
            return ConnectionCheck(False, str(error))
        return ConnectionCheck(answer.ok, answer.reason)


@hookimpl
def register_adapters():
    return [LimitedPms]
'''


class Vendor:
    """Answers /ping and notes the moment each call arrived."""

    def __init__(self, httpserver):
        self.url = httpserver.url_for("").rstrip("/")
        self.calls = []
        httpserver.expect_request("/ping").respond_with_handler(self._answer)

    def _answer(self, _request):
        self.calls.append(time.monotonic())
        return Response("pong")

    def busiest_window(self) -> int:
        """The most calls that arrived within any WINDOW seconds."""
        return max(sum(1 for other in self.calls if start <= other < start + WINDOW - SLACK) for start in self.calls)


@pytest.fixture
def limited_pms(install_plugin):
    return install_plugin(LIMITED_PMS, entry_point="limited_pms")


@pytest.fixture
def make_limited_app(make_app, limited_pms):
    queue = f"guestrel-test-{uuid.uuid4().hex}"

    def factory(**config):
        return make_app(GUESTREL_JOBS_QUEUE=queue, **config)

    return factory


@pytest.fixture
def vendor(httpserver):
    return Vendor(httpserver)


def _connection(url, property_code="SHA") -> int:
    return connections.create_connection(OPERATOR, {
        "adapter": "limitedpms", "property_code": property_code, "name": f"{property_code} PMS",
        "settings": {"url": url, "api_key": "s3cret-key"},
    }).connection.id


def _adapter(connection_id):
    """A new adapter for the connection, as each job makes one."""
    return connections.adapter_instance(db.session.get(Connection, connection_id))


def test_calls_of_one_connection_from_many_adapters_stay_within_its_limit(make_limited_app, hotels, vendor):
    with make_limited_app().app_context():
        connection_id = _connection(vendor.url)
        started = time.monotonic()
        checks = [_adapter(connection_id).check_connection() for _ in range(2 * CALLS + 1)]

    assert all(check.ok for check in checks) and len(vendor.calls) == 2 * CALLS + 1
    assert vendor.busiest_window() == CALLS
    assert time.monotonic() - started >= 2 * WINDOW - SLACK


def test_another_connection_has_a_window_of_its_own(make_limited_app, hotels, vendor):
    with make_limited_app().app_context():
        shanghai, hangzhou = _connection(vendor.url, "SHA"), _connection(vendor.url, "HGH")
        started = time.monotonic()
        for connection_id in (shanghai, hangzhou):
            for _ in range(CALLS):
                _adapter(connection_id).check_connection()

    assert len(vendor.calls) == 2 * CALLS and time.monotonic() - started < WINDOW


def test_workers_sharing_redis_share_the_connections_window(make_limited_app, hotels, vendor):
    first, second = make_limited_app(GUESTREL_REDIS_URL=REDIS_URL), make_limited_app(GUESTREL_REDIS_URL=REDIS_URL)
    with first.app_context():
        connection_id = _connection(vendor.url)
        for _ in range(CALLS):
            _adapter(connection_id).check_connection()
    with second.app_context():
        _adapter(connection_id).check_connection()

    assert len(vendor.calls) == CALLS + 1 and vendor.busiest_window() == CALLS
    assert vendor.calls[-1] - vendor.calls[0] >= WINDOW - SLACK


def test_a_call_that_would_wait_too_long_fails_as_the_vendor_being_unreachable(make_limited_app, hotels, vendor):
    with make_limited_app().app_context():
        connection_id = _connection(vendor.url)
        adapter = _adapter(connection_id)
        adapter.http_session.max_wait = 0
        for _ in range(CALLS):
            assert adapter.check_connection().ok
        check = adapter.check_connection()

    assert not check.ok and check.message.startswith("The vendor's limit of 3 calls in 1 s left no room")
    assert len(vendor.calls) == CALLS


def test_an_adapter_without_a_limit_gets_a_plain_session_with_timeouts(app, hotels):
    connection = connections.create_connection(OPERATOR, {
        "adapter": "jsonpms", "property_code": "SHA", "name": "Shanghai PMS",
        "settings": {"url": "https://pms.example.com", "api_key": "s3cret-key"},
    }).connection
    session = _adapter(connection.id).http_session

    assert not isinstance(session, pacing.PacedSession) and session.timeout is not None
