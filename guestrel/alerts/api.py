"""REST API for check-in alerts and alert rules: parse, call the service, dump."""
from guestrel.api_conventions import ETAG_HEADER, IF_MATCH, Blueprint, etag, expected_version
from guestrel.alerts import rule_service, service
from guestrel.alerts.schemas import (
    AlertPageSchema,
    AlertQuerySchema,
    AlertRuleCreateSchema,
    AlertRuleListSchema,
    AlertRuleSchema,
    AlertRuleUpdateSchema,
    AlertSchema,
)
from guestrel.auth.permissions import current_principal, require

blp = Blueprint("alerts", __name__, url_prefix="/api/v1", description="Check-in alerts and alert rules.")


@blp.route("/alerts")
@require("alerts:read")
@blp.arguments(AlertQuerySchema, location="query")
@blp.response(200, AlertPageSchema)
@blp.errors(404)
def list_alerts(query):
    """List the check-in alerts of the hotels this client covers, newest first

    A page at a time: pass `next_before` as `before` for the next. `status=open` gives those not
    acknowledged yet.
    """
    return service.list_alerts(current_principal(), status=query.get("status"), property_code=query.get("property"),
                               limit=query["limit"], before=query.get("before"))


@blp.route("/alerts/<int:alert_id>")
@require("alerts:read")
@blp.response(200, AlertSchema)
@blp.errors(404)
def get_alert(alert_id):
    """Read one check-in alert (recorded in the guest's audit trail)"""
    return service.get_alert(current_principal(), alert_id)


@blp.route("/alerts/<int:alert_id>/acknowledge", methods=["POST"])
@require("alerts:write")
@blp.response(200, AlertSchema)
@blp.errors(404)
def acknowledge_alert(alert_id):
    """Acknowledge a check-in alert

    The hotel's open front-desk pages close it. Acknowledging it again changes nothing.
    """
    return service.acknowledge(current_principal(), alert_id)


@blp.route("/alert-rules")
@require("alerts:admin")
@blp.response(200, AlertRuleListSchema)
@blp.errors()
def list_rules():
    """List the alert rules of the whole chain and of this client's hotels"""
    return {"items": rule_service.list_rules(current_principal())}


@blp.route("/alert-rules", methods=["POST"])
@require("alerts:admin")
@blp.arguments(AlertRuleCreateSchema)
@blp.response(201, AlertRuleSchema, headers=ETAG_HEADER)
@blp.errors(404)
def create_rule(data):
    """Add an alert rule: a text every matching check-in shows

    Without `property_code` the rule is the whole chain's, which needs a client of the whole chain.
    """
    rule = rule_service.create_rule(current_principal(), data)
    return rule, 201, etag(rule.version)


@blp.route("/alert-rules/<int:rule_id>")
@require("alerts:admin")
@blp.response(200, AlertRuleSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_rule(rule_id):
    """Read one alert rule"""
    rule = rule_service.get_rule(current_principal(), rule_id)
    return rule, 200, etag(rule.version)


@blp.route("/alert-rules/<int:rule_id>", methods=["PATCH"])
@require("alerts:admin")
@blp.arguments(AlertRuleUpdateSchema)
@blp.response(200, AlertRuleSchema, headers=ETAG_HEADER)
@blp.doc(**IF_MATCH)
@blp.errors(404, 412, 428)
def update_rule(data, rule_id):
    """Change an alert rule (disable it with `enabled: false`)"""
    version = expected_version(str(rule_service.CHANGED))
    rule = rule_service.update_rule(current_principal(), rule_id, version, data)
    return rule, 200, etag(rule.version)
