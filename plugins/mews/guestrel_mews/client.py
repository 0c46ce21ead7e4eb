"""Calls to the Mews Connector API: every one a POST of JSON carrying the tokens, its failures
turned into the plugin API's errors. The core's session keeps the calls under Mews's request
limit (the adapter's rate_limit), counted across every worker."""
import email.utils
from collections.abc import Iterable
from datetime import datetime, timezone

import requests

from guestrel.plugins.plugin_api import PayloadError, SourceUnavailable

API_PATH = "/api/connector/v1/"
# Mews takes at most this many ids in one filter, and returns at most this many items a page.
MAX_IDS = 1000
# A Retry-After longer than this is not believed: the core backs off on its own then.
RETRY_AFTER_MAX = 86400.0


class Refused(PayloadError):
    """Mews refused the call (400, 401, 403, 404): retrying the same call cannot succeed until
    something is fixed (the tokens, the data). `status` is Mews's HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (seconds or an HTTP date), None when absent or odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            return None
        seconds = max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())
    return seconds if seconds <= RETRY_AFTER_MAX else None


class MewsClient:
    """The connection's tokens and address, and the session every call goes through."""

    def __init__(self, settings: dict, session: requests.Session):
        self.url = settings["base_url"].rstrip("/") + API_PATH
        self.auth = {"ClientToken": settings["client_token"], "AccessToken": settings["access_token"],
                     "Client": settings["client"]}
        self.session = session

    def _scrub(self, text: str) -> str:
        for token in (self.auth["ClientToken"], self.auth["AccessToken"]):
            text = text.replace(token, "***")
        return text

    def call(self, operation: str, payload: dict) -> dict:
        """Mews's JSON answer to `operation` (e.g. "customers/getAll") with `payload`.
        SourceUnavailable when Mews cannot answer now, Refused when it will not."""
        try:
            response = self.session.post(self.url + operation, json={**self.auth, **payload})
        except requests.Timeout as error:
            raise SourceUnavailable(f"Mews did not answer {operation} in time.") from error
        except requests.RequestException as error:
            raise SourceUnavailable(self._scrub(f"Mews could not be reached for {operation}: "
                                                f"{type(error).__name__}")) from error
        status = response.status_code
        if status == 429:
            raise SourceUnavailable(f"Mews asks to slow down ({operation}: 429 Too Many Requests).",
                                    retry_after=retry_after(response.headers.get("Retry-After")))
        # 408 is Mews's own "this request took too long": like a 5xx, worth trying again later.
        if status == 408 or status >= 500:
            raise SourceUnavailable(f"Mews failed to answer {operation} ({status}).")
        body = self._json(response, operation)
        if status != 200:
            message = body.get("Message") if isinstance(body, dict) else None
            detail = message if isinstance(message, str) and message.strip() else response.reason or "no reason given"
            raise Refused(self._scrub(f"Mews refused {operation} ({status}): {detail[:500]}"), status)
        if not isinstance(body, dict):
            raise PayloadError(f"Mews answered {operation} with something other than a JSON object.")
        return body

    @staticmethod
    def _json(response: requests.Response, operation: str):
        try:
            return response.json()
        except (ValueError, RecursionError):
            if response.status_code == 200:
                raise PayloadError(f"Mews answered {operation} with something other than JSON.") from None
            return None

    def by_ids(self, operation: str, result_key: str, id_filter: str, ids: Iterable[str], **extra) -> dict:
        """{result_key: [the records with these ids]} from a paged getAll operation, asking for
        at most MAX_IDS ids a call; {result_key: []} without a call when there are no ids."""
        ids = list(dict.fromkeys(ids))
        records = []
        for start in range(0, len(ids), MAX_IDS):
            chunk = ids[start:start + MAX_IDS]
            answer = self.call(operation, {**extra, id_filter: chunk, "Limitation": {"Count": len(chunk)}})
            found = answer.get(result_key)
            if not isinstance(found, list):
                raise PayloadError(f"Mews's answer to {operation} has no list of {result_key}.")
            records.extend(found)
        return {result_key: records}
