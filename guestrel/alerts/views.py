"""Browser pages of check-in alerts: the live stream every front-desk page follows, the alerts
page, acknowledging, and the alert rules (alerts:admin)."""
import secrets
import threading
import time
from datetime import date

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from guestrel.alerts import live, rule_service, service
from guestrel.alerts.forms import RuleForm
from guestrel.alerts.rules import CONDITION_LABELS
from guestrel.auth.permissions import current_principal, require
from guestrel.guests.preference_service import CATEGORY_LABELS
from guestrel.properties import service as property_service
from guestrel.service_errors import ConflictError, PermissionDeniedError
from guestrel.web.forms import FORM_ERRORS, show_errors

bp = Blueprint("alert_pages", __name__, template_folder="templates")


@bp.app_context_processor
def live_alerts():
    def live_alerts_start() -> int:
        """Where a page rendered now starts following its hotels' live events."""
        return service.newest_event_id()

    def category_text(preference: dict) -> str:
        label = CATEGORY_LABELS.get(preference["category_code"])
        return str(label) if label is not None else preference["category"]

    return {"live_alerts_start": live_alerts_start, "condition_labels": CONDITION_LABELS,
            "category_text": category_text, "iso_date": date.fromisoformat}


# -- the live stream --------------------------------------------------------------------------


class StreamSlots:
    """How many live streams this process holds open; each holds a server thread while it waits,
    so their number stays below the threads, and other requests are never starved."""

    def __init__(self, maximum: int):
        self._slots = threading.BoundedSemaphore(maximum)

    def take(self) -> bool:
        return self._slots.acquire(blocking=False)

    def give_back(self):
        self._slots.release()


def _slots() -> StreamSlots:
    app = current_app._get_current_object()
    return app.extensions.setdefault("guestrel.stream_slots", StreamSlots(app.config["GUESTREL_LIVE_STREAMS_MAX"]))


def _start_after() -> int:
    """The last event the browser has: the Last-Event-ID it sends when it reconnects, else the
    one the page was rendered with."""
    for value in (request.headers.get("Last-Event-ID"), request.args.get("after")):
        if value is not None and value.strip().isdigit():
            return int(value.strip())
    return service.newest_event_id()


# Where a shared pop-up has its CSRF token, which is each staff member's own.
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(8)}"


def _popup(hub: live.LiveHub, view: service.AlertView) -> str:
    """The pop-up as this staff member sees it: rendered once per language, clock and set of
    permissions for every stream of the process, with the stream's own CSRF token filled in."""
    audience = (str(get_locale()), str(get_timezone()), current_principal().permissions)
    html = hub.once(("popup", view.alert.id, *audience),
                    lambda: render_template("alerts/_popup.html", view=view, csrf_token=lambda: CSRF_SLOT))
    return html.replace(CSRF_SLOT, generate_csrf())


def _sse(event_id: int, kind: str, data: str) -> str:
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"id: {event_id}\nevent: {kind}\n{lines}\n"


@bp.get("/alerts/stream")
@require("alerts:read")
def stream():
    """Server-Sent Events for the front-desk pages: `alert` (the pop-up's HTML) and
    `acknowledged` (the alert's id) for the staff member's hotels, or ?property=CODE."""
    property_ids = service.stream_properties(current_principal(), request.args.get("property"))
    after = _start_after()
    slots = _slots()
    if not slots.take():
        return Response(_("Too many live pages are open on this server; this page tries again shortly."),
                        status=503, headers={"Retry-After": "15"}, mimetype="text/plain")
    config = current_app.config
    hub = live.hub(current_app._get_current_object())
    # Settled now, while the staff member is loaded: the stream outlives the request's database
    # session, and every pop-up is rendered in this language and on this clock.
    get_locale(), get_timezone()

    def events():
        last = after
        # A stream ends now and then: the browser reconnects, and its session is checked again.
        ends_at = time.monotonic() + config["GUESTREL_LIVE_STREAM_SECONDS"]
        with hub.following():
            yield f"retry: {config['GUESTREL_LIVE_RETRY_MS']}\n\n"
            while time.monotonic() < ends_at:
                found = hub.once(("events", tuple(property_ids), last, hub.newest_of(property_ids)),
                                 lambda: service.events_after(property_ids, last))
                for event, view in found:
                    if event.kind == "alert":
                        data = _popup(hub, view)
                    else:
                        data = str(view.alert.id)
                    yield _sse(event.id, event.kind, data)
                    last = event.id
                if not found and not hub.wait(property_ids, last, config["GUESTREL_LIVE_HEARTBEAT_SECONDS"]):
                    # Also how a browser that went away is noticed: writing to it fails.
                    yield ": keep-alive\n\n"

    response = Response(stream_with_context(events()), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    # Also when the browser goes away before the stream's first line.
    response.call_on_close(slots.give_back)
    return response


# -- the alerts page --------------------------------------------------------------------------


@bp.get("/alerts")
@require("alerts:read")
def index():
    principal = current_principal()
    code = request.args.get("property") or None
    before = request.args.get("before", type=int)
    open_alerts = service.list_alerts(principal, status="open", property_code=code, limit=service.PAGE_MAX)
    acknowledged = service.list_alerts(principal, status="acknowledged", property_code=code, before=before)
    next_url = url_for(".index", property=code, before=acknowledged.next_before) if acknowledged.next_before else None
    return render_template("alerts/index.html", open_alerts=open_alerts.items, acknowledged=acknowledged.items,
                           next_url=next_url, property_code=code,
                           properties=property_service.list_properties(principal))


@bp.get("/alerts/<int:alert_id>")
@require("alerts:read")
def detail(alert_id):
    return render_template("alerts/detail.html", view=service.get_alert(current_principal(), alert_id))


@bp.post("/alerts/<int:alert_id>/acknowledge")
@require("alerts:write")
def acknowledge(alert_id):
    view = service.acknowledge(current_principal(), alert_id)
    if request.headers.get("HX-Request"):
        # The pop-up that asked goes away; the others are closed by the live stream.
        return ""
    flash(_("Alert for %(name)s acknowledged.", name=_popup_name(view)), "success")
    return redirect(url_for(".index"))


def _popup_name(view) -> str:
    guest = view.alert.content["guest"]
    return guest["name"] if guest else _("room %(room)s", room=view.alert.content["stay"]["room_number"] or "—")


# -- alert rules ------------------------------------------------------------------------------


def _rule_form(principal, rule=None) -> RuleForm:
    properties = property_service.list_properties(principal)
    covered = [prop for prop in properties if principal.covers_property(prop.id)]
    return RuleForm.for_rule(rule, properties=covered, chain_wide=principal.property_ids is None)


@bp.get("/admin/alert-rules")
@require("alerts:admin")
def rule_list():
    return render_template("alerts/rules.html", rules=rule_service.list_rules(current_principal()))


@bp.route("/admin/alert-rules/new", methods=["GET", "POST"])
@require("alerts:admin")
def rule_create():
    principal = current_principal()
    form = _rule_form(principal)
    if form.validate_on_submit():
        try:
            rule = rule_service.create_rule(principal, form.service_data())
        except FORM_ERRORS as error:
            show_errors(form, error)
        else:
            flash(_("Alert rule %(name)s saved.", name=rule.name), "success")
            return redirect(url_for(".rule_list"))
    return render_template("alerts/rule_form.html", form=form, rule=None)


@bp.route("/admin/alert-rules/<int:rule_id>", methods=["GET", "POST"])
@require("alerts:admin")
def rule_edit(rule_id):
    principal = current_principal()
    rule = rule_service.get_rule(principal, rule_id)
    form = _rule_form(principal, rule)
    if form.validate_on_submit():
        try:
            rule = rule_service.update_rule(principal, rule_id, form.version.data, form.service_data())
        except FORM_ERRORS + (ConflictError, PermissionDeniedError) as error:
            show_errors(form, error)
        else:
            flash(_("Alert rule %(name)s saved.", name=rule.name), "success")
            return redirect(url_for(".rule_list"))
    return render_template("alerts/rule_form.html", form=form, rule=rule)
