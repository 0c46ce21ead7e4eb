"""Calls to apaleo: OAuth2 client-credentials tokens, cached, and API requests whose failures
are sorted into three kinds that the adapter turns into guestrel's errors.

No message made here carries a token or the client secret: they hold apaleo's own error text,
an HTTP status or the name of a network failure, and the connection's errors are shown to staff.
"""
import email.utils
import hashlib
import math
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import ClassVar

import requests

UNAVAILABLE = "unavailable"
REFUSED = "refused"
REJECTED = "rejected"
MESSAGE_MAX = 500
# A token is renewed this long before apaleo says it expires (at most a tenth of its life), so
# that a call never leaves with a token that lapses on the way.
RENEW_BEFORE_SECONDS = 60.0


class ApaleoError(Exception):
    """A call to apaleo failed. kind: UNAVAILABLE (down, timeout, 5xx, 429: try again later,
    after retry_after seconds when apaleo said so), REFUSED (apaleo refused the connection's
    credentials or scopes: its settings need fixing) or REJECTED (apaleo refused this request
    itself: 400, 404, 409, 422)."""

    def __init__(self, kind: str, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.kind = kind
        self.retry_after = retry_after


@dataclass(frozen=True)
class _Token:
    value: str
    good_until: float


class TokenCache:
    """Access tokens shared by every adapter instance in the process: the core creates an
    adapter per job, and fetching a token per job would spend apaleo's identity server."""

    def __init__(self):
        self._tokens: dict[tuple, _Token] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple) -> str | None:
        with self._lock:
            token = self._tokens.get(key)
        return token.value if token is not None and time.monotonic() < token.good_until else None

    def put(self, key: tuple, value: str, expires_in: float):
        renew_before = min(RENEW_BEFORE_SECONDS, expires_in / 10)
        with self._lock:
            self._tokens[key] = _Token(value, time.monotonic() + expires_in - renew_before)

    def drop(self, key: tuple, value: str):
        """Forget the token `value` (apaleo refused it), unless another call renewed it already."""
        with self._lock:
            if key in self._tokens and self._tokens[key].value == value:
                del self._tokens[key]

    def clear(self):
        with self._lock:
            self._tokens.clear()


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header, in seconds or as an HTTP date, as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def apaleo_message(response: requests.Response) -> str:
    """apaleo's own explanation of a failed call, or the HTTP status when it gave none."""
    try:
        data = response.json()
    except ValueError:
        data = None
    text = None
    if isinstance(data, dict):
        messages = data.get("messages")
        if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
            text = " ".join(messages)
        else:
            text = next((data[key] for key in ("detail", "title", "error_description", "error", "message")
                         if isinstance(data.get(key), str) and data[key].strip()), None)
    text = text or response.reason or "no explanation"
    return f"{response.status_code}: {text.strip()[:MESSAGE_MAX]}"


def _unreachable(what: str, error: requests.RequestException) -> ApaleoError:
    reason = "it did not answer in time" if isinstance(error, requests.Timeout) else type(error).__name__
    return ApaleoError(UNAVAILABLE, f"{what} could not be reached ({reason}).")


class ApaleoClient:
    """One connection's way into apaleo, through the session the core gave the adapter."""

    tokens: ClassVar[TokenCache] = TokenCache()

    def __init__(self, session: requests.Session, *, identity_url: str, api_url: str, client_id: str,
                 client_secret: str):
        self.session = session
        self.identity_url = identity_url.rstrip("/")
        self.api_url = api_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        # The secret is part of the key: a connection given a known client id with a wrong
        # secret must be refused by apaleo, not handed another connection's token.
        self._key = (self.identity_url, client_id, hashlib.sha256(client_secret.encode()).hexdigest())

    def token(self) -> str:
        return self.tokens.get(self._key) or self._fetch_token()

    def _fetch_token(self) -> str:
        try:
            response = self.session.post(f"{self.identity_url}/connect/token",
                                         data={"grant_type": "client_credentials"},
                                         auth=(self.client_id, self.client_secret))
        except requests.RequestException as error:
            raise _unreachable("apaleo's identity server", error) from error
        if response.status_code == 429 or response.status_code >= 500:
            raise ApaleoError(UNAVAILABLE, f"apaleo's identity server is unavailable ({apaleo_message(response)}).",
                              retry_after_seconds(response.headers.get("Retry-After")))
        if not response.ok:
            raise ApaleoError(REFUSED, "apaleo refused the connection's client id and secret "
                                       f"({apaleo_message(response)}).")
        try:
            data = response.json()
            value, expires_in = data["access_token"], float(data["expires_in"])
            usable = isinstance(value, str) and bool(value) and math.isfinite(expires_in) and expires_in > 0
        except (ValueError, KeyError, TypeError):
            usable = False
        if not usable:
            raise ApaleoError(UNAVAILABLE, "apaleo's identity server answered without a usable access token.")
        self.tokens.put(self._key, value, expires_in)
        return value

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        """The answer to one API call (2xx); ApaleoError otherwise. A token apaleo no longer
        accepts (401: revoked, or expired early) is replaced once and the call made again."""
        token = self.token()
        response = self._send(method, path, token, **kwargs)
        if response.status_code == 401:
            self.tokens.drop(self._key, token)
            response = self._send(method, path, self.token(), **kwargs)
        if response.ok:
            return response
        message = apaleo_message(response)
        if response.status_code == 429 or response.status_code >= 500:
            raise ApaleoError(UNAVAILABLE, f"apaleo is unavailable ({message}).",
                              retry_after_seconds(response.headers.get("Retry-After")))
        if response.status_code in (401, 403):
            raise ApaleoError(REFUSED, "apaleo refused the connection's access; check the app's scopes "
                                       f"({message}).")
        raise ApaleoError(REJECTED, f"apaleo refused the request ({message}).")

    def _send(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            return self.session.request(method, f"{self.api_url}{path}", headers=headers, **kwargs)
        except requests.RequestException as error:
            raise _unreachable("apaleo", error) from error
