"""The integrations page (admins): connections with their state, the inbox messages that
failed, each replayable once the cause is fixed, and the outbox deliveries that wait or died,
each dead one retryable."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.auth.permissions import current_principal, require
from guestrel.sync import connections, imports, inbox, outbox

bp = Blueprint("sync_pages", __name__, template_folder="templates")
FAILED_SHOWN = 100
OUTBOX_SHOWN = 100
MESSAGE_STATUS_LABELS = {
    "received": _l("received"),
    "applied": _l("applied"),
    "failed": _l("failed"),
    "ignored": _l("ignored"),
}


@bp.route("/admin/integrations")
@require("integrations:admin")
def index():
    principal = current_principal()
    return render_template(
        "sync/index.html",
        connections=connections.list_connections(principal),
        file_adapters=imports.file_adapter_names(),
        failed=inbox.list_messages(principal, failed_only=True, limit=FAILED_SHOWN),
        status_labels=MESSAGE_STATUS_LABELS,
        outbox_dead=outbox.list_messages(principal, status="dead", limit=OUTBOX_SHOWN).items,
        outbox_pending=outbox.list_messages(principal, status="pending", limit=OUTBOX_SHOWN).items,
    )


@bp.route("/admin/integrations/inbox/<int:message_id>/replay", methods=["POST"])
@require("integrations:admin")
def replay(message_id):
    try:
        message = inbox.replay(current_principal(), message_id)
    except inbox.NotReplayableError as error:
        flash(error.message, "error")
    else:
        if message.status == "failed":
            flash(_("Message %(id)d still fails: %(error)s", id=message.id, error=message.error), "error")
        else:
            flash(_("Message %(id)d was replayed.", id=message.id), "success")
    return redirect(url_for(".index"))


@bp.route("/admin/integrations/outbox/<int:message_id>/retry", methods=["POST"])
@require("integrations:admin")
def retry_delivery(message_id):
    try:
        item = outbox.retry(current_principal(), message_id)
    except outbox.NotRetryableError as error:
        flash(error.message, "error")
    else:
        if item.message.status == "superseded":
            flash(_("Delivery %(id)d was replaced by a newer one for the same guest.", id=item.message.id), "success")
        else:
            flash(_("Delivery %(id)d will be tried again.", id=item.message.id), "success")
    return redirect(url_for(".index"))
