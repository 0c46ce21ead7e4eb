"""Check-in alerts: the only code that writes checkin_alerts and live_events.

When a stay becomes in house (the PMS reported it, or staff pressed "check in"), `raise_for_stay`
stores one alert with what the desk must know (guestrel.alerts.content) and the alert rules it
matches, and a live event for the hotel's front-desk pages, in one transaction; once committed,
the live hub wakes the pages' streams and plugins hear of it (the guest_checked_in hook). A stay
has one alert however often its check-in is reported. `raise_missing` is the periodic sweep that
raises what a process that died between the check-in and its alert left undone.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from guestrel.alerts import content as alert_content
from guestrel.alerts import live, rules
from guestrel.alerts.models import AlertRule, CheckInAlert, LiveEvent
from guestrel.audit import service as audit
from guestrel.auth.models import StaffUser
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests.operation import require, transaction
from guestrel.plugins import manager
from guestrel.plugins.plugin_api import CheckInAlert as CheckInAlertFact
from guestrel.properties import service as property_service
from guestrel.properties.models import Property
from guestrel.service_errors import NotFoundError
from guestrel.stays.models import Stay

# A check-in reported this long after it happened is past alerting: the guest is in the room.
ALERT_HOURS = 12
PAGE_MAX = 200
STATUSES = ("open", "acknowledged")


@dataclass(frozen=True)
class AlertView:
    """An alert as pages and the API show it: with its hotel and who acknowledged it."""

    alert: CheckInAlert
    property_code: str
    property_name: str
    acknowledged_by: str | None


@dataclass(frozen=True)
class AlertPage:
    items: list
    next_before: int | None


# -- raising ----------------------------------------------------------------------------------


def _rules_for(property_id: int) -> list[AlertRule]:
    return db.session.scalars(sa.select(AlertRule).where(
        AlertRule.enabled.is_(True), sa.or_(AlertRule.property_id.is_(None), AlertRule.property_id == property_id),
    ).order_by(AlertRule.id)).all()


def _fact(alert: CheckInAlert, property_code: str) -> CheckInAlertFact:
    body = alert.content
    guest = body["guest"] or {}
    tier = guest.get("tier") or {}

    def texts(preferences):
        return tuple(f"{p['value']} — {p['detail']}" if p["detail"] else p["value"] for p in preferences)

    return CheckInAlertFact(
        alert_id=alert.id, stay_id=alert.stay_id, property_code=property_code, guest_id=alert.guest_id,
        guest_name=guest.get("name"), room_number=body["stay"]["room_number"], vip_code=guest.get("vip_code"),
        member_number=guest.get("member_number"), tier_code=tier.get("code"), tier_name=tier.get("name"),
        benefits=tuple(tier.get("benefits", ())), allergies=texts(body["allergies"]),
        preferences=texts(body["preferences"]), occasions=tuple(o["kind"] for o in body["occasions"]),
        rules=tuple(rule["text"] for rule in body["rules"]), stay_number=body["earlier_stays"]["chain"] + 1,
    )


def raise_for_stay(stay_id: int) -> CheckInAlert | None:
    """The alert for the stay's check-in, stored and announced; None when the stay is not in
    house, has its alert already, or checked in long ago (a PMS connected today reports the
    guests in house since last week: the desk knows them by now)."""
    stay = db.session.get(Stay, stay_id, populate_existing=True)
    recent = utcnow() - timedelta(hours=ALERT_HOURS)
    if stay is None or stay.status != "in_house" or (stay.checked_in_at or recent) < recent or db.session.scalar(
            sa.select(CheckInAlert.id).where(CheckInAlert.stay_id == stay_id)) is not None:
        db.session.rollback()
        return None
    body = alert_content.gather(stay)
    body["rules"] = rules.matching(_rules_for(stay.property_id), body)
    alert = CheckInAlert(stay_id=stay.id, property_id=stay.property_id, guest_id=stay.guest_id, content=body)
    try:
        db.session.add(alert)
        db.session.flush()
        event = LiveEvent(property_id=stay.property_id, kind="alert", alert_id=alert.id)
        db.session.add(event)
        db.session.commit()
    except IntegrityError:
        # Another process raised it at the same moment (the PMS's report and the sweep).
        db.session.rollback()
        return None
    app = current_app._get_current_object()
    live.hub(app).announce(stay.property_id, event.id)
    manager.announce(app, "guest_checked_in", alert=_fact(alert, stay.stay_property.code))
    return alert


def on_stay_checked_in(app, stay_id, **_facts):
    raise_for_stay(stay_id)


def raise_missing(now: datetime | None = None) -> int:
    """Raise the alerts of recent check-ins that have none; how many were raised."""
    since = (now or utcnow()) - timedelta(hours=ALERT_HOURS)
    missing = db.session.scalars(sa.select(Stay.id).where(
        Stay.status == "in_house", Stay.checked_in_at >= since,
        ~sa.exists().where(CheckInAlert.stay_id == Stay.id),
    ).order_by(Stay.id)).all()
    db.session.rollback()
    return sum(1 for stay_id in missing if raise_for_stay(stay_id) is not None)


# -- reading ----------------------------------------------------------------------------------


def _visible(principal: Principal):
    query = sa.select(CheckInAlert)
    if principal.property_ids is not None:
        query = query.where(CheckInAlert.property_id.in_(sorted(principal.property_ids)))
    return query


def _views(alerts) -> list[AlertView]:
    """With their hotels and acknowledgers, in one query for the whole page."""
    if not alerts:
        return []
    acknowledger = aliased(StaffUser)
    rows = db.session.execute(
        sa.select(CheckInAlert.id, Property.code, Property.name, acknowledger.name)
        .join(Property, Property.id == CheckInAlert.property_id)
        .outerjoin(acknowledger, acknowledger.id == CheckInAlert.acknowledged_by_id)
        .where(CheckInAlert.id.in_([alert.id for alert in alerts]))
    ).all()
    extra = {alert_id: (code, name, staff) for alert_id, code, name, staff in rows}
    return [AlertView(alert, *extra[alert.id]) for alert in alerts]


def list_alerts(principal: Principal, *, status: str | None = None, property_code: str | None = None,
                limit: int = 50, before: int | None = None) -> AlertPage:
    """The alerts of the principal's hotels, newest first, a page at a time (`before`: the
    previous page's `next_before`); `status` open or acknowledged."""
    require(principal, "alerts:read")
    query = _visible(principal)
    if property_code:
        prop = property_service.get_property(principal, property_code)
        if not principal.covers_property(prop.id):
            raise NotFoundError(_("No property with the code %(code)s.", code=prop.code))
        query = query.where(CheckInAlert.property_id == prop.id)
    if status == "open":
        query = query.where(CheckInAlert.acknowledged_at.is_(None))
    elif status == "acknowledged":
        query = query.where(CheckInAlert.acknowledged_at.is_not(None))
    if before is not None:
        query = query.where(CheckInAlert.id < before)
    limit = max(1, min(limit, PAGE_MAX))
    alerts = db.session.scalars(query.order_by(CheckInAlert.id.desc()).limit(limit + 1)).all()
    more = len(alerts) > limit
    alerts = alerts[:limit]
    return AlertPage(_views(alerts), alerts[-1].id if more else None)


def get_alert(principal: Principal, alert_id: int, *, audit_view: bool = True) -> AlertView:
    """One alert of the principal's hotels; reading it is recorded as seeing the guest."""
    require(principal, "alerts:read")
    alert = db.session.scalar(_visible(principal).where(CheckInAlert.id == alert_id))
    if alert is None:
        raise NotFoundError(_("There is no check-in alert with this id."))
    if audit_view and alert.guest_id is not None:
        with transaction():
            audit.record(principal, "view", "checkin_alert", alert.id, guest_id=alert.guest_id,
                         property_id=alert.property_id)
    return _views([alert])[0]


def acknowledge(principal: Principal, alert_id: int) -> AlertView:
    """Staff saw the alert and acted on it; every open front-desk page of the hotel closes it.
    Acknowledging twice changes nothing."""
    require(principal, "alerts:write")
    with transaction():
        alert = db.session.scalar(_visible(principal).where(CheckInAlert.id == alert_id).with_for_update())
        if alert is None:
            raise NotFoundError(_("There is no check-in alert with this id."))
        event = None
        if alert.acknowledged_at is None:
            alert.acknowledged_at, alert.acknowledged_by_id = utcnow(), principal.staff_id
            event = LiveEvent(property_id=alert.property_id, kind="acknowledged", alert_id=alert.id)
            db.session.add(event)
            audit.record(principal, "update", "checkin_alert", alert.id, guest_id=alert.guest_id,
                         property_id=alert.property_id,
                         changes={"acknowledged_at": [None, alert.acknowledged_at.isoformat()]})
    if event is not None:
        live.hub(current_app._get_current_object()).announce(alert.property_id, event.id)
    return _views([alert])[0]


# -- the live stream --------------------------------------------------------------------------


def stream_properties(principal: Principal, property_code: str | None = None) -> list[int]:
    """The hotels whose live events a front-desk page of the principal follows: one of them, or
    all it covers."""
    require(principal, "alerts:read")
    if property_code:
        prop = property_service.get_property(principal, property_code)
        if not principal.covers_property(prop.id):
            raise NotFoundError(_("No property with the code %(code)s.", code=prop.code))
        return [prop.id]
    if principal.property_ids is None:
        return [prop.id for prop in property_service.list_properties(principal)]
    return sorted(principal.property_ids)


def newest_event_id() -> int:
    """Where a page that opens now starts following: what happened before is on the alerts page."""
    newest = db.session.scalar(sa.select(sa.func.max(LiveEvent.id))) or 0
    db.session.rollback()
    return newest


def events_after(property_ids: list[int], after_id: int, limit: int = 50) -> list[tuple[LiveEvent, AlertView]]:
    """The hotels' live events after `after_id`, oldest first, each with its alert. The read's
    transaction ends here, its rows detached as read: a stream holds no transaction open while
    it waits."""
    try:
        events = db.session.scalars(sa.select(LiveEvent).where(
            LiveEvent.property_id.in_(property_ids), LiveEvent.id > after_id).order_by(LiveEvent.id).limit(limit)).all()
        alerts = db.session.scalars(sa.select(CheckInAlert).where(
            CheckInAlert.id.in_({event.alert_id for event in events}))).all() if events else []
        views = {view.alert.id: view for view in _views(alerts)}
        for row in (*events, *alerts):
            db.session.expunge(row)
        return [(event, views[event.alert_id]) for event in events]
    finally:
        db.session.rollback()


def prune_events(now: datetime | None = None, keep_days: int = 2) -> int:
    """Live events older than a browser would ask for again; the alerts themselves stay."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    with transaction():
        removed = db.session.execute(sa.delete(LiveEvent).where(LiveEvent.created_at < cutoff)).rowcount
    return removed
