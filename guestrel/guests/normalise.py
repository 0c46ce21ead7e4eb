"""How guest data is cleaned before it is stored: one place, so the API and the browser forms accept
and refuse exactly the same values. Each cleaner returns the stored form or raises FieldError."""
import re
from datetime import date, datetime
from functools import cache

import phonenumbers
from babel import Locale, UnknownLocaleError
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from guestrel.database import utcnow

EARLIEST_DATE = date(1900, 1, 1)
# Babel lists these as territories, but they are groupings or placeholders, not countries a
# guest can hold a passport of.
NOT_COUNTRIES = {"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"}
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*")


class FieldError(ValueError):
    """A value refused for one field; the message is safe to show the user."""


def text(value, max_length: int | None) -> str | None:
    """Trimmed text; blank becomes None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(_("Enter text."))
    value = value.strip()
    if not value:
        return None
    if max_length is not None and len(value) > max_length:
        raise FieldError(_("Use at most %(max)d characters.", max=max_length))
    return value


def required_text(value, max_length: int | None) -> str:
    value = text(value, max_length)
    if value is None:
        raise FieldError(_("This field is required."))
    return value


def email(value) -> str | None:
    value = text(value, 254)
    if value is None:
        return None
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise FieldError(_("This is not a valid e-mail address.")) from error
    # Mailboxes are case-insensitive in practice; one spelling keeps lookups and duplicates simple.
    return checked.normalized.lower()


def member_number(value) -> str | None:
    """A loyalty membership number as printed on cards and typed at desks, in one spelling:
    without spaces, letters in capitals ("gr 1234 56" -> "GR123456")."""
    value = text(value, None)
    if value is None:
        return None
    value = "".join(value.split()).upper()
    if len(value) > 40:
        raise FieldError(_("Use at most %(max)d characters.", max=40))
    return value


def phone(value, default_region: str, strict: bool = True) -> str | None:
    """E.164 (+8613800138000). Numbers without a country code are read in default_region.
    Not strict: any number-shaped value, even one no phone plan assigns (to look it up)."""
    value = text(value, 40)
    if value is None:
        return None
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException as error:
        raise FieldError(_("This is not a valid phone number.")) from error
    if strict and not phonenumbers.is_valid_number(number):
        raise FieldError(_("This is not a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@cache
def countries() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(code for code in territories if len(code) == 2 and code.isalpha()) - NOT_COUNTRIES


def country(value) -> str | None:
    value = text(value, None)
    if value is None:
        return None
    value = value.upper()
    if value not in countries():
        raise FieldError(_("Use a two-letter country code such as CN or US."))
    return value


def language(value) -> str | None:
    """A BCP-47 tag Babel knows, in its usual spelling: "zh-cn" becomes "zh-CN"."""
    value = text(value, 35)
    if value is None:
        return None
    if not LANGUAGE_TAG.fullmatch(value):
        raise FieldError(_("Use a language tag such as en or zh-CN."))
    parts = re.split(r"[-_]", value)
    tag = "-".join([parts[0].lower()] + [_subtag_case(part) for part in parts[1:]])
    try:
        Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError) as error:
        raise FieldError(_("Use a language tag such as en or zh-CN.")) from error
    return tag


def _subtag_case(part: str) -> str:
    if len(part) == 4 and part.isalpha():
        return part.title()
    if len(part) == 2 and part.isalpha():
        return part.upper()
    return part.lower()


def as_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as error:
        raise FieldError(_("Enter a real date as YYYY-MM-DD.")) from error


def any_date(value) -> date | None:
    value = as_date(value)
    if value is not None and value < EARLIEST_DATE:
        raise FieldError(_("Enter a date in 1900 or later."))
    return value


def past_date(value) -> date | None:
    """A date that has happened: birthdays and anniversaries are never in the future."""
    value = any_date(value)
    if value is not None and value > utcnow().date():
        raise FieldError(_("This date is in the future."))
    return value
