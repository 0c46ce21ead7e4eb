"""One Mews connection's settings, as an admin enters them."""
import zoneinfo

import marshmallow
from marshmallow import fields, validate

DEMO_URL = "https://api.mews-demo.com"
SECRETS = frozenset({"client_token", "access_token", "webhook_secret"})
# How far back the first poll of a new connection reaches, in days.
HISTORY_DAYS_DEFAULT = 30
HISTORY_DAYS_MAX = 3650


def _known_timezone(name: str):
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise marshmallow.ValidationError("Use an IANA time zone such as Asia/Shanghai.") from error


class MewsSettings(marshmallow.Schema):
    """base_url: the Mews platform address (the demo by default; https://api.mews.com for live
    hotels). client_token: guestrel's integration token from Mews; access_token: the hotel's
    token for this integration; client: the name Mews logs our calls under. enterprise_id and
    integration_id: the EnterpriseId and IntegrationId Mews puts in its webhooks, so that a
    webhook of another hotel is refused. service_id: the accommodation service to read (all
    bookable services when empty). timezone: the hotel's, to turn Mews's UTC times into
    arrival and departure dates. history_days: how far back the first poll reaches.
    webhook_secret: only for a relay that signs deliveries for guestrel; Mews itself does not
    sign, the secret inbound URL authenticates it."""

    base_url = fields.Url(load_default=DEMO_URL, schemes={"http", "https"}, require_tld=False)
    client_token = fields.String(required=True, validate=validate.Length(min=1, max=500))
    access_token = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client = fields.String(load_default="guestrel", validate=validate.Length(min=1, max=200))
    enterprise_id = fields.UUID(required=True)
    integration_id = fields.UUID(load_default=None, allow_none=True)
    service_id = fields.UUID(load_default=None, allow_none=True)
    timezone = fields.String(load_default="UTC", validate=_known_timezone)
    history_days = fields.Integer(load_default=HISTORY_DAYS_DEFAULT, strict=True,
                                  validate=validate.Range(min=1, max=HISTORY_DAYS_MAX))
    # No default: an unset secret stays absent, so the integrations page does not call it set.
    webhook_secret = fields.String(validate=validate.Length(min=1, max=500))
