"""Polling a PMS: due connections, pages stored before the cursor moves, a PMS that is away."""
import importlib
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from guestrel import jobs
from guestrel.auth.service import OPERATOR
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.stays.models import Stay
from guestrel.sync import connections, polling
from guestrel.sync.models import Connection, InboxMessage
from tests.sync.conftest import upsert

# A PMS whose pages the test lines up in PAGES: each poll takes the next one. A page that is an
# exception is raised instead, as a PMS that is away makes the adapter do.
PAGED_PMS = '''
import json
import marshmallow
from guestrel.plugins.plugin_api import (
    ConnectionCheck, PmsAdapter, PollResult, ReservationUpserted, SourceUnavailable, hookimpl,
)
from datetime import date, datetime

PAGES = []
POLLED_WITH = []


class Settings(marshmallow.Schema):
    hotel = marshmallow.fields.String(required=True)


class PagedPms(PmsAdapter):
    name = "pagedpms"
    settings_schema = Settings
    poll_interval = 300

    def check_connection(self):
        return ConnectionCheck(True, "ok")

    def parse_webhook(self, headers, body):
        return []

    def poll(self, cursor):
        POLLED_WITH.append(cursor)
        page = PAGES.pop(0)
        if isinstance(page, Exception):
            raise page
        return page

    def parse_page(self, body):
        return [ReservationUpserted(event_id=item["id"], reservation_id=item["reservation"],
                                    source_modified_at=datetime.fromisoformat(item["modified"]),
                                    arrival=date.fromisoformat(item["arrival"]),
                                    departure=date.fromisoformat(item["departure"]))
                for item in json.loads(body)["events"]]

    def push(self, fact):
        return None


@hookimpl
def register_adapters():
    return [PagedPms]
'''


@pytest.fixture
def app(make_app, install_plugin):
    module = install_plugin(PAGED_PMS, entry_point="paged_pms")
    app = make_app()
    with app.app_context():
        app.paged_pms = importlib.import_module(module)
        yield app


@pytest.fixture
def connection(app, hotels):
    return connections.create_connection(OPERATOR, {
        "adapter": "pagedpms", "property_code": "SHA", "name": "Paged PMS", "settings": {"hotel": "SHA"},
    }).connection


def _page(*events, cursor, more=False):
    from guestrel.plugins.plugin_api import PollResult

    return PollResult(json.dumps({"events": list(events)}).encode(), cursor, more)


def _stays() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Stay))


def test_a_poll_stores_the_page_raw_then_moves_the_cursor_and_applies_it(app, connection):
    page = _page(upsert("e1", guest=None), cursor="after-e1")
    app.paged_pms.PAGES.append(page)

    jobs.enqueue("sync.poll_connection", connection.id)

    message = db.session.scalar(sa.select(InboxMessage))
    assert message.origin == "poll" and message.body == page.body and message.status == "applied"
    stored = db.session.get(Connection, connection.id, populate_existing=True)
    assert stored.cursor == "after-e1" and stored.last_error is None and stored.last_success_at is not None
    assert _stays() == 1


def test_while_there_is_more_the_next_page_is_fetched_with_the_new_cursor(app, connection):
    app.paged_pms.PAGES.extend([
        _page(upsert("e1", reservation="R1", guest=None), cursor="page-2", more=True),
        _page(upsert("e2", reservation="R2", guest=None), cursor="page-3", more=True),
        _page(cursor="page-3"),
    ])

    jobs.enqueue("sync.poll_connection", connection.id)

    assert app.paged_pms.POLLED_WITH == [None, "page-2", "page-3"]
    assert _stays() == 2
    assert db.session.get(Connection, connection.id, populate_existing=True).cursor == "page-3"


def test_a_pms_that_is_away_keeps_the_cursor_and_says_so_on_the_connection(app, connection):
    from guestrel.plugins.plugin_api import SourceUnavailable

    app.paged_pms.PAGES.append(_page(upsert("e1", guest=None), cursor="after-e1"))
    jobs.enqueue("sync.poll_connection", connection.id)
    app.paged_pms.PAGES.append(SourceUnavailable("503 Service Unavailable"))

    outcome = polling.poll_connection(connection.id)

    assert outcome.message_id is None and "503 Service Unavailable" in outcome.error
    stored = db.session.get(Connection, connection.id, populate_existing=True)
    assert stored.cursor == "after-e1" and "503 Service Unavailable" in stored.last_error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboxMessage)) == 1


def test_an_adapter_that_crashes_or_answers_nonsense_is_recorded_not_raised(app, connection):
    app.paged_pms.PAGES.extend([RuntimeError("bug in the adapter"), "not a poll result"])

    crashed = polling.poll_connection(connection.id)
    nonsense = polling.poll_connection(connection.id)

    assert "RuntimeError: bug in the adapter" in crashed.error
    assert "not a poll result" in nonsense.error
    assert db.session.get(Connection, connection.id, populate_existing=True).cursor is None


def test_due_connections_are_handed_out_once_per_interval_and_disabled_ones_never(app, connection, hotels):
    disabled = connections.create_connection(OPERATOR, {
        "adapter": "pagedpms", "property_code": "HGH", "name": "Off", "settings": {"hotel": "HGH"}, "enabled": False,
    }).connection
    now = utcnow()

    assert polling.claim_due_connections(now) == [connection.id]
    assert polling.claim_due_connections(now + timedelta(seconds=299)) == []
    assert polling.claim_due_connections(now + timedelta(seconds=300)) == [connection.id]
    assert disabled.id not in polling.claim_due_connections(now + timedelta(days=1))


def test_the_periodic_job_polls_what_is_due(app, connection):
    app.paged_pms.PAGES.append(_page(upsert("e1", guest=None), cursor="after-e1"))

    jobs.enqueue("sync.poll_due")

    assert app.paged_pms.POLLED_WITH == [None]
    assert _stays() == 1


def test_a_pms_that_asks_to_wait_is_not_polled_before_its_retry_after(app, connection, client, make_staff, login):
    from guestrel.plugins.plugin_api import SourceUnavailable

    app.paged_pms.PAGES.append(SourceUnavailable("429 Too Many Requests", retry_after=900))
    before = utcnow()
    assert polling.claim_due_connections(before) == [connection.id]
    polling.poll_connection(connection.id)
    waited_until = db.session.get(Connection, connection.id, populate_existing=True).poll_after

    assert before + timedelta(seconds=900) <= waited_until <= utcnow() + timedelta(seconds=900)
    # Its interval (300 s) has passed, the PMS's wish (900 s) has not.
    assert polling.claim_due_connections(before + timedelta(seconds=600)) == []
    assert polling.claim_due_connections(waited_until) == [connection.id]
    login(make_staff("admin"))
    page = client.get(f"/admin/integrations/connections/{connection.id}").get_data(as_text=True)
    assert "as the system asked" in page and "429 Too Many Requests" in page

    app.paged_pms.PAGES.append(_page(upsert("e1", guest=None), cursor="after-e1"))
    assert polling.poll_connection(connection.id).error is None
    assert db.session.get(Connection, connection.id, populate_existing=True).poll_after is None
