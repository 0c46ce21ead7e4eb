"""Reading one cell's text as a typed value. Each reader returns the value or raises Invalid with
a message that tells the hotel how to write it; spreadsheets write dates, amounts and yes/no in
more than one way, and the usual ones are accepted."""
import re
from datetime import date
from decimal import Decimal

DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    # Excel exports a date cell formatted as a date and time with the time of midnight.
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
# 1280.5, 1,280.50 (thousands separated as Excel formats them) or .5; never a sign or a symbol.
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+")
YES = {"yes", "y", "true", "t", "1", "x", "是", "✓"}
NO = {"no", "n", "false", "f", "0", "否"}
STAY_STATUSES = {
    "checked_out": "checked_out", "checkedout": "checked_out", "co": "checked_out",
    "cancelled": "cancelled", "canceled": "cancelled", "cxl": "cancelled",
    "no_show": "no_show", "noshow": "no_show", "ns": "no_show",
}


class Invalid(ValueError):
    """A cell whose text cannot be read as what its column holds."""


def a_date(text: str) -> date:
    match = DATE.fullmatch(text)
    if match is None:
        raise Invalid("Write the date as YYYY-MM-DD, e.g. 2024-03-05.")
    year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError as error:
        raise Invalid("There is no such date.") from error


def amount(text: str) -> Decimal:
    if AMOUNT.fullmatch(text) is None:
        raise Invalid("Write an amount of 0 or more without a currency sign, e.g. 1280.50.")
    value = Decimal(text.replace(",", ""))
    if value.as_tuple().exponent < -2:
        raise Invalid("Write the amount with at most two decimals.")
    return value


def yes_or_no(text: str) -> bool:
    word = text.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise Invalid("Write yes or no (or leave it empty for no).")


def stay_status(text: str) -> str:
    status = STAY_STATUSES.get(re.sub(r"[\s-]+", "_", text.lower()))
    if status is None:
        raise Invalid("Write checked_out, cancelled or no_show.")
    return status


def currency(text: str) -> str:
    if len(text) != 3 or not text.isascii() or not text.isalpha():
        raise Invalid("Write the three-letter currency code, e.g. CNY.")
    return text.upper()


def category(text: str) -> str:
    return text.lower()
