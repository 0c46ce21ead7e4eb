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
    "PayloadError", "SenderRefused", "DeliveryError", "SourceUnavailable",
    "NormalisedEvent", "GuestData", "Revenue",
    "ReservationUpserted", "ReservationCancelled", "NoShow", "CheckedIn", "CheckedOut", "ProfileUpdated",
    "PreferenceRecorded",
    "GuestProfileFact", "OutboundMessage", "CheckInAlert",
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


class SenderRefused(PayloadError):
    """The inbound endpoint refused the sender (a wrong address, signature or credentials) and
    stored nothing. The core hands it to ChannelAdapter.reply so that a channel hears the refusal
    in its own error form."""


class SourceUnavailable(Exception):
    """The foreign system could not be reached or refused for now (down, timeout, 5xx, 429) while
    the adapter was fetching what a payload refers to. The core keeps the payload and tries again
    later, after `retry_after` seconds when the system said so (a 429's Retry-After)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


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


def _text(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


@dataclass(frozen=True, kw_only=True)
class PreferenceRecorded(NormalisedEvent):
    """The foreign system holds something the guest likes, for the whole chain.

    guest_external_id: the guest's id in that system; the guest must be known by then (from a
    ProfileUpdated or a reservation before it). category: the code of one of guestrel's
    preference categories, e.g. food_and_drink. value: what the guest likes ("carrot juice");
    detail: how, or None ("large glass, in the fridge before arrival"). alert_at_check_in,
    prepare_before_arrival: what staff are asked to do with it. A preference the guest has
    already, of the same category with the same value, is not recorded twice.
    """

    guest_external_id: str
    category: str
    value: str
    detail: str | None = None
    alert_at_check_in: bool = False
    prepare_before_arrival: bool = False

    def __post_init__(self):
        super().__post_init__()
        _check(all(_text(v) for v in (self.guest_external_id, self.category, self.value)),
               "guest_external_id, category and value are non-empty strings")
        _check(self.detail is None or isinstance(self.detail, str), "detail is a string or None")
        _check(all(isinstance(flag, bool) for flag in (self.alert_at_check_in, self.prepare_before_arrival)),
               "alert_at_check_in and prepare_before_arrival are booleans")


# -- What adapters return or receive ------------------------------------------------------------


class ConnectionCheck(NamedTuple):
    """The answer of check_connection: ok, and a message for the admin saying what was found
    (the hotel's name) or what is wrong (the key was refused)."""

    ok: bool
    message: str


class PollResult(NamedTuple):
    """One page of a poll. `body`: the page as fetched, raw bytes (the core stores it in its inbox
    before `parse_page` reads it), or None when there is nothing new. `cursor`: what to pass to
    the next poll. `more`: True when the next page can be fetched at once (paging through a
    backlog); False when caught up until the next scheduled poll."""

    body: bytes | None
    cursor: str | None
    more: bool = False


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
    guest_external_id: the guest's id in that PMS, or None when that PMS keeps no guest profiles.
    reservation_ids: the PMS's ids of the guest's current and upcoming reservations at the
    connection's hotel. A PMS without guest profiles (apaleo) can keep guestrel's memory only
    on reservations, so its adapter writes onto these.
    preferences: the active preference texts, most important first.
    tier_code: the loyalty tier's code, or None.
    """

    fact_id: str
    guest_external_id: str | None = None
    reservation_ids: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()
    tier_code: str | None = None


@dataclass(frozen=True, kw_only=True)
class CheckInAlert:
    """A guest checked in and the front desk was alerted; what the alert says, for a plugin that
    forwards it elsewhere (a messaging app, a duty manager's phone). Contact details and notes
    are left out: where the plugin sends them is beyond guestrel's permissions.

    alert_id, stay_id: guestrel's ids. property_code: the hotel. guest_id: guestrel's id of the
    guest, or None for a reservation without a profile. guest_name, room_number, vip_code,
    member_number: as at check-in (None when unknown). tier_code, tier_name, benefits: the
    guest's loyalty tier and what its members are given, as at check-in (None and () without a
    tier). allergies, preferences: texts of the
    allergies and of the preferences flagged for check-in, most important first. occasions:
    kinds of the occasions during the stay ("birthday", "anniversary", "other"). rules: texts of
    the alert rules the check-in matched. stay_number: which stay in the chain this is (1: the first).
    """

    alert_id: int
    stay_id: int
    property_code: str
    guest_id: int | None
    guest_name: str | None
    room_number: str | None
    vip_code: str | None = None
    member_number: str | None = None
    tier_code: str | None = None
    tier_name: str | None = None
    benefits: tuple[str, ...] = ()
    allergies: tuple[str, ...] = ()
    preferences: tuple[str, ...] = ()
    occasions: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    stay_number: int = 1


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
    # The vendor's limit on calls, as (calls, seconds) per connection, e.g. (200, 30.0). The core
    # paces every request made through `http_session` to stay under it, counted per connection
    # across all workers (a call that cannot get a place in time raises a requests error), and
    # claims no more outbox deliveries per window than it allows. None: no known limit.
    rate_limit: ClassVar[tuple[int, float] | None] = None

    def __init__(self, settings: Mapping, http_session: requests.Session):
        self.settings = settings
        self.http_session = http_session

    @abc.abstractmethod
    def check_connection(self) -> ConnectionCheck:
        """Try the settings against the foreign system (one cheap authenticated call) and say
        whether they work. Called when an admin presses "test connection"; never raises."""

    def authenticate(self, headers: Mapping[str, str], body: bytes) -> str | None:
        """Check the sender's credentials that the vendor's protocol carries (an Authorization
        header, a password inside the payload) on an inbound delivery, after the core's own
        checks (the address token, the webhook signature) passed. None when the sender is
        recognised, else what is wrong: the delivery is then refused with 401 and not stored.
        Must not raise, whatever the body holds. The default checks nothing more."""
        return None


class PmsAdapter(Adapter):
    """A property-management system: the system of record for reservations and stays."""

    kind = "pms"

    @abc.abstractmethod
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[NormalisedEvent]:
        """Turn one webhook delivery (its headers and raw body, already authenticated by the
        core) into events, fetching the changed records when the webhook carries only ids.
        Raise PayloadError for a body that cannot be understood, SourceUnavailable when the
        records it refers to cannot be fetched now (the core retries later)."""

    # Seconds between scheduled polls of one connection; None: this PMS is not polled.
    poll_interval: ClassVar[float | None] = None

    @abc.abstractmethod
    def poll(self, cursor: str | None) -> PollResult:
        """Fetch one page of changes after `cursor` (None the first time) as a PollResult. The
        core stores the page in its inbox and only then the new cursor. Raise SourceUnavailable
        when the PMS cannot be reached; the cursor stays where it was."""

    @abc.abstractmethod
    def parse_page(self, body: bytes) -> list[NormalisedEvent]:
        """Turn one polled page (PollResult.body, as stored) into events. Raise PayloadError for
        a page that cannot be understood, SourceUnavailable as for parse_webhook."""

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
        form carrying the error's message. `error` is a SenderRefused when the core refused the
        sender (401) and sends the reply's body with its own status; it may be a PayloadError
        that only carries the text stored in the inbox, and `body` may be empty (too large to
        read). Never raises, whatever the body holds."""


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
    # When guestrel refuses a row's event, the report names the refused field as guestrel calls
    # it (guest_external_id, revenue.room); this maps those names to the file's own columns.
    field_names: ClassVar[Mapping[str, str]] = {}

    @abc.abstractmethod
    def read(self, file: BinaryIO) -> Iterable[ImportRow]:
        """Read the binary `file` and yield one ImportRow per data row, in order: a good row
        with its events, a bad row with every FieldError found in it. Never stop at a bad row."""


ADAPTER_KINDS = (PmsAdapter, ChannelAdapter, MessagingAdapter, ImportAdapter)
