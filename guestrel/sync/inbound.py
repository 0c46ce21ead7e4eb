"""The inbound endpoint: where a PMS or channel posts its webhooks, one URL per connection.

It is not part of the bearer-key API: a vendor's system cannot hold a guestrel API key, so the
connection authenticates the sender itself. The URL carries the connection's token; when the
connection holds a webhook secret, each delivery must also be signed (see _check_signature). The
body is stored raw in the inbox before it is parsed, then processed in the request. A payload
the adapter cannot parse is kept and answered 202 all the same: the sender retrying a payload we
already hold would only store it again.
"""
import hashlib
import hmac
import time

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from guestrel.sync import connections, inbox

# How far a delivery's timestamp may be from our clock: a captured delivery cannot be replayed
# later, yet a sender's clock that is a little off still works.
SIGNATURE_TOLERANCE_SECONDS = 300
TIMESTAMP_HEADER = "X-Guestrel-Timestamp"
SIGNATURE_HEADER = "X-Guestrel-Signature"
SIGNATURE_PREFIX = "sha256="
DELIVERY_ID_MAX_LENGTH = 200

bp = Blueprint("inbound", __name__)


def _answer(code: int, message: str, **extra):
    return jsonify(code=code, status=HTTP_STATUS_CODES[code], message=message, **extra), code


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The X-Guestrel-Signature value of `body` sent at `timestamp` (unix seconds, as text)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def _check_signature(secret: str, body: bytes) -> str | None:
    """None when the delivery is signed with `secret` within the tolerance, else what is wrong."""
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not given:
        return _("This connection requires signed deliveries.")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
        return _("The delivery's timestamp is missing or too far from the current time.")
    if not hmac.compare_digest(signature(secret, timestamp, body).encode(), given.encode()):
        return _("The delivery's signature is wrong.")
    return None


@bp.route("/inbound/<int:connection_id>/<token>", methods=["POST"])
def receive(connection_id, token):
    """Store and process one delivery for the connection: 202 with the inbox message's id and
    status, 200 for a delivery id seen before, 401/404 when the sender is not recognised."""
    target = connections.inbound_target(connection_id)
    if target is None:
        return _answer(404, _("There is no enabled connection at this address."))
    if not hmac.compare_digest(target.connection.inbound_token.encode(), token.encode()):
        return _answer(401, _("The address of this connection is wrong."))
    too_large = _answer(413, _("What you sent is too large."))
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        return too_large
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return too_large

    secret = target.secrets.get(target.adapter.webhook_secret_setting)
    if secret:
        problem = _check_signature(secret, body)
        if problem:
            return _answer(401, problem)
    delivery_id = request.headers.get(target.adapter.delivery_id_header) or None
    if delivery_id is not None and len(delivery_id) > DELIVERY_ID_MAX_LENGTH:
        return _answer(400, _("The delivery id is longer than %(max)d characters.", max=DELIVERY_ID_MAX_LENGTH))

    source = inbox.Source(target.connection.adapter, target.property_code)
    try:
        message = inbox.receive(source, request.content_type, request.headers, body, delivery_id=delivery_id)
    except inbox.DuplicateDeliveryError:
        return jsonify(duplicate=True), 200
    message = inbox.process(message.id)
    failed = message.status == "failed"
    connections.record_inbound(connection_id, message.error if failed else None)
    answer = {"message_id": message.id, "status": message.status}
    if failed:
        answer["error"] = message.error
    return jsonify(answer), 202
