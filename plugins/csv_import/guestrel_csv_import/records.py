"""The three kinds of record a row can hold (a guest's profile, one of their preferences, one of
their past stays), their columns, and how a row of each becomes normalised events.

Event ids are the record's legacy id with a digest of what the row says: the same row imported
again is the same event, which guestrel applies once, while a row the hotel corrected since is a
new event and is applied.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from guestrel.plugins.plugin_api import (
    CheckedOut,
    FieldError,
    GuestData,
    NoShow,
    PreferenceRecorded,
    ProfileUpdated,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
)
from guestrel_csv_import import values
from guestrel_csv_import.values import Invalid

NAME_COLUMNS = ("given_name", "family_name", "full_name")
PROFILE_COLUMNS = ("guest_id", *NAME_COLUMNS, "email", "phone", "birthday", "nationality", "language",
                   "member_number")
PREFERENCE_COLUMNS = ("guest_id", "category", "value", "detail", "alert_at_check_in", "prepare_before_arrival")
REVENUE_COLUMNS = {"room": "revenue_room", "food_and_beverage": "revenue_food_and_beverage",
                   "other": "revenue_other"}
STAY_COLUMNS = ("stay_id", "guest_id", "arrival", "departure", "status", "room_number", "room_type", "rate_code",
                *REVENUE_COLUMNS.values(), "currency")
COLUMNS = {"profile": PROFILE_COLUMNS, "preference": PREFERENCE_COLUMNS, "stay": STAY_COLUMNS}
# guestrel keeps external ids and reservation ids of up to 100 characters.
ID_MAX_LENGTH = 100
# A stay's times are not in a legacy export: it ends at noon of its departure day, hotel time.
STAY_TIME = time(12)


@dataclass(frozen=True)
class Context:
    """What every row of one file is read with: the connection's settings, and the moment of
    reading, which is when profiles and preferences were last known to hold."""

    guest_id_prefix: str
    zone: ZoneInfo
    read_at: datetime

    @property
    def today(self) -> date:
        return self.read_at.astimezone(self.zone).date()


class Cells:
    """One row's cells by column, and every FieldError found in them."""

    def __init__(self, cells: dict, columns: frozenset, errors: list):
        self.cells = cells
        self.columns = columns
        self.errors = errors

    def fail(self, column: str, message: str):
        self.errors.append(FieldError(column, message))

    def text(self, column: str, required: bool = False, max_length: int | None = None) -> str | None:
        if column not in self.columns:
            if required:
                self.fail(column, f"The file has no column {column}.")
            return None
        text = self.cells.get(column, "").strip()
        if not text:
            if required:
                self.fail(column, "This field is required.")
            return None
        if max_length is not None and len(text) > max_length:
            self.fail(column, f"Use at most {max_length} characters.")
            return None
        return text

    def value(self, column: str, read, required: bool = False):
        text = self.text(column, required)
        if text is None:
            return None
        try:
            return read(text)
        except Invalid as error:
            self.fail(column, str(error))
            return None

    def guest_id(self, context: Context, required: bool) -> str | None:
        """The guest's legacy id as guestrel will know it, with the connection's prefix."""
        text = self.text("guest_id", required, ID_MAX_LENGTH - len(context.guest_id_prefix))
        return None if text is None else context.guest_id_prefix + text


def _digest(record: dict) -> str:
    canonical = json.dumps(record, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def profile(cells: Cells, context: Context) -> list:
    guest_id = cells.guest_id(context, required=True)
    record = {column: cells.text(column) for column in PROFILE_COLUMNS if column not in ("guest_id", "birthday")}
    record["birthday"] = cells.value("birthday", values.a_date)
    if not any(record[column] for column in NAME_COLUMNS):
        if not any(column in cells.columns for column in NAME_COLUMNS):
            cells.fail("given_name", "The file has no column given_name, family_name or full_name.")
        else:
            cells.fail("given_name", "Enter the guest's name: given_name and family_name, or full_name.")
    if cells.errors:
        return []
    guest = GuestData(external_id=guest_id, **record)
    return [ProfileUpdated(event_id=f"profile:{guest_id}:{_digest(record)}", source_modified_at=context.read_at,
                           guest=guest)]


def preference(cells: Cells, context: Context) -> list:
    guest_id = cells.guest_id(context, required=True)
    record = {
        "category": cells.value("category", values.category, required=True),
        "value": cells.text("value", required=True),
        "detail": cells.text("detail"),
        "alert_at_check_in": bool(cells.value("alert_at_check_in", values.yes_or_no)),
        "prepare_before_arrival": bool(cells.value("prepare_before_arrival", values.yes_or_no)),
    }
    if cells.errors:
        return []
    return [PreferenceRecorded(event_id=f"preference:{guest_id}:{_digest(record)}",
                               source_modified_at=context.read_at, guest_external_id=guest_id, **record)]


def _revenue(cells: Cells) -> Revenue | None:
    amounts = {name: cells.value(column, values.amount) for name, column in REVENUE_COLUMNS.items()}
    currency = cells.value("currency", values.currency)
    given = {name: amount for name, amount in amounts.items() if amount is not None}
    if not given:
        return None
    if currency is None:
        if not cells.text("currency"):
            cells.fail("currency", "Give the currency of the amounts, e.g. CNY.")
        return None
    return Revenue(**given, currency=currency)


def _check_stay_dates(cells: Cells, context: Context, arrival, departure, status):
    if arrival is None or departure is None:
        return
    if departure <= arrival:
        cells.fail("departure", "The departure must be after the arrival.")
    elif status == "checked_out" and departure > context.today:
        cells.fail("departure", "A checked-out stay cannot depart after today.")
    elif status == "no_show" and arrival > context.today:
        cells.fail("arrival", "A no-show cannot arrive after today.")


STATUS_EVENTS = {"checked_out": CheckedOut, "cancelled": ReservationCancelled, "no_show": NoShow}


def stay(cells: Cells, context: Context) -> list:
    stay_id = cells.text("stay_id", required=True, max_length=ID_MAX_LENGTH)
    guest_id = cells.guest_id(context, required=False)
    record = {
        "arrival": cells.value("arrival", values.a_date, required=True),
        "departure": cells.value("departure", values.a_date, required=True),
        "room_number": cells.text("room_number"),
        "room_type": cells.text("room_type"),
        "rate_code": cells.text("rate_code"),
    }
    revenue = _revenue(cells)
    status = cells.value("status", values.stay_status, required=True)
    _check_stay_dates(cells, context, record["arrival"], record["departure"], status)
    if cells.errors:
        return []
    key = f"stay:{stay_id}:{_digest({**record, 'revenue': revenue, 'guest_id': guest_id, 'status': status})}"
    common = {"reservation_id": stay_id,
              "source_modified_at": datetime.combine(record["departure"], STAY_TIME, tzinfo=context.zone)}
    # A checked-out stay's revenue is its final one, posted at check-out; that of a cancellation
    # or a no-show (a fee) is the reservation's.
    final = {"at": common["source_modified_at"], "revenue": revenue} if status == "checked_out" else {}
    upserted = ReservationUpserted(event_id=f"{key}:reservation", **common, **record,
                                   revenue=None if final else revenue,
                                   guest=None if guest_id is None else GuestData(external_id=guest_id))
    return [upserted, STATUS_EVENTS[status](event_id=f"{key}:{status}", **common, **final)]


BUILDERS = {"profile": profile, "preference": preference, "stay": stay}
