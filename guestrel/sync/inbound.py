"""The inbound endpoint: where a PMS or channel posts its webhooks, one URL per connection.

It is not part of the bearer-key API: a vendor's system cannot hold a guestrel API key, so the
connection authenticates the sender itself. The URL carries the connection's token; when the
connection holds a webhook secret, each delivery must also be signed (see _check_signature). The
body is stored raw in the inbox before it is parsed, then processed by a worker. A payload
the adapter cannot parse is kept and answered 202 all the same: the sender retrying a payload we
already hold would only store it again.

A channel (a ChannelAdapter) waits for its answer instead: its message is processed in the
request and every answer, a refusal included, is the adapter's reply in the channel's own form.
The adapter's `authenticate` checks the credentials the vendor's protocol carries; a sender it
refuses has nothing stored, so that only a recognised sender can fill the inbox.
"""
import hashlib
import hmac
import time

from flask import Blueprint, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from guestrel import jobs
from guestrel.plugins.plugin_api import ChannelAdapter, PayloadError, SenderRefused
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


def _refuse(adapter, code: int, error: PayloadError, body: bytes = b""):
    """A refusal in the sender's form: a channel's own error reply, else the JSON answer."""
    if isinstance(adapter, ChannelAdapter):
        return _reply(adapter, body, error, code)
    return _answer(code, str(error))


def _reply(adapter: ChannelAdapter, body: bytes, error: PayloadError | None, code: int | None = None):
    """The channel's answer to `body`; `code` overrides the reply's status for a refusal."""
    reply = adapter.reply(body, error)
    return Response(reply.body, status=code or reply.status, content_type=reply.content_type)


@bp.route("/inbound/<int:connection_id>/<token>", methods=["POST"])
def receive(connection_id, token):
    """Store and process one delivery for the connection: 202 with the inbox message's id and
    status, 200 for a delivery id seen before, 401/404 when the sender is not recognised. A
    channel gets its adapter's reply to each of these instead."""
    target = connections.inbound_target(connection_id)
    if target is None:
        return _answer(404, _("There is no enabled connection at this address."))
    adapter = connections.adapter_instance(target.connection)
    if not hmac.compare_digest(target.connection.inbound_token.encode(), token.encode()):
        return _refuse(adapter, 401, SenderRefused(_("The address of this connection is wrong.")))
    too_large = PayloadError(_("What you sent is too large."))
    if (request.content_length or 0) > current_app.config["MAX_CONTENT_LENGTH"]:
        return _refuse(adapter, 413, too_large)
    try:
        body = request.get_data(cache=False)
    except RequestEntityTooLarge:
        return _refuse(adapter, 413, too_large)

    secret = target.secrets.get(adapter.webhook_secret_setting)
    problem = _check_signature(secret, body) if secret else None
    problem = problem or adapter.authenticate(request.headers, body)
    if problem:
        return _refuse(adapter, 401, SenderRefused(problem), body)
    delivery_id = request.headers.get(adapter.delivery_id_header) or None
    if delivery_id is not None and len(delivery_id) > DELIVERY_ID_MAX_LENGTH:
        return _refuse(adapter, 400, PayloadError(
            _("The delivery id is longer than %(max)d characters.", max=DELIVERY_ID_MAX_LENGTH)), body)

    source = inbox.Source(target.connection.adapter, target.property_code)
    try:
        message = inbox.receive(source, request.content_type, request.headers, body, delivery_id=delivery_id)
    except inbox.DuplicateDeliveryError:
        if isinstance(adapter, ChannelAdapter):
            return _reply(adapter, body, None)
        return jsonify(duplicate=True), 200
    if isinstance(adapter, ChannelAdapter):
        message = inbox.process(message.id)
        return _reply(adapter, body, PayloadError(message.error) if message.status == "failed" else None)
    # Applied by a worker: a webhook that carries only ids needs calls back to the PMS, which
    # may be slow or away. (Jobs that run immediately, as in tests, have run by now.)
    jobs.enqueue("sync.process_message", message.id)
    message = inbox.current(message.id)
    answer = {"message_id": message.id, "status": message.status}
    if message.status == "failed":
        answer["error"] = message.error
    return jsonify(answer), 202
