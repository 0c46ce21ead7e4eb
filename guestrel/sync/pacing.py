"""Every call to a vendor with a published request limit, counted per connection: a poll, the
fetches a webhook needs, an outbox push, a connection test. The adapter's `rate_limit` (calls,
seconds) is kept across the threads of a process and, with Redis (the rate-limit storage when
GUESTREL_REDIS_URL is set), across every worker on every host, as the vendor counts them.

A call that would exceed the limit waits for the moving window to make room. One that would
wait longer than twice the window (many workers queueing for one connection) fails instead with
PacingTimeout, a requests error: adapters already treat those as "not reachable now", so the
work is tried again later and nothing is lost. The outbox claims no more deliveries than the
window has room for (`room_left`), so what it claims is sent without waiting long.
"""
import math
import time

import requests
from flask import Flask, current_app
from limits import RateLimitItemPerSecond
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from guestrel.plugins.plugin_api import TimeoutSession

EXTENSION = "guestrel.pacing"
NAMESPACE = "guestrel-vendor-calls"


class PacingTimeout(requests.RequestException):
    """The connection's request limit left no room for this call in time."""


class PacedSession(TimeoutSession):
    """A TimeoutSession whose every request first takes a place in the connection's window."""

    def __init__(self, limiter: MovingWindowRateLimiter, rate_limit: tuple[int, float], key: tuple[str, ...]):
        super().__init__()
        self.limiter, self.key = limiter, key
        self.item = self.window(rate_limit)
        self.max_wait = 2 * self.item.multiples

    @staticmethod
    def window(rate_limit: tuple[int, float]) -> RateLimitItemPerSecond:
        calls, seconds = rate_limit
        # Whole seconds, rounded up: a window is never shorter than the vendor's.
        return RateLimitItemPerSecond(calls, math.ceil(seconds))

    def request(self, method, url, *args, **kwargs):
        self._take_a_place()
        return super().request(method, url, *args, **kwargs)

    def _take_a_place(self):
        deadline = time.monotonic() + self.max_wait
        while not self.limiter.hit(self.item, *self.key):
            pause = max(0.01, self.limiter.get_window_stats(self.item, *self.key).reset_time - time.time())
            if time.monotonic() + pause > deadline:
                raise PacingTimeout(f"The vendor's limit of {self.item.amount} calls in {self.item.multiples} s "
                                    f"left no room for this call within {self.max_wait:g} s.")
            time.sleep(pause)


def init_app(app: Flask):
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION] = MovingWindowRateLimiter(storage)


def _key(connection_id: int) -> tuple[str, ...]:
    # Installations sharing one Redis keep their counts apart, as they keep their job queues.
    return NAMESPACE, current_app.config["GUESTREL_JOBS_QUEUE"], str(connection_id)


def session_for(adapter_class, connection_id: int) -> requests.Session:
    """The session for an adapter of this connection: paced when the vendor has a limit."""
    if adapter_class.rate_limit is None:
        return TimeoutSession()
    return PacedSession(current_app.extensions[EXTENSION], adapter_class.rate_limit, _key(connection_id))


def room_left(adapter_class, connection_id: int) -> int | None:
    """How many calls the connection's window has room for now; None when there is no limit."""
    if adapter_class.rate_limit is None:
        return None
    item = PacedSession.window(adapter_class.rate_limit)
    return current_app.extensions[EXTENSION].get_window_stats(item, *_key(connection_id)).remaining
