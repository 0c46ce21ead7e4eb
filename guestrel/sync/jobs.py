"""The sync domain's background jobs (see guestrel.jobs). Each takes ids, not objects, and is
safe to run twice: a second run finds the work done."""
from datetime import timedelta

from flask import current_app

from guestrel import jobs
from guestrel.database import utcnow
from guestrel.sync import inbox, outbox, polling

OUTBOX_ROUND = 100


def process_message(message_id: int):
    """Apply an inbox message; while its source is away, run again when the message says."""
    message = inbox.process(message_id)
    if message.status == "received" and message.next_attempt_at is not None:
        delay = max(0.0, (message.next_attempt_at - utcnow()).total_seconds())
        jobs.enqueue("sync.process_message", message_id, delay=delay)


def poll_connection(connection_id: int):
    """Poll one page; process what came, and fetch the next page at once while there is more."""
    outcome = polling.poll_connection(connection_id)
    if outcome.message_id is not None:
        jobs.enqueue("sync.process_message", outcome.message_id)
    if outcome.more:
        jobs.enqueue("sync.poll_connection", connection_id)


def poll_due():
    """Queue a poll of every connection whose interval has passed."""
    for connection_id in polling.claim_due_connections(utcnow()):
        jobs.enqueue("sync.poll_connection", connection_id)


def recover():
    """Queue again the messages whose job was lost (a worker killed mid-batch)."""
    grace = timedelta(seconds=current_app.config["GUESTREL_INBOX_RECOVER_AFTER_SECONDS"])
    for message_id in inbox.stranded_message_ids(utcnow(), grace):
        jobs.enqueue("sync.process_message", message_id)


def deliver_outbox():
    """A round of outbox deliveries; while rounds come back full, the next one follows at once
    instead of a minute later."""
    if outbox.deliver_due(limit=OUTBOX_ROUND) >= OUTBOX_ROUND:
        jobs.enqueue("sync.deliver_outbox")
