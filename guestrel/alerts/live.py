"""Live push to the front-desk pages: which hotel has something new.

The events themselves are rows of live_events; the hub only wakes the Server-Sent Event streams
of a hotel, which then read what is new from the database. So a message the hub loses (a
process restarting, Redis away for a moment) delays an event until the stream's next check,
never drops it, and a browser reconnecting with Last-Event-ID gets what it missed from any
process.

One hub per process (app.extensions), shared by all its streams. An event raised in this
process wakes its streams at once. Other processes hear of it
- with GUESTREL_REDIS_URL: through Redis pub/sub, one subscription per process, whatever the
  number of streams;
- in the embedded default (the worker applying PMS check-ins is a process of its own): from
  one thread per process that looks for new rows every GUESTREL_LIVE_POLL_SECONDS.

An event wakes every stream of its hotel at once, and they all ask the same: what is new, and
the pop-up in their language. `once` lets one of them read or render while the others wait for
its answer, so two hundred open pages cost one query and one render, not two hundred.
"""
import json
import threading
import time
from contextlib import contextmanager

import redis
import sqlalchemy as sa
from cachetools import TTLCache, cached
from flask import Flask

from guestrel.alerts.models import LiveEvent
from guestrel.extensions import db

EXTENSION = "guestrel.live"
REDIS_RETRY_SECONDS = 1.0
# How often the Redis listener looks up from waiting, to stop once no stream follows.
LISTEN_SECONDS = 1.0
# A check-in must not wait on a Redis that hangs: the event is stored, streams find it anyway.
REDIS_TIMEOUT_SECONDS = 2.0
# How long streams share an answer: those woken by one event ask within milliseconds of each
# other, and an answer kept briefly cannot hide a later event from a stream's next check.
SHARED_SECONDS = 1.0
SHARED_MAX = 1024


class LiveHub:
    def __init__(self, app: Flask):
        self._app = app
        self._condition = threading.Condition()
        # The newest event id this process knows of, per hotel.
        self._newest: dict[int, int] = {}
        self._listener = None
        self._followers = 0
        self._listener_lock = threading.Lock()
        self._redis_url = app.config.get("GUESTREL_REDIS_URL")
        self._channel = f"{app.config['GUESTREL_JOBS_QUEUE']}:live"
        self._poll_seconds = app.config["GUESTREL_LIVE_POLL_SECONDS"]
        self._publisher = redis.Redis.from_url(self._redis_url, socket_timeout=REDIS_TIMEOUT_SECONDS) if self._redis_url else None
        self._shared = cached(TTLCache(maxsize=SHARED_MAX, ttl=SHARED_SECONDS), key=lambda key, make: key,
                              condition=threading.Condition())(lambda key, make: make())

    def announce(self, property_id: int, event_id: int):
        """Tell every stream, in every process, that the hotel has event `event_id`. Call it
        once the event is committed."""
        self._note(property_id, event_id)
        if self._publisher is not None:
            try:
                self._publisher.publish(self._channel, json.dumps([property_id, event_id]))
            except redis.RedisError:
                self._app.logger.warning("Redis is away: other processes see event %s at their next check", event_id)

    @contextmanager
    def following(self):
        """While a stream is open: the listener runs as long as some stream follows."""
        with self._listener_lock:
            self._followers += 1
            if self._listener is None:
                target = self._listen_to_redis if self._redis_url else self._poll_database
                self._listener = threading.Thread(target=target, name="guestrel-live", daemon=True)
                self._listener.start()
        try:
            yield self
        finally:
            with self._listener_lock:
                self._followers -= 1

    def _still_followed(self) -> bool:
        """False, and the listener is forgotten, once no stream follows: the next one starts it."""
        with self._listener_lock:
            if self._followers == 0:
                self._listener = None
                return False
            return True

    def wait(self, property_ids, after_id: int, timeout: float) -> bool:
        """Wait until one of the hotels has an event newer than `after_id`; False on timeout."""
        with self._condition:
            return self._condition.wait_for(
                lambda: any(self._newest.get(property_id, 0) > after_id for property_id in property_ids), timeout)

    def newest_of(self, property_ids) -> tuple:
        """The newest event this process knows of, per hotel: part of a shared read's key, so a
        stream woken by a newer event never gets an answer read before it."""
        with self._condition:
            return tuple(self._newest.get(property_id, 0) for property_id in property_ids)

    def once(self, key: tuple, make):
        """`make()`, called once for all the streams of this process that ask with `key` at
        about the same time (within SHARED_SECONDS); the others wait for its answer. Should
        `make` fail, each waiting stream tries for itself."""
        return self._shared(key, make)

    def _note(self, property_id: int, event_id: int):
        with self._condition:
            if event_id > self._newest.get(property_id, 0):
                self._newest[property_id] = event_id
                self._condition.notify_all()

    def _listen_to_redis(self):
        while self._still_followed():
            try:
                with redis.Redis.from_url(self._redis_url).pubsub(ignore_subscribe_messages=True) as pubsub:
                    pubsub.subscribe(self._channel)
                    while self._still_followed():
                        message = pubsub.get_message(timeout=LISTEN_SECONDS)
                        if message is not None:
                            property_id, event_id = json.loads(message["data"])
                            self._note(int(property_id), int(event_id))
            except (redis.RedisError, ValueError, TypeError):
                self._app.logger.warning("Lost the live-push subscription to Redis; subscribing again")
                time.sleep(REDIS_RETRY_SECONDS)

    def _newest_rows(self, after_id: int) -> list:
        try:
            return db.session.execute(
                sa.select(LiveEvent.property_id, sa.func.max(LiveEvent.id))
                .where(LiveEvent.id > after_id).group_by(LiveEvent.property_id)
            ).all()
        finally:
            db.session.remove()

    def _poll_database(self):
        with self._app.app_context():
            seen = max((event_id for _property, event_id in self._newest_rows(0)), default=0)
            while self._still_followed():
                time.sleep(self._poll_seconds)
                try:
                    rows = self._newest_rows(seen)
                except sa.exc.SQLAlchemyError:
                    self._app.logger.warning("Could not look for new live events; trying again")
                    continue
                for property_id, event_id in rows:
                    self._note(property_id, event_id)
                    seen = max(seen, event_id)


def init_app(app: Flask):
    app.extensions[EXTENSION] = LiveHub(app)


def hub(app: Flask) -> LiveHub:
    return app.extensions[EXTENSION]
