"""The chain's properties: the only code that writes their table. Refusals are those of
guestrel.service_errors."""
import re
import zoneinfo
from datetime import time
from functools import cache

from babel.numbers import list_currencies
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.properties.models import DEFAULT_CHECK_IN_TIME, Property
from guestrel.service_errors import DuplicateError, InvalidDataError, NotFoundError, PermissionDeniedError

AUDITED_FIELDS = ("code", "name", "timezone", "currency", "check_in_time")
EDITABLE_FIELDS = ("name", "timezone", "currency", "check_in_time")
CODE_PATTERN = re.compile(r"[A-Z0-9-]{2,16}")
CLOCK_TIME_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
NAME_MAX_LENGTH = 200
# Present in the tz database files but not zones a hotel can be in: "localtime" is whatever the
# server is set to, "Factory" a placeholder for unconfigured machines.
NOT_HOTEL_ZONES = {"localtime", "Factory"}


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones() - NOT_HOTEL_ZONES)


@cache
def currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def normalise_code(code: str) -> str:
    return code.strip().upper()


def get_by_codes(codes) -> list[Property]:
    codes = [normalise_code(code) for code in codes]
    if not codes:
        return []
    found = db.session.execute(db.select(Property).where(Property.code.in_(codes))).scalars().all()
    missing = sorted(set(codes) - {p.code for p in found})
    if missing:
        raise NotFoundError(_("No property with the code %(code)s.", code=", ".join(missing)))
    return sorted(found, key=lambda p: p.code)


def _visible(principal: Principal):
    query = db.select(Property)
    if principal.property_ids is not None:
        query = query.where(Property.id.in_(principal.property_ids))
    return query


def list_properties(principal: Principal) -> list[Property]:
    return list(db.session.execute(_visible(principal).order_by(Property.code)).scalars())


def get_property(principal: Principal, code: str) -> Property:
    prop = db.session.execute(
        _visible(principal).where(Property.code == normalise_code(code))
    ).scalar_one_or_none()
    if prop is None:
        raise NotFoundError(_("No property with the code %(code)s.", code=normalise_code(code)))
    return prop


def clean_values(values: dict) -> dict:
    """The values cleaned (code upper-cased, text trimmed), or InvalidDataError naming each bad field."""
    errors = {}
    clean = {}
    if "code" in values:
        clean["code"] = normalise_code(values["code"] or "")
        if not CODE_PATTERN.fullmatch(clean["code"]):
            errors["code"] = [_("Use 2 to 16 letters, digits or hyphens.")]
    if "name" in values:
        clean["name"] = (values["name"] or "").strip()
        if not clean["name"]:
            errors["name"] = [_("Enter the hotel's name.")]
        elif len(clean["name"]) > NAME_MAX_LENGTH:
            errors["name"] = [_("Use at most %(max)d characters.", max=NAME_MAX_LENGTH)]
    if "timezone" in values:
        clean["timezone"] = (values["timezone"] or "").strip()
        if clean["timezone"] not in time_zones():
            errors["timezone"] = [_("Choose a time zone such as Asia/Shanghai.")]
    if "currency" in values:
        clean["currency"] = (values["currency"] or "").strip().upper()
        if clean["currency"] not in currencies():
            errors["currency"] = [_("Choose an ISO 4217 currency code such as CNY.")]
    if "check_in_time" in values:
        try:
            clean["check_in_time"] = _clock_time(values["check_in_time"])
        except ValueError:
            errors["check_in_time"] = [_("Enter the check-in time as hours and minutes, e.g. 14:00.")]
    if errors:
        raise InvalidDataError(errors)
    return clean


def _clock_time(value) -> time:
    """A time of day to the minute, from a time or "HH:MM"."""
    if isinstance(value, time):
        return value.replace(second=0, microsecond=0, tzinfo=None)
    match = CLOCK_TIME_PATTERN.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(value)
    return time(int(match.group(1)), int(match.group(2)))


def _snapshot(prop: Property) -> dict:
    values = audit.snapshot(prop, AUDITED_FIELDS)
    values["check_in_time"] = prop.check_in_time.strftime("%H:%M") if prop.check_in_time else None
    return values


def _code_taken(code: str) -> DuplicateError:
    return DuplicateError(_("Another property already has the code %(code)s.", code=code), field="code")


def create_property(principal: Principal, *, code: str, name: str, timezone: str, currency: str,
                    check_in_time=None) -> Property:
    """Add a hotel; its check-in time is 14:00 unless given (a time or "HH:MM")."""
    # A principal bound to some hotels may not add a hotel it would not cover.
    if principal.property_ids is not None:
        raise PermissionDeniedError(_("Only chain-wide accounts may add properties."))
    clean = clean_values({"code": code, "name": name, "timezone": timezone, "currency": currency,
                          "check_in_time": DEFAULT_CHECK_IN_TIME if check_in_time is None else check_in_time})
    if db.session.execute(db.select(Property.id).filter_by(code=clean["code"])).first():
        raise _code_taken(clean["code"])
    prop = Property(**clean)
    db.session.add(prop)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request took the code between our check and our insert.
        db.session.rollback()
        raise _code_taken(clean["code"]) from error
    audit.record(
        principal, "create", "property", prop.id, property_id=prop.id,
        changes=audit.diff({}, _snapshot(prop)),
    )
    db.session.commit()
    return prop


def update_property(principal: Principal, code: str, **values) -> Property:
    """Changes name, time zone, currency and check-in time. The code is fixed once created:
    integrations and API clients address the property by it."""
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidDataError({field: [_("This field cannot be changed.")] for field in sorted(unknown)})
    prop = get_property(principal, code)
    clean = clean_values(values)
    before = _snapshot(prop)
    for field, value in clean.items():
        setattr(prop, field, value)
    changes = audit.diff(before, _snapshot(prop))
    if changes:
        audit.record(principal, "update", "property", prop.id, property_id=prop.id, changes=changes)
    db.session.commit()
    return prop
