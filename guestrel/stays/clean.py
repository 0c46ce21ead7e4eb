"""Cleaning what a source or a client sends about a stay into column values: every refusal is
an InvalidDataError naming the field, so the API and the sync inbox refuse the same values."""
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from guestrel.properties import service as property_service
from guestrel.service_errors import InvalidDataError
from guestrel.stays.models import STAY_STATUSES, Stay

TEXT_FIELDS = ("room_type", "room_number", "rate_code", "channel", "channel_confirmation")
REVENUE_FIELDS = {"room": "revenue_room", "food_and_beverage": "revenue_food_and_beverage", "other": "revenue_other"}
UPSERT_FIELDS = {
    "source_modified_at", "status", "arrival", "departure", *TEXT_FIELDS, "adults", "children",
    "revenue", "guest_id", "guest_external_id", "checked_in_at", "checked_out_at",
}
GUESTS_MAX = 99
MONEY_MAX = Decimal("9999999999.99")
CENT = Decimal("0.01")


def text(name: str, value):
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidDataError({name: [_("Enter text.")]})
    value = value.strip()
    limit = Stay.__table__.c[name].type.length
    if len(value) > limit:
        raise InvalidDataError({name: [_("Use at most %(max)d characters.", max=limit)]})
    return value or None


def a_date(name: str, value) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            pass
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidDataError({name: [_("Enter a date as YYYY-MM-DD.")]})
    return value


def moment(name: str, value, required=False) -> datetime | None:
    if value is None and not required:
        return None
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidDataError({name: [_("Enter a date and time with its UTC offset.")]})
    return value


def count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= GUESTS_MAX:
        raise InvalidDataError({name: [_("Enter a whole number from %(min)d to %(max)d.", min=0, max=GUESTS_MAX)]})
    return value


def money(name: str, value) -> Decimal:
    try:
        amount = Decimal(str(value)) if isinstance(value, (int, str, Decimal)) and not isinstance(value, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0 or amount > MONEY_MAX or amount != amount.quantize(CENT):
        raise InvalidDataError({name: [_("Enter an amount of 0 or more with at most two decimals.")]})
    return amount.quantize(CENT)


def clean_revenue(revenue: dict) -> dict:
    """Revenue as {room, food_and_beverage, other, currency} -> column values."""
    if not isinstance(revenue, dict):
        raise InvalidDataError({"revenue": [_("Give the revenue as room, food_and_beverage, other and currency.")]})
    unknown = set(revenue) - set(REVENUE_FIELDS) - {"currency"}
    if unknown:
        raise InvalidDataError({f"revenue.{name}": [_("This field cannot be set here.")] for name in sorted(unknown)})
    values = {REVENUE_FIELDS[name]: money(f"revenue.{name}", value)
              for name, value in revenue.items() if name in REVENUE_FIELDS}
    if "currency" in revenue:
        currency = (revenue["currency"] or "").strip().upper() if isinstance(revenue["currency"], str) else ""
        if currency not in property_service.currencies():
            raise InvalidDataError({"revenue.currency": [_("Choose an ISO 4217 currency code such as CNY.")]})
        values["currency"] = currency
    return values


def clean_upsert(data: dict) -> dict:
    unknown = set(data) - UPSERT_FIELDS
    if unknown:
        raise InvalidDataError({name: [_("This field cannot be set here.")] for name in sorted(unknown)})
    values = {"source_modified_at": moment("source_modified_at", data.get("source_modified_at"), required=True)}
    if "status" in data:
        if data["status"] not in STAY_STATUSES:
            raise InvalidDataError({"status": [_("Choose one of: %(choices)s.", choices=", ".join(STAY_STATUSES))]})
        values["status"] = data["status"]
    for name in ("arrival", "departure"):
        if name in data:
            values[name] = a_date(name, data[name])
    for name in TEXT_FIELDS:
        if name in data:
            values[name] = text(name, data[name])
    if values.get("channel"):
        values["channel"] = values["channel"].lower()
    for name in ("adults", "children"):
        if name in data:
            values[name] = count(name, data[name])
    for name in ("checked_in_at", "checked_out_at"):
        if name in data:
            values[name] = moment(name, data[name])
    if data.get("revenue") is not None:
        values.update(clean_revenue(data["revenue"]))
    return values


def clean_pms_id(pms_id) -> str:
    cleaned = text("pms_id", pms_id)
    if not cleaned:
        raise InvalidDataError({"pms_id": [_("Enter the PMS's reservation id.")]})
    return cleaned
