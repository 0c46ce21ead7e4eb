"""The settings of one apaleo connection, as an admin enters them."""
import re
import zoneinfo

import marshmallow
from marshmallow import fields, validate

IDENTITY_URL = "https://identity.apaleo.com"
API_URL = "https://api.apaleo.com"
# apaleo's property ids are short codes ("MUC"), account-prefixed in some accounts ("HFTF-AADS").
PROPERTY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,49}\Z")


def _check_timezone(value: str):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise marshmallow.ValidationError("Give an IANA time zone such as Europe/Berlin.") from error


class ApaleoSettings(marshmallow.Schema):
    """client_id, client_secret: an apaleo "simple client" (client-credentials app) of the
    hotel's account, with the scopes reservations.read, reservations.manage (to write notes) and
    properties.read. identity_url, api_url: apaleo's servers. property_id: the apaleo property
    this connection is for (e.g. MUC). webhook_secret: only when deliveries pass through a relay
    that signs them the guestrel way; apaleo itself does not sign, its deliveries are
    authenticated by the connection's inbound URL. timezone: the hotel's, to read arrival and
    departure dates when apaleo gives them in another offset."""

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    client_secret = fields.String(required=True, validate=validate.Length(min=1, max=500))
    # Plain http and hosts without a domain are allowed for a local proxy (and the tests).
    identity_url = fields.Url(load_default=IDENTITY_URL, schemes={"http", "https"}, require_tld=False)
    api_url = fields.Url(load_default=API_URL, schemes={"http", "https"}, require_tld=False)
    property_id = fields.String(required=True, validate=validate.Regexp(
        PROPERTY_ID, error="Give apaleo's property id, e.g. MUC."))
    webhook_secret = fields.String(validate=validate.Length(min=16, max=500))
    timezone = fields.String(validate=_check_timezone)
