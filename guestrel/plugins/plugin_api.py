"""Everything a guestrel plugin may import from guestrel, and nothing else of the core.

A plugin is a distribution with an entry point in the `guestrel.plugins` group pointing at a
module (or object) whose functions carry `@hookimpl` (see guestrel.plugins.hookspecs). Most
plugins implement `register_adapters` and return adapter classes built on the bases below.

An adapter turns a foreign system's payloads into the normalised events below, and outbound
facts into calls to that system; the core stores, deduplicates and applies the events. An
adapter never touches guestrel's database. It reaches the outside world only through the
`http_session` it is given: a requests.Session whose every request has a timeout.

This module imports nothing else from guestrel (tests/plugins/test_plugin_api.py checks it).
"""
import abc
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO, ClassVar, NamedTuple

import marshmallow
import pluggy
import requests

__all__ = [
    "hookimpl",
    "Adapter", "PmsAdapter", "ChannelAdapter", "MessagingAdapter", "ImportAdapter",
    "ConnectionCheck", "PollResult", "HttpReply", "ImportRow", "FieldError",
    "PayloadError", "DeliveryError",
    "NormalisedEvent", "GuestData", "Revenue",
    "ReservationUpserted", "ReservationCancelled", "NoShow", "CheckedIn", "CheckedOut", "ProfileUpdated",
    "GuestProfileFact", "OutboundMessage",
    "TimeoutSession", "DEFAULT_TIMEOUT", "ADAPTER_KINDS",
]

hookimpl = pluggy.HookimplMarker("guestrel")

# (connect, read) seconds: long enough for a slow PMS page, short enough that a PMS that hangs
# frees the worker to retry later.
DEFAULT_TIMEOUT = (5.0, 30.0)


class TimeoutSession(requests.Session):
    """A requests.Session that gives every request a timeout unless the call names its own.
    requests waits forever by default; one silent PMS would otherwise block a worker for good."""

    def __init__(self, timeout=DEFAULT_TIMEOUT):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, *args, timeout=None, **kwargs):
        return super().request(method, url, *args, timeout=self.timeout if timeout is None else timeout, **kwargs)


# -- Errors an adapter raises -------------------------------------------------------------------


class PayloadError(Exception):
    """A payload the adapter cannot understand (malformed, hostile, of an unknown shape). The
    core keeps the raw payload with this message so staff can see it and replay after a fix."""


class DeliveryError(Exception):
    """Sending to the foreign system failed. `retry_after` (seconds) is the system's own answer
    (a 429's Retry-After) or None to let the core back off; `permanent` means retrying the same
    fact cannot succeed (the guest no longer exists there), so it goes straight to dead letters."""

    def __init__(self, message: str, retry_after: float | None = None, permanent: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.permanent = permanent


# -- Normalised events: what adapters hand to the core -----------------------------------------


def _check(condition: bool, message: str):
    if not condition:
        raise ValueError(message)


def _aware(value) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


@dataclass(frozen=True, kw_only=True)
class GuestData:
    """A guest as the foreign system describes them; None means "not given", never "erase".

    external_id: the guest's id in the foreign system (profile id, customer id), if it has one.
    given_name, family_name: as given, in any script. full_name: when the system has only one.
    email, phone: as given; the core normalises them. member_number: loyalty membership id.
    birthday: a date. nationality: ISO 3166 alpha-2. language: a BCP 47 tag such as zh-CN.
    """

    external_id: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    member_number: str | None = None
    birthday: date | None = None
    nationality: str | None = None
    language: str | None = None


@dataclass(frozen=True, kw_only=True)
class Revenue:
    """What a stay earned, split as hotels report it: room, food_and_beverage and other, each
    a Decimal of 0 or more, in one ISO 4217 currency (e.g. CNY)."""

    room: Decimal = Decimal(0)
    food_and_beverage: Decimal = Decimal(0)
    other: Decimal = Decimal(0)
    currency: str

    def __post_init__(self):
        for amount in (self.room, self.food_and_beverage, self.other):
            _check(isinstance(amount, Decimal) and amount.is_finite() and amount >= 0,
                   "revenue amounts are Decimals of 0 or more")
        _check(isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha(),
               "currency is an ISO 4217 code such as CNY")


@dataclass(frozen=True, kw_only=True)
class NormalisedEvent:
    """One thing that happened in a foreign system.

    event_id: the event's identity in that system (a webhook delivery id, the reservation id
    plus its version, or a content hash). The core applies an event at most once per
    connection and event_id, so a payload delivered twice has one effect.
    source_modified_at: the foreign record's last-modified time, timezone-aware. An event
    older than what guestrel already holds for the record is ignored.
    """

    event_id: str
    source_modified_at: datetime

    def __post_init__(self):
        _check(isinstance(self.event_id, str) and self.event_id.strip() != "", "event_id is a non-empty string")
        _check(_aware(self.source_modified_at), "source_modified_at is a timezone-aware datetime")


@dataclass(frozen=True, kw_only=True)
class _ReservationEvent(NormalisedEvent):
    # reservation_id: the PMS's id of the reservation; guestrel keys stays by it per hotel.
    reservation_id: str

    def __post_init__(self):
        super().__post_init__()
        _check(isinstance(self.reservation_id, str) and self.reservation_id.strip() != "",
               "reservation_id is a non-empty string")


@dataclass(frozen=True, kw_only=True)
class ReservationUpserted(_ReservationEvent):
    """A reservation was made or changed; carries its current state as the PMS knows it.

    reservation_id: the PMS's id. channel_confirmation: the booking channel's confirmation
    number. guest: the booker/main guest, or None. arrival, departure: dates. room_type,
    room_number, rate_code: the PMS's codes. channel: where it was booked (e.g. booking.com,
    direct). adults, children: head counts. revenue: expected or posted revenue, or None.
    """

    channel_confirmation: str | None = None
    guest: GuestData | None = None
    arrival: date
    departure: date
    room_type: str | None = None
    room_number: str | None = None
    rate_code: str | None = None
    channel: str | None = None
    adults: int = 1
    children: int = 0
    revenue: Revenue | None = None

    def __post_init__(self):
        super().__post_init__()
        _check(isinstance(self.arrival, date) and isinstance(self.departure, date), "arrival and departure are dates")
        _check(self.departure >= self.arrival, "departure is not before arrival")
        _check(all(isinstance(n, int) and n >= 0 for n in (self.adults, self.children)),
               "adults and children are whole numbers of 0 or more")


@dataclass(frozen=True, kw_only=True)
class ReservationCancelled(_ReservationEvent):
    """The reservation `reservation_id` was cancelled (it may be re-instated by a later
    ReservationUpserted)."""


@dataclass(frozen=True, kw_only=True)
class NoShow(_ReservationEvent):
    """The guest of reservation `reservation_id` did not arrive."""


@dataclass(frozen=True, kw_only=True)
class CheckedIn(_ReservationEvent):
    """The guest of reservation `reservation_id` checked in at `at` (timezone-aware), into
    `room_number` when the PMS says which."""

    at: datetime
    room_number: str | None = None

    def __post_init__(self):
        super().__post_init__()
        _check(_aware(self.at), "at is a timezone-aware datetime")


@dataclass(frozen=True, kw_only=True)
class CheckedOut(_ReservationEvent):
    """The guest of reservation `reservation_id` checked out at `at` (timezone-aware);
    `revenue` is the stay's final revenue when the PMS gives it."""

    at: datetime
    revenue: Revenue | None = None

    def __post_init__(self):
        super().__post_init__()
        _check(_aware(self.at), "at is a timezone-aware datetime")


@dataclass(frozen=True, kw_only=True)
class ProfileUpdated(NormalisedEvent):
    """A guest profile was created or changed in the foreign system; `guest` holds it and must
    have its external_id."""

    guest: GuestData

    def __post_init__(self):
        super().__post_init__()
        _check(isinstance(self.guest, GuestData) and bool(self.guest.external_id), "guest has an external_id")


# -- What adapters return or receive ------------------------------------------------------------


class ConnectionCheck(NamedTuple):
    """The answer of check_connection: ok, and a message for the admin saying what was found
    (the hotel's name) or what is wrong (the key was refused)."""

    ok: bool
    message: str


class PollResult(NamedTuple):
    """One page of a poll: the events found after the cursor, and the cursor to pass next time.
    No events means caught up."""

    events: list
    cursor: str | None


class HttpReply(NamedTuple):
    """The HTTP answer a channel expects to an inbound message."""

    status: int
    content_type: str
    body: bytes


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field of an imported row: the field (column name) and a message."""

    field: str
    message: str


@dataclass(frozen=True)
class ImportRow:
    """One row of an imported file: its number (1 for the first data row), the events it
    stands for (applied all together or not at all) and, for a bad row, its errors instead."""

    number: int
    events: tuple = ()
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GuestProfileFact:
    """guestrel's memory of a guest, to write onto the guest's profile in the PMS.

    fact_id: a key unique to this delivery; a retried delivery has the same one.
    guest_external_id: the guest's id in that PMS.
    preferences: the active preference texts, most important first.
    tier_code: the loyalty tier's code, or None.
    """

    fact_id: str
    guest_external_id: str
    preferences: tuple[str, ...] = ()
    tier_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class OutboundMessage:
    """A message to a guest. message_id: unique per message, the same on every retry.
    recipient: an address the messaging service understands. subject, body: text in `locale`."""

    message_id: str
    recipient: str
    subject: str
    body: str
    locale: str = "en"


# -- Adapter base classes -----------------------------------------------------------------------


class Adapter(abc.ABC):
    """What every adapter has. A subclass sets:

    name: a unique identifier, lowercase letters, digits and underscores (e.g. "mews").
    settings_schema: a marshmallow Schema for one connection's settings (URLs, keys, hotel id);
    the core validates what an admin enters with it.
    secret_settings: names of settings fields that are secret; the core encrypts them at rest
    and never shows them back.

    The core creates one instance per connection with the validated `settings` (a mapping) and
    the `http_session` to use for every outbound call.
    """

    kind: ClassVar[str]
    name: ClassVar[str]
    settings_schema: ClassVar[type[marshmallow.Schema]]
    secret_settings: ClassVar[frozenset[str]] = frozenset()
    # The inbound endpoint's authentication: when a connection holds the secret setting named
    # `webhook_secret_setting`, each delivery must carry guestrel's HMAC-SHA256 signature made
    # with it; `delivery_id_header` names the header whose value identifies a delivery, so that
    # a sender's retry is stored once. Adapters whose vendor uses other names override them.
    webhook_secret_setting: ClassVar[str] = "webhook_secret"
    delivery_id_header: ClassVar[str] = "X-Guestrel-Delivery"

    def __init__(self, settings: Mapping, http_session: requests.Session):
        self.settings = settings
        self.http_session = http_session

    @abc.abstractmethod
    def check_connection(self) -> ConnectionCheck:
        """Try the settings against the foreign system (one cheap authenticated call) and say
        whether they work. Called when an admin presses "test connection"; never raises."""


class PmsAdapter(Adapter):
    """A property-management system: the system of record for reservations and stays."""

    kind = "pms"

    @abc.abstractmethod
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[NormalisedEvent]:
        """Turn one webhook delivery (its headers and raw body, already authenticated by the
        core) into events, fetching the changed records when the webhook carries only ids.
        Raise PayloadError for a body that cannot be understood."""

    @abc.abstractmethod
    def poll(self, cursor: str | None) -> PollResult:
        """Fetch one page of changes after `cursor` (None the first time) as a PollResult. The
        core stores the new cursor only once the events are safely in its inbox."""

    @abc.abstractmethod
    def push(self, fact: GuestProfileFact) -> None:
        """Write a fact onto the guest's profile in the PMS (notes, classifications, tier).
        Pushing the same fact twice leaves the same result. Raise DeliveryError on failure."""


class ChannelAdapter(Adapter):
    """A booking channel or channel manager that sends reservations and expects an answer."""

    kind = "channel"

    @abc.abstractmethod
    def parse_message(self, headers: Mapping[str, str], body: bytes) -> list[NormalisedEvent]:
        """Turn one inbound message (headers and raw body) into events. Raise PayloadError for
        a message that cannot be understood."""

    @abc.abstractmethod
    def reply(self, body: bytes, error: PayloadError | None) -> HttpReply:
        """The answer the channel expects to the message `body`: success when `error` is None
        (also for a duplicate the core did not apply again), otherwise the channel's error
        form carrying the error's message."""


class MessagingAdapter(Adapter):
    """A service that delivers messages to guests (e-mail, SMS, WeChat)."""

    kind = "messaging"

    @abc.abstractmethod
    def send(self, message: OutboundMessage) -> str:
        """Deliver `message` and return the service's id for it. Raise DeliveryError on
        failure; a service that deduplicates should be given message.message_id."""


class ImportAdapter(Adapter):
    """A reader of files exported by another system (a legacy CRM's CSV)."""

    kind = "import"

    @abc.abstractmethod
    def read(self, file: BinaryIO) -> Iterable[ImportRow]:
        """Read the binary `file` and yield one ImportRow per data row, in order: a good row
        with its events, a bad row with every FieldError found in it. Never stop at a bad row."""


ADAPTER_KINDS = (PmsAdapter, ChannelAdapter, MessagingAdapter, ImportAdapter)
