"""Check-in to alert received, scaled out: two gunicorn servers (gunicorn.conf.py) on one database
and one Redis. `streams` front-desk pages hold the live alert stream of server B; a PMS reports
each check-in to server A through the API. A sample is the time from sending the check-in to
the alert reaching the first page and every page. The baseline, in the same run, is a bare Redis
PUBLISH reaching a subscriber."""
import os
import re
import secrets
import signal
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import redis
import requests

from bench.measure import BenchError, figures
from guestrel.auth import service as auth_service
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.guests import service as guest_service
from guestrel.properties import service as property_service
from guestrel.stays import service as stay_service

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench desk passphrase"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
START_SECONDS = 60.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen):
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"a server stopped at start with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise BenchError(f"{url} did not start within {START_SECONDS:.0f} s")


@contextmanager
def servers(database_url: str, secret_key: str, redis_url: str, streams: int):
    """Two servers, as two hosts of a chain's deployment; yields their base URLs."""
    shared = {**os.environ, "GUESTREL_DATABASE_URL": database_url, "GUESTREL_SECRET_KEY": secret_key,
              "GUESTREL_REDIS_URL": redis_url, "GUESTREL_JOBS_QUEUE": f"guestrel-bench-{uuid.uuid4().hex}",
              "GUESTREL_RUN_WORKER": "0", "GUESTREL_THREADS": str(streams + 56),
              "GUESTREL_LIVE_STREAMS_MAX": str(streams + 20), "GUNICORN_CMD_ARGS": "--no-control-socket"}
    started, urls = [], []
    try:
        for _ in range(2):
            url = f"http://127.0.0.1:{_free_port()}"
            server = subprocess.Popen(
                [str(PROJECT_ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py", "wsgi:app"],
                cwd=PROJECT_ROOT, env={**shared, "GUESTREL_BIND": url.removeprefix("http://")},
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            started.append(server)
            _wait_until_up(url, server)
            urls.append(url)
        yield urls
    finally:
        for server in started:
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            server.wait(timeout=30)


def prepare(app, check_ins: int) -> dict:
    """A hotel, a front-desk account, a PMS key and `check_ins` guests booked to arrive today,
    each with a preference to alert on."""
    with app.app_context():
        prop = property_service.create_property(OPERATOR, code="LIV", name="Live Hotel", timezone="Asia/Shanghai",
                                                currency="CNY")
        auth_service.create_staff(email="desk@bench.example", name="Bench Desk", password=PASSWORD,
                                  role="front_desk", properties=[prop])
        _client, key = auth_service.create_api_client(name="Bench PMS", scopes=["stays:write"], properties=[prop])
        db.session.commit()
        stay_ids = []
        for number in range(check_ins):
            guest = guest_service.create_guest(OPERATOR, {"given_name": f"Guest{number}", "family_name": "Bench"})
            preference_service.add_preference(OPERATOR, guest.id, {
                "category": "food_and_drink", "value": "Carrot juice", "alert_at_check_in": True})
            stay_ids.append(stay_service.upsert_stay(OPERATOR, "LIV", f"B-{number}", {
                "source_modified_at": datetime(2026, 1, 1, tzinfo=timezone.utc), "guest_id": guest.id,
                "arrival": date.today(), "departure": date.today() + timedelta(days=1),
                "room_number": str(1000 + number)}).stay.id)
    return {"key": key, "stay_ids": stay_ids}


def _signed_in(base_url: str) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(f"{base_url}/login", timeout=10).text).group(1)
    answer = session.post(f"{base_url}/login", data={"email": "desk@bench.example", "password": PASSWORD,
                                                     "csrf_token": token}, allow_redirects=False, timeout=10)
    if answer.status_code != 302:
        raise BenchError("the bench's front-desk account could not sign in")
    return session


class Page:
    """One open front-desk page: the times at which its alerts arrived. Like a browser, it
    reconnects with Last-Event-ID when the server ends its stream (every few minutes)."""

    def __init__(self, base_url: str, cookies):
        self.url = f"{base_url}/alerts/stream"
        self.session = requests.Session()
        self.session.cookies.update(cookies)
        self.closed = False
        self.last_event_id = None
        self.response = self._connect()
        self.arrivals = []
        threading.Thread(target=self._read, daemon=True).start()

    def _connect(self):
        headers = {"Last-Event-ID": self.last_event_id} if self.last_event_id else {}
        response = self.session.get(self.url, headers=headers, stream=True, timeout=(5, 60))
        if response.status_code != 200:
            raise BenchError(f"a live stream was refused with {response.status_code}")
        return response

    def _read(self):
        try:
            while not self.closed:
                for line in self.response.iter_lines():
                    if line.startswith(b"id: "):
                        self.last_event_id = line[4:].decode()
                    elif line == b"event: alert":
                        self.arrivals.append(time.perf_counter())
                if not self.closed:
                    self.response = self._connect()
        except (requests.RequestException, AttributeError, ValueError, BenchError):
            return

    def close(self):
        self.closed = True
        threading.Thread(target=self.response.close, daemon=True).start()


def _wait_for_all(pages, count: int, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while any(len(page.arrivals) < count for page in pages):
        if time.monotonic() > deadline:
            raise BenchError(f"an alert did not reach every page within {timeout:.0f} s")
        time.sleep(0.0005)


def measure(app, database_url: str, redis_url: str, streams: int, check_ins: int, warmup: int) -> dict:
    setup = prepare(app, check_ins + warmup)
    headers = {"Authorization": f"Bearer {setup['key']}"}
    with servers(database_url, app.config["SECRET_KEY"], redis_url, streams) as (reporting, serving):
        cookies = _signed_in(serving).cookies
        pages = [Page(serving, cookies) for _ in range(streams)]
        try:
            first, every = [], []
            for number, stay_id in enumerate(setup["stay_ids"]):
                sent = time.perf_counter()
                answer = requests.post(f"{reporting}/api/v1/stays/{stay_id}/check-in", headers=headers, timeout=10)
                if not answer.ok:
                    raise BenchError(f"a check-in was refused with {answer.status_code}")
                _wait_for_all(pages, number + 1)
                if number >= warmup:
                    arrivals = [page.arrivals[number] for page in pages]
                    first.append((min(arrivals) - sent) * 1000)
                    every.append((max(arrivals) - sent) * 1000)
        finally:
            for page in pages:
                page.close()
    return {**figures(first, "first_page_"), **figures(every)}


def baseline(redis_url: str, samples: int) -> dict:
    """A bare Redis PUBLISH reaching one subscriber."""
    client = redis.Redis.from_url(redis_url)
    channel = f"guestrel-bench-{secrets.token_hex(4)}"
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    pubsub.get_message(timeout=1)
    timings = []
    try:
        for number in range(samples):
            sent = time.perf_counter()
            client.publish(channel, str(number))
            message = pubsub.get_message(timeout=5)
            while message is None:
                message = pubsub.get_message(timeout=5)
            timings.append((time.perf_counter() - sent) * 1000)
    finally:
        pubsub.close()
    return {f"baseline_{name}": value for name, value in figures(timings).items()}
