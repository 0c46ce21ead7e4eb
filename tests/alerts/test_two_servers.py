"""Scaled out: two server processes sharing the database and Redis. A check-in reported to one
reaches a front-desk page held by the other at once, and a page that reconnects, to either,
with Last-Event-ID misses nothing."""
import os
import re
import uuid

import pytest
import requests
import sqlalchemy as sa

from guestrel.alerts.models import LiveEvent
from guestrel.extensions import db
from tests.alerts.live_support import Stream
from tests.alerts.support import book, li_wei
from tests.conftest import PASSWORD
from tests.servers import free_port, gunicorn  # noqa: F401  (fixture)

REDIS_URL = os.environ.get("GUESTREL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def two_servers(app, gunicorn, tmp_path):
    """The base URLs of two servers on the test's database and one Redis, without job workers
    (check-ins reported through the API raise their alerts in the request)."""
    shared = {
        "GUESTREL_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "GUESTREL_SECRET_KEY": app.config["SECRET_KEY"],
        "GUESTREL_REDIS_URL": REDIS_URL,
        "GUESTREL_JOBS_QUEUE": f"guestrel-test-{uuid.uuid4().hex}",
        "GUESTREL_RUN_WORKER": "0",
        "GUESTREL_THREADS": "8",
        "GUESTREL_LIVE_STREAMS_MAX": "4",
    }
    urls = []
    for number in (1, 2):
        bind = f"127.0.0.1:{free_port()}"
        gunicorn(tmp_path / f"server{number}.log", GUESTREL_BIND=bind, **shared)
        urls.append(f"http://{bind}")
    return urls


def signed_in_with_csrf(base_url, email) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(f"{base_url}/login", timeout=10).text).group(1)
    answer = session.post(f"{base_url}/login", data={"email": email, "password": PASSWORD, "csrf_token": token},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return session


def newest_event() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0


def test_a_check_in_reported_to_one_server_reaches_a_page_held_by_the_other(two_servers, hotels, make_staff,
                                                                           make_api_key):
    first, second = two_servers
    pms = make_api_key("stays:write", properties=[hotels[0]])
    desk = signed_in_with_csrf(second, make_staff("front_desk", properties=[hotels[0]]).email)
    stays = [book(li_wei().id).id, book(None, pms_id="R-2", room="806").id, book(None, pms_id="R-3", room="807").id]

    stream = Stream(desk, f"{second}/alerts/stream?after={newest_event()}")
    try:
        assert requests.post(f"{first}/api/v1/stays/{stays[0]}/check-in", headers=pms, timeout=10).ok
        live = stream.next_event(timeout=10)
    finally:
        stream.close()
    assert live.kind == "alert" and "李伟" in live.data and "Peanuts" in live.data

    # While the page is away, two more check-ins; it comes back to the other server.
    for stay_id in stays[1:]:
        assert requests.post(f"{second}/api/v1/stays/{stay_id}/check-in", headers=pms, timeout=10).ok
    stream = Stream(desk, f"{first}/alerts/stream", headers={"Last-Event-ID": live.id})
    try:
        missed = [stream.next_event(timeout=10), stream.next_event(timeout=10)]
    finally:
        stream.close()
    assert ["Room 806" in missed[0].data, "Room 807" in missed[1].data] == [True, True]
    assert [int(event.id) for event in missed] == [int(live.id) + 1, int(live.id) + 2]
