"""The apaleo adapter: webhooks and polled pages of reservations in, guestrel's memory of a
guest out onto the guest's reservations.

apaleo's webhooks carry only ids ({"topic": "Reservation", "type": "checked-in",
"propertyId": "MUC", "data": {"entityId": "XPGMSXGF-1"}, ...}); the adapter fetches the
reservation they name and reads its current state (see mapping). A health check
({"topic": "system", "type": "healthcheck"}, sent on subscribing and every few minutes) and
events of topics other than Reservation are accepted and mean nothing to guestrel.
"""
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import quote
from zoneinfo import ZoneInfo

from guestrel.plugins.plugin_api import (
    ConnectionCheck,
    DeliveryError,
    GuestProfileFact,
    PayloadError,
    PmsAdapter,
    PollResult,
    SourceUnavailable,
)
from guestrel_apaleo import mapping, notes
from guestrel_apaleo.client import REFUSED, REJECTED, ApaleoClient, ApaleoError
from guestrel_apaleo.settings import API_URL, IDENTITY_URL, PROPERTY_ID, ApaleoSettings

RESERVATION_PATH = "/booking/v1/reservations"
# The primary guest comes with every reservation, the booker only when asked for; the
# services split the total into room and extras.
EXPAND = "booker,services"
PAGE_SIZE = 100
# The first poll reads what changed this long ago and since; later polls start a little
# before the previous one ended, so a change stamped at the edge is not missed (a change read
# twice gives the same events, applied once).
INITIAL_LOOKBACK = timedelta(days=30)
POLL_OVERLAP = timedelta(minutes=1)
# Reservation statuses whose comment is still read before or during the stay.
WRITABLE_STATUSES = {"Confirmed", "InHouse"}
REQUIRED_SETTINGS = ("client_id", "client_secret", "property_id")


def _utc_text(moment: datetime) -> str:
    # apaleo's from/to take UTC times without fractions of a second.
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(body: bytes, what: str):
    try:
        return json.loads(body)
    # A hostile body nested thousands deep exhausts the parser's recursion.
    except (ValueError, TypeError, RecursionError) as error:
        raise PayloadError(f"The {what} is not JSON: {str(error)[:200]}.") from error


def _webhook_time(value) -> datetime | None:
    """A webhook's `timestamp`: Unix time in milliseconds (seconds in apaleo's older events)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return None
    seconds = value / 1000 if value > 10**11 else value
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


class ApaleoAdapter(PmsAdapter):
    """apaleo (https://apaleo.com), one property per connection."""

    name = "apaleo"
    settings_schema = ApaleoSettings
    secret_settings = frozenset({"client_secret", "webhook_secret"})
    # apaleo asks for one call a second on average, with short bursts of up to ten a second
    # (its soft limit, per client and account); ten calls in ten seconds keeps under both.
    rate_limit = (10, 10.0)
    # Webhooks bring changes at once; the poll is the safety net for deliveries that failed.
    poll_interval = 300.0
    # apaleo sends no per-delivery id header: its apaleo-tracking-id names the request that
    # caused the event, which one booking of several rooms shares across their events. The
    # event's id is in the body, and events are deduplicated by content (see mapping).

    def _setting(self, name: str, default=None):
        value = self.settings.get(name) or default
        return value.strip() if isinstance(value, str) else value

    def _connect(self) -> tuple[str, ZoneInfo | None, ApaleoClient]:
        """The property id, the hotel's time zone and a client; ApaleoError (refused) when the
        connection's settings are incomplete."""
        missing = [name for name in REQUIRED_SETTINGS if not self._setting(name)]
        if missing:
            raise ApaleoError(REFUSED, f"The connection's settings lack {', '.join(missing)}.")
        property_id = self._setting("property_id")
        if not PROPERTY_ID.match(property_id):
            raise ApaleoError(REFUSED, "The connection's property_id is not an apaleo property id.")
        zone = self._setting("timezone")
        client = ApaleoClient(self.http_session, identity_url=self._setting("identity_url", IDENTITY_URL),
                              api_url=self._setting("api_url", API_URL), client_id=self._setting("client_id"),
                              client_secret=self._setting("client_secret"))
        return property_id, ZoneInfo(zone) if zone else None, client

    # -- inbound ------------------------------------------------------------------------------

    def parse_webhook(self, headers, body):
        event = _json(body, "webhook")
        if not isinstance(event, dict):
            raise PayloadError("The webhook is not a JSON object.")
        topic, kind = event.get("topic"), event.get("type")
        if not all(isinstance(value, str) and value for value in (event.get("id"), topic, kind)):
            raise PayloadError("The webhook lacks its id, topic or type: it is not an apaleo event.")
        if topic.lower() != "reservation":
            return []
        try:
            property_id, zone, client = self._connect()
        except ApaleoError as error:
            raise PayloadError(str(error)) from error
        if event.get("propertyId") != property_id:
            raise PayloadError(f"The event is for apaleo property {str(event.get('propertyId'))[:50]!r}, "
                               f"not for this connection's {property_id}.")
        data = event.get("data")
        rid = mapping.reservation_id(data.get("entityId") if isinstance(data, dict) else None)
        try:
            response = client.request("GET", f"{RESERVATION_PATH}/{quote(rid, safe='')}", params={"expand": EXPAND})
        except ApaleoError as error:
            raise self._parse_error(error, f"Reservation {rid}") from error
        reservation = _json(response.content, "reservation apaleo sent")
        return mapping.reservation_events(reservation, property_id, zone, _webhook_time(event.get("timestamp")))

    @staticmethod
    def _parse_error(error: ApaleoError, subject: str) -> Exception:
        if error.kind in (REFUSED, REJECTED):
            return PayloadError(f"{subject} could not be read: {error}")
        return SourceUnavailable(f"{subject} could not be read: {error}", error.retry_after)

    def poll(self, cursor):
        """One page of the property's reservations modified in a window of time. The cursor
        holds the window (since, until) and the page; the window's end is fixed when its first
        page is read, so its pages do not shift while new changes come in."""
        now = datetime.now(timezone.utc).replace(microsecond=0)
        since, until, page = self._window(cursor, now)
        try:
            property_id, _zone, client = self._connect()
            response = client.request("GET", RESERVATION_PATH, params={
                "propertyIds": property_id, "dateFilter": "Modification", "from": _utc_text(since),
                "to": _utc_text(until), "pageNumber": page, "pageSize": PAGE_SIZE, "expand": EXPAND,
            })
        except ApaleoError as error:
            raise SourceUnavailable(f"apaleo could not be polled: {error}", error.retry_after) from error
        found, total = self._page_size(response.content)
        more = page * PAGE_SIZE < total if total is not None else found == PAGE_SIZE
        if more:
            following = {"since": _utc_text(since), "until": _utc_text(until), "page": page + 1}
        else:
            following = {"since": _utc_text(until - POLL_OVERLAP)}
        # apaleo answers 204 without a body when nothing changed.
        body = response.content if found else None
        return PollResult(body, json.dumps(following), more)

    @staticmethod
    def _window(cursor, now: datetime) -> tuple[datetime, datetime, int]:
        try:
            state = json.loads(cursor) if cursor else {}
            since = datetime.fromisoformat(state["since"]) if "since" in state else now - INITIAL_LOOKBACK
            until = datetime.fromisoformat(state["until"]) if "until" in state else now
            page = int(state.get("page", 1))
            if since.tzinfo is None or until.tzinfo is None:
                raise ValueError("a time without its offset")
        except (ValueError, TypeError, AttributeError):
            # Only this adapter writes cursors; one it cannot read starts over, as the first
            # poll does: what is read again gives the same events, applied once.
            return now - INITIAL_LOOKBACK, now, 1
        return since, until, max(page, 1)

    @staticmethod
    def _page_size(body: bytes) -> tuple[int, int | None]:
        """How many reservations a page holds and how many the window has (when apaleo says).
        A page that cannot be read counts as holding something: it is stored, and parse_page
        says what is wrong with it."""
        if not body:
            return 0, 0
        try:
            data = json.loads(body)
            reservations = data.get("reservations") or []
            total = data.get("count")
            return len(reservations), total if isinstance(total, int) and not isinstance(total, bool) else None
        except (ValueError, AttributeError, TypeError):
            return 1, None

    def parse_page(self, body):
        page = _json(body, "page of reservations")
        if not isinstance(page, dict) or not isinstance(page.get("reservations", []), list):
            raise PayloadError("The page is not apaleo's list of reservations.")
        try:
            property_id, zone, _client = self._connect()
        except ApaleoError as error:
            raise PayloadError(str(error)) from error
        return [event for reservation in page.get("reservations", [])
                for event in mapping.reservation_events(reservation, property_id, zone)]

    # -- outbound -----------------------------------------------------------------------------

    def push(self, fact: GuestProfileFact):
        """Write guestrel's memory of the guest (tier and preferences) into the `comment` of
        each of the guest's current and upcoming apaleo reservations (fact.reservation_ids),
        keeping the staff's own text there (see notes). A reservation already in that state is
        not written again; checked-out, cancelled and no-show ones are left alone."""
        if not fact.reservation_ids:
            raise DeliveryError("apaleo keeps no guest profiles, only reservations, and this guest has no "
                                "current or upcoming apaleo reservation to note this on.", permanent=True)
        try:
            property_id, _zone, client = self._connect()
            for rid in fact.reservation_ids:
                self._note_on(client, property_id, rid, fact)
        except ApaleoError as error:
            raise DeliveryError(f"apaleo did not take the guest's notes: {error}", retry_after=error.retry_after,
                                permanent=error.kind == REJECTED) from error
        except PayloadError as error:
            raise DeliveryError(f"apaleo did not take the guest's notes: {error}", permanent=True) from error

    @staticmethod
    def _note_on(client: ApaleoClient, property_id: str, rid, fact: GuestProfileFact):
        path = f"{RESERVATION_PATH}/{quote(mapping.reservation_id(rid), safe='')}"
        reservation = _json(client.request("GET", path).content, "reservation apaleo sent")
        if not isinstance(reservation, dict):
            raise PayloadError(f"apaleo sent reservation {rid} as something other than an object.")
        found_property = (reservation.get("property") or {}).get("id")
        if found_property != property_id:
            raise PayloadError(f"Reservation {rid} belongs to apaleo property {found_property!r}, "
                               f"not to this connection's {property_id}.")
        if reservation.get("status") not in WRITABLE_STATUSES:
            return
        comment = reservation.get("comment") if isinstance(reservation.get("comment"), str) else None
        new_comment = notes.merged_comment(comment, fact)
        if new_comment != comment:
            client.request("PATCH", path, json=notes.comment_patch(comment, new_comment))

    # -- set-up -------------------------------------------------------------------------------

    def check_connection(self):
        """Fetch a token and read the connection's property: ok with its name, or why not."""
        try:
            property_id, _zone, client = self._connect()
            response = client.request("GET", f"/inventory/v1/properties/{quote(property_id, safe='')}")
            prop = response.json()
            name = prop.get("name")
            if isinstance(name, dict):
                name = name.get("en") or next(iter(name.values()), None)
            return ConnectionCheck(True, f"Connected to apaleo property {property_id}: {name or 'no name'}.")
        except ApaleoError as error:
            if error.kind == REJECTED:
                return ConnectionCheck(False, f"apaleo has no property {self._setting('property_id')} "
                                              f"this app may read: {error}")
            return ConnectionCheck(False, str(error))
        except (ValueError, AttributeError) as error:
            return ConnectionCheck(False, "apaleo answered with something other than a property "
                                          f"({type(error).__name__}).")
        except Exception as error:  # noqa: BLE001  (the check is an admin's question: it answers, never raises)
            return ConnectionCheck(False, f"The check failed: {type(error).__name__}.")
