"""Alert rules: the only code that writes alert_rules. Managers and admins (alerts:admin) keep the
rules of their hotels; a rule for the whole chain needs a principal that covers the whole chain."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.alerts.models import RULE_CONDITIONS, AlertRule
from guestrel.alerts.rules import VALUE_KINDS
from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise
from guestrel.guests.operation import boolean, choice, clean, require, text, transaction
from guestrel.loyalty import service as loyalty_service
from guestrel.properties import service as property_service
from guestrel.service_errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError

FIELDS = ("name", "condition", "value", "text", "property_code", "enabled")
AUDITED = ("name", "condition", "value", "text", "property_id", "enabled")
STAYS_MAX = 1000
CHANGED = _l("This rule was changed by someone else since you read it. Read it again and redo your change.")
CLEANERS = {
    "name": text(AlertRule.name, required=True),
    "condition": choice(RULE_CONDITIONS),
    "text": text(AlertRule.text, required=True),
    "enabled": boolean,
    # Checked against the condition in _clean_value, and the hotel in _property_id.
    "value": lambda value: value,
    "property_code": lambda value: value,
}


def _clean_value(condition: str, value) -> str | None:
    kind = VALUE_KINDS.get(condition)
    if kind is None:
        return None
    try:
        if kind == "count":
            number = int(str(value).strip()) if value is not None and str(value).strip().isdigit() else None
            if number is None or not 1 <= number <= STAYS_MAX:
                raise normalise.FieldError(_("Enter a whole number from %(min)d to %(max)d.", min=1, max=STAYS_MAX))
            return str(number)
        if kind == "tier":
            return _tier_code(value)
        cleaned = {"country": normalise.country, "language": normalise.language}.get(kind, lambda v: normalise.text(
            v, AlertRule.value.type.length))(value)
    except normalise.FieldError as error:
        raise InvalidDataError({"value": [str(error)]}) from error
    if cleaned is None:
        raise InvalidDataError({"value": [_("This condition needs a value.")]})
    return cleaned


def _tier_code(value) -> str:
    code = str(value or "").strip().upper()
    if not code:
        raise normalise.FieldError(_("This condition needs a value."))
    if code not in loyalty_service.tier_codes():
        raise normalise.FieldError(_("There is no loyalty tier with the code %(code)s.", code=code))
    return code


def _property_id(principal: Principal, code) -> int | None:
    if code in (None, ""):
        if principal.property_ids is not None:
            raise PermissionDeniedError(_("Only staff of the whole chain may make a rule for every hotel."))
        return None
    prop = property_service.get_property(principal, code)
    if not principal.covers_property(prop.id):
        raise PermissionDeniedError(_("You may only record this for your own hotels."))
    return prop.id


def _visible(principal: Principal):
    query = sa.select(AlertRule)
    if principal.property_ids is not None:
        query = query.where(sa.or_(AlertRule.property_id.is_(None),
                                   AlertRule.property_id.in_(sorted(principal.property_ids))))
    return query


def list_rules(principal: Principal) -> list[AlertRule]:
    require(principal, "alerts:admin")
    return db.session.scalars(_visible(principal).order_by(AlertRule.property_id.is_not(None), AlertRule.name,
                                                            AlertRule.id)).all()


def get_rule(principal: Principal, rule_id: int) -> AlertRule:
    require(principal, "alerts:admin")
    rule = db.session.scalar(_visible(principal).where(AlertRule.id == rule_id))
    if rule is None:
        raise NotFoundError(_("There is no alert rule with this id."))
    return rule


def _apply(principal: Principal, rule: AlertRule, data: dict):
    values = clean({name: data[name] for name in FIELDS if name in data}, CLEANERS)
    if "property_code" in values:
        rule.property_id = _property_id(principal, values.pop("property_code"))
    for name, value in values.items():
        setattr(rule, name, value)
    rule.value = _clean_value(rule.condition, data.get("value", rule.value))


def create_rule(principal: Principal, data: dict) -> AlertRule:
    """A new rule: name, condition, value (when the condition takes one), text, property_code
    (None: the whole chain), enabled (default yes)."""
    require(principal, "alerts:admin")
    missing = [name for name in ("name", "condition", "text") if data.get(name) in (None, "")]
    if missing:
        raise InvalidDataError({name: [_("This field is required.")] for name in missing})
    with transaction():
        rule = AlertRule(enabled=True)
        _apply(principal, rule, {"property_code": None, **data})
        db.session.add(rule)
        db.session.flush()
        audit.record(principal, "create", "alert_rule", rule.id, property_id=rule.property_id,
                     changes=audit.diff({}, audit.snapshot(rule, AUDITED)))
    return rule


def update_rule(principal: Principal, rule_id: int, version: int, changes: dict) -> AlertRule:
    """Change the rule, still at `version` as the caller read it (ConflictError otherwise)."""
    with transaction(conflict_message=CHANGED):
        rule = get_rule(principal, rule_id)
        if rule.version != version:
            raise ConflictError(CHANGED)
        if not principal.covers_property(rule.property_id) or (
                rule.property_id is None and principal.property_ids is not None):
            raise PermissionDeniedError(_("Only staff of the whole chain may change a rule for every hotel."))
        before = audit.snapshot(rule, AUDITED)
        _apply(principal, rule, changes)
        diff = audit.diff(before, audit.snapshot(rule, AUDITED))
        if diff:
            db.session.flush()
            audit.record(principal, "update", "alert_rule", rule.id, property_id=rule.property_id, changes=diff)
    return rule
