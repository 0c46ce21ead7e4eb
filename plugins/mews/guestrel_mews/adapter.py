"""The Mews adapter: reservations and guest profiles from Mews's Connector API into guestrel,
by polling (reservations updated since the cursor) and by Mews's general webhooks (ids of what
changed, fetched here); guestrel's memory of a guest back onto the Mews customer's notes."""
import json
import uuid
import zoneinfo
from datetime import datetime, timedelta, timezone

import marshmallow

from guestrel.plugins.plugin_api import (
    ConnectionCheck,
    DeliveryError,
    GuestProfileFact,
    PayloadError,
    PmsAdapter,
    PollResult,
    SourceUnavailable,
)
from guestrel_mews import mapping, notes
from guestrel_mews.client import MewsClient, Refused
from guestrel_mews.settings import SECRETS, MewsSettings

RESERVATIONS = "reservations/getAll/2023-06-06"
PAGE_SIZE = 100
# Mews filters by at most three months; 89 days is within three months whatever the calendar.
WINDOW = timedelta(days=89)
# A reservation saved a moment ago may not be readable yet: each window ends this long ago.
SETTLE = timedelta(minutes=2)
RESERVATION_EVENTS = frozenset({"ServiceOrderUpdated"})
CUSTOMER_EVENTS = frozenset({"CustomerAdded", "CustomerUpdated"})
MAX_WEBHOOK_EVENTS = 10000


def _utc(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(body: bytes, what: str):
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise PayloadError(f"The {what} is not JSON: {str(error)[:200]}") from None


def _uuid(value, what: str) -> uuid.UUID:
    if isinstance(value, str) and len(value) <= mapping.ID_MAX_LENGTH:
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise PayloadError(f"The webhook's {what} is not a Mews id.")


class MewsAdapter(PmsAdapter):
    name = "mews"
    settings_schema = MewsSettings
    secret_settings = SECRETS
    # Mews's published limit: 200 requests per access token within 30 seconds.
    rate_limit = (200, 30.0)
    poll_interval = 300.0

    def __init__(self, settings, http_session):
        super().__init__(settings, http_session)
        try:
            self.config = MewsSettings().load(dict(settings), unknown=marshmallow.EXCLUDE)
            self.problem = None
        except marshmallow.ValidationError as error:
            self.config = None
            self.problem = ("The Mews connection's settings are incomplete or wrong: "
                            + ", ".join(sorted(error.messages_dict)) + ".")

    def _client(self) -> MewsClient:
        if self.config is None:
            raise PayloadError(self.problem)
        return MewsClient(self.config, self.http_session)

    @property
    def _zone(self):
        return zoneinfo.ZoneInfo(self.config["timezone"])

    @staticmethod
    def _now() -> datetime:
        return datetime.now(timezone.utc)

    def _scope(self) -> dict:
        scope = {"EnterpriseIds": [str(self.config["enterprise_id"])], "States": mapping.ALL_STATES}
        if self.config["service_id"] is not None:
            scope["ServiceIds"] = [str(self.config["service_id"])]
        return scope

    def _bundle(self, client: MewsClient, reservations_answer: dict, customer_ids=()) -> dict:
        """The reservations with what they refer to, each record fetched once."""
        refs = mapping.referenced_ids(mapping.records({"reservations": reservations_answer}, "reservations"))
        services = refs["services"]
        return {
            "reservations": reservations_answer,
            "customers": client.by_ids("customers/getAll", "Customers", "CustomerIds",
                                       [*refs["customers"], *customer_ids], Extent={"Customers": True}),
            "resources": client.by_ids("resources/getAll", "Resources", "ResourceIds", refs["resources"],
                                       Extent={"Resources": True}),
            "resourceCategories": client.by_ids("resourceCategories/getAll", "ResourceCategories",
                                                "ResourceCategoryIds", refs["resourceCategories"],
                                                ServiceIds=services),
            "rates": client.by_ids("rates/getAll", "Rates", "RateIds", refs["rates"], ServiceIds=services,
                                   Extent={"Rates": True}),
            "ageCategories": client.by_ids("ageCategories/getAll", "AgeCategories", "AgeCategoryIds",
                                           refs["ageCategories"]),
        }

    # -- Polling ---------------------------------------------------------------------------------

    def _read_cursor(self, cursor: str | None):
        """(since, until, Mews cursor): a window being paged through, or (since, None, None)
        for the next window to open."""
        if cursor is None:
            since = self._now().replace(microsecond=0) - timedelta(days=self.config["history_days"])
            return since, None, None
        state = _json(cursor.encode(), "poll cursor") if isinstance(cursor, str) else None
        try:
            since = datetime.fromisoformat(state["since"])
            until = datetime.fromisoformat(state["until"]) if "until" in state else None
            page = state.get("page")
            if since.tzinfo is None or (until is not None and until.tzinfo is None) \
                    or not isinstance(page, (str, type(None))) or (page is None) != (until is None):
                raise ValueError
        except (TypeError, KeyError, ValueError, AttributeError):
            raise PayloadError(f"The poll cursor {str(cursor)[:200]!r} is not one this adapter wrote.") from None
        return since, until, page

    def poll(self, cursor: str | None) -> PollResult:
        """One page of the reservations Mews updated since the cursor, by windows of at most
        three months up to a little before now, with their customers, rooms, room types,
        rates and age categories."""
        client = self._client()
        since, until, page = self._read_cursor(cursor)
        now = self._now().replace(microsecond=0) - SETTLE
        if until is None:
            until = min(since + WINDOW, now)
            if until <= since:
                return PollResult(None, json.dumps({"since": _utc(since)}), False)
        limitation = {"Count": PAGE_SIZE} | ({"Cursor": page} if page else {})
        answer = client.call(RESERVATIONS, {**self._scope(), "UpdatedUtc": {"StartUtc": _utc(since),
                                                                             "EndUtc": _utc(until)},
                                            "Limitation": limitation})
        reservations = mapping.records({"reservations": answer}, "reservations")
        next_page = answer.get("Cursor")
        if not isinstance(next_page, (str, type(None))):
            raise PayloadError(f"Mews's answer to {RESERVATIONS} has a Cursor that is not text.")
        if len(reservations) >= PAGE_SIZE and next_page and next_page != page:
            cursor, more = {"since": _utc(since), "until": _utc(until), "page": next_page}, True
        else:
            cursor, more = {"since": _utc(until)}, until < now
        body = None
        if reservations:
            body = json.dumps(self._bundle(client, answer), ensure_ascii=False, separators=(",", ":")).encode()
        return PollResult(body, json.dumps(cursor), more)

    def parse_page(self, body: bytes):
        if self.config is None:
            raise PayloadError(self.problem)
        return mapping.events(_json(body, "page"), self._zone)

    # -- Webhooks --------------------------------------------------------------------------------

    def _changed_ids(self, data) -> tuple[list, list]:
        """(reservation ids, customer ids) the webhook says changed, each once, after checking
        that it is for this connection's hotel and integration."""
        if not isinstance(data, dict):
            raise PayloadError("The webhook is not a JSON object.")
        enterprise = _uuid(data.get("EnterpriseId"), "EnterpriseId")
        if enterprise != self.config["enterprise_id"]:
            raise PayloadError(f"The webhook is for the Mews enterprise {enterprise}, not this connection's "
                               f"{self.config['enterprise_id']}.")
        integration = self.config["integration_id"]
        if integration is not None and _uuid(data.get("IntegrationId"), "IntegrationId") != integration:
            raise PayloadError(f"The webhook is for another Mews integration than this connection's {integration}.")
        events = data.get("Events")
        if not isinstance(events, list) or len(events) > MAX_WEBHOOK_EVENTS:
            raise PayloadError(f"The webhook's Events is not a list of at most {MAX_WEBHOOK_EVENTS} events.")
        reservations, customers = {}, {}
        for event in events:
            if not isinstance(event, dict) or not isinstance(event.get("Value"), dict):
                raise PayloadError("A webhook event is not an object with a Value object.")
            kind = mapping.text(event, "Discriminator", "Webhook event", required=True, max_length=100)
            target = reservations if kind in RESERVATION_EVENTS else customers if kind in CUSTOMER_EVENTS else None
            # Other events (payments, messages, room states) say nothing guestrel keeps.
            if target is not None:
                target[mapping.record_id(event["Value"], "Id", f"{kind} event")] = None
        return list(reservations), list(customers)

    def parse_webhook(self, headers, body: bytes):
        """The events of a Mews general webhook: each changed reservation and customer fetched
        once from Mews (a webhook carries only ids)."""
        client = self._client()
        reservation_ids, customer_ids = self._changed_ids(_json(body, "webhook"))
        answer = client.by_ids(RESERVATIONS, "Reservations", "ReservationIds", reservation_ids, **self._scope())
        return mapping.events(self._bundle(client, answer, customer_ids), self._zone)

    # -- Writing back ----------------------------------------------------------------------------

    def push(self, fact: GuestProfileFact) -> None:
        """guestrel's block of preferences and tier in the customer's Notes, staff's notes kept.
        The tier goes in the block, not in LoyaltyCode: that field is the guest's membership
        number, which guestrel reads back as member_number."""
        if not fact.guest_external_id:
            raise DeliveryError("The guest has no Mews customer id to write onto.", permanent=True)
        try:
            client = self._client()
            answer = client.by_ids("customers/getAll", "Customers", "CustomerIds", [fact.guest_external_id],
                                   Extent={"Customers": True})
            wanted = fact.guest_external_id.lower()
            found = [item for item in answer["Customers"] if str(item.get("Id", "")).lower() == wanted]
            if not found:
                raise DeliveryError(f"Mews has no customer {fact.guest_external_id}.", permanent=True)
            current = found[0].get("Notes")
            current = current if isinstance(current, str) else ""
            new = notes.merged(current, fact.preferences, fact.tier_code)
            if new != current:
                client.call("customers/update", {"CustomerId": found[0]["Id"], "Notes": new})
        except SourceUnavailable as error:
            raise DeliveryError(str(error), retry_after=error.retry_after) from error
        except Refused as error:
            # Only refused tokens can be fixed for the same fact; a refused customer cannot.
            raise DeliveryError(str(error), permanent=error.status != 401) from error
        except PayloadError as error:
            raise DeliveryError(str(error)) from error

    # -- Checking --------------------------------------------------------------------------------

    def check_connection(self) -> ConnectionCheck:
        try:
            answer = self._client().call("configuration/get", {})
        except (PayloadError, SourceUnavailable) as error:
            return ConnectionCheck(False, str(error))
        enterprise = answer.get("Enterprise")
        if not isinstance(enterprise, dict):
            return ConnectionCheck(False, "Mews answered configuration/get without an Enterprise.")
        name, enterprise_id = str(enterprise.get("Name", "?"))[:200], str(enterprise.get("Id", "?"))[:100]
        if enterprise_id.lower() != str(self.config["enterprise_id"]):
            return ConnectionCheck(False, f"These tokens belong to {name} (enterprise {enterprise_id}), "
                                          f"not to the enterprise {self.config['enterprise_id']} set here.")
        zone = enterprise.get("TimeZoneIdentifier")
        if isinstance(zone, str) and zone != self.config["timezone"]:
            return ConnectionCheck(False, f"Connected to {name}, but its time zone in Mews is {zone[:100]} and the "
                                          f"timezone setting is {self.config['timezone']}: dates would be wrong.")
        return ConnectionCheck(True, f"Connected to {name} (enterprise {enterprise_id}).")
