"""Delivering the outbox to a PMS (pytest-httpserver answering as the Mews Connector API does):
success, Retry-After, backoff with jitter, timeouts, an outage, dead letters, rate limits,
connections that are disabled or whose adapter is gone, and workers running at once."""
import random
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests import preference_service
from guestrel.sync import connections, outbox
from tests.sync.outbox_support import (  # noqa: F401  (fixtures)
    ACCESS_TOKEN,
    CLIENT_TOKEN,
    app,
    clock,
    make_connection,
    make_guest,
    messages,
    notes_module,
    notes_pms,
    pms,
    prefer,
)


def seconds(delta: timedelta) -> float:
    return delta.total_seconds()


def test_a_due_fact_is_written_to_the_guests_customer_in_the_pms(hotels, pms, clock):
    make_connection(pms.url)
    guest = make_guest("C-1")
    prefer(guest.id, "Carrot juice", detail="Large glass")
    prefer(guest.id, "Peanuts", category="dietary_and_allergy")
    [message] = messages()

    assert outbox.deliver_due(clock) == 1

    [received] = pms.received
    assert received["body"] == {
        "ClientToken": CLIENT_TOKEN, "AccessToken": ACCESS_TOKEN, "Client": "guestrel 1.0", "CustomerId": "C-1",
        "Notes": {"Value": "Peanuts\nCarrot juice — Large glass"},
    }
    assert received["headers"]["Idempotency-Key"] == message.fact_id
    [delivered] = messages()
    assert (delivered.status, delivered.attempts, delivered.delivered_at, delivered.next_attempt_at) == (
        "delivered", 1, clock, None)
    assert delivered.last_error is None
    assert outbox.deliver_due(clock + timedelta(hours=1)) == 0 and len(pms.received) == 1
    export = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert (export.entity_type, export.entity_id, export.guest_id, export.property_id) == (
        "outbox_message", message.id, guest.id, hotels[0].id)
    assert export.changes["fact_id"] == [None, message.fact_id] and export.staff_id is None


def test_a_429_is_retried_after_exactly_its_retry_after_and_holds_back_the_connection(hotels, pms, clock):
    make_connection(pms.url)
    first, second = make_guest("C-1"), make_guest("C-2", name="Mei")
    prefer(first.id, "Carrot juice")
    prefer(second.id, "Green tea")
    pms.answers = [(429, {"Retry-After": "120"}, {"Message": "Too many requests"})]

    assert outbox.deliver_due(clock) == 1

    throttled, waiting = messages()
    assert (throttled.status, throttled.attempts, throttled.next_attempt_at) == (
        "pending", 1, clock + timedelta(seconds=120))
    assert "Throttled: Too many requests" in throttled.last_error
    # The PMS said wait: the other fact is not sent into the same refusal, and is not charged a try.
    assert (waiting.status, waiting.attempts, waiting.next_attempt_at) == ("pending", 0, clock + timedelta(seconds=120))
    assert outbox.deliver_due(clock + timedelta(seconds=119)) == 0 and len(pms.received) == 1

    assert outbox.deliver_due(clock + timedelta(seconds=120)) == 2
    assert [m.status for m in messages()] == ["delivered", "delivered"]
    assert pms.customer_ids() == ["C-1", "C-1", "C-2"]


def test_a_503_backs_off_with_full_jitter_within_growing_bounds(app, hotels, pms, clock):
    app.config.update(GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS=10, GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS=50,
                      GUESTREL_OUTBOX_MAX_ATTEMPTS=20)
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")
    pms.answers = [503] * 6
    moment = clock
    for attempt, bound in enumerate([10, 20, 40, 50, 50, 50], start=1):
        assert outbox.deliver_due(moment) == 1
        [message] = messages()
        assert (message.status, message.attempts) == ("pending", attempt)
        assert 0 <= seconds(message.next_attempt_at - moment) <= bound
        assert "The PMS answered 503: Service unavailable" in message.last_error
        moment = message.next_attempt_at
    assert outbox.deliver_due(moment) == 1 and messages()[0].status == "delivered"


def test_the_backoff_doubles_from_the_base_up_to_the_cap(app, hotels, pms, clock, monkeypatch):
    # The jitter's upper end every time: what is left is the bound itself.
    monkeypatch.setattr(random, "uniform", lambda low, high: high)
    app.config.update(GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS=30, GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS=200)
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")
    pms.answers = [502] * 5
    moment, waits = clock, []
    for _attempt in range(5):
        outbox.deliver_due(moment)
        next_attempt = messages()[0].next_attempt_at
        waits.append(seconds(next_attempt - moment))
        moment = next_attempt
    assert waits == [30, 60, 120, 200, 200]


def test_a_pms_that_does_not_answer_in_time_is_tried_again_later(hotels, pms, clock):
    make_connection(pms.url, timeout=0.2)
    prefer(make_guest("C-1").id, "Carrot juice")
    pms.before_answer = lambda: threading.Event().wait(0.6)

    assert outbox.deliver_due(clock) == 1

    [message] = messages()
    assert (message.status, message.attempts) == ("pending", 1)
    assert "The PMS did not answer in time" in message.last_error and "timed out" in message.last_error
    pms.before_answer = None
    time.sleep(0.5)  # the stand-in PMS serves one request at a time: let it finish the slow one
    assert outbox.deliver_due(message.next_attempt_at) == 1 and messages()[0].status == "delivered"


def test_a_pms_that_cannot_be_reached_is_tried_again_later(hotels, clock):
    make_connection("http://127.0.0.1:9")
    prefer(make_guest("C-1").id, "Carrot juice")

    assert outbox.deliver_due(clock) == 1

    [message] = messages()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error.startswith("ConnectionError: ")


def test_after_an_outage_every_fact_is_delivered_once_with_the_latest_profile(app, hotels, pms, clock):
    app.config.update(GUESTREL_OUTBOX_BACKOFF_BASE_SECONDS=60, GUESTREL_OUTBOX_BACKOFF_CAP_SECONDS=600)
    make_connection(pms.url)
    guests = [make_guest(f"C-{n}", name=f"Guest {n}") for n in range(1, 4)]
    juices = [prefer(guest.id, "Carrot juice") for guest in guests]
    down = {"now": True}
    pms.answers = []
    pms.before_answer = lambda: pms.answers.append(503) if down["now"] else None

    moment = clock
    for _round in range(6):
        outbox.deliver_due(moment)
        moment += timedelta(minutes=10)
    # Edited during the outage: the waiting fact is replaced, not queued behind.
    preference_service.update_preference(OPERATOR, guests[0].id, juices[0].id, juices[0].version,
                                         {"value": "Orange juice"})
    assert all(m.status == "pending" for m in messages()) and len(messages()) == 3
    tried_while_down = len(pms.received)

    down["now"] = False
    assert outbox.deliver_due(moment) == 3

    assert [m.status for m in messages()] == ["delivered"] * 3
    delivered = pms.received[tried_while_down:]
    assert sorted(item["body"]["CustomerId"] for item in delivered) == ["C-1", "C-2", "C-3"]
    assert {item["body"]["CustomerId"]: item["body"]["Notes"]["Value"] for item in delivered}["C-1"] == "Orange juice"
    assert outbox.deliver_due(moment + timedelta(hours=2)) == 0


def test_a_fact_dies_after_the_last_attempt_and_is_not_tried_again(app, hotels, pms, clock):
    app.config.update(GUESTREL_OUTBOX_MAX_ATTEMPTS=3)
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")
    pms.answers = [500] * 10
    moment = clock
    for _attempt in range(3):
        outbox.deliver_due(moment)
        moment += timedelta(hours=2)

    [message] = messages()
    assert (message.status, message.attempts, message.next_attempt_at) == ("dead", 3, None)
    assert outbox.deliver_due(moment + timedelta(days=1)) == 0 and len(pms.received) == 3


def test_a_permanent_refusal_goes_straight_to_the_dead_letters(hotels, pms, clock):
    make_connection(pms.url)
    prefer(make_guest("C-404").id, "Carrot juice")
    pms.answers = [(400, {}, {"Message": "Customer C-404 was not found."})]

    outbox.deliver_due(clock)

    [message] = messages()
    assert (message.status, message.attempts) == ("dead", 1)
    assert message.last_error == "The PMS refused the customer update: Customer C-404 was not found."


def test_a_newer_fact_retires_a_dead_one_for_the_same_guest(hotels, pms, clock):
    make_connection(pms.url)
    guest = make_guest("C-1")
    prefer(guest.id, "Carrot juice")
    pms.answers = [400]
    outbox.deliver_due(clock)

    prefer(guest.id, "Green tea")

    assert [m.status for m in messages()] == ["superseded", "pending"]


def test_a_change_while_a_fact_is_being_pushed_is_sent_after_it(app, hotels, pms, clock):
    make_connection(pms.url)
    guest = make_guest("C-1")
    prefer(guest.id, "Carrot juice")

    def edit_during_the_push():
        pms.before_answer = None
        with app.app_context():
            prefer(guest.id, "Green tea")
        pms.answers.append(503)

    pms.before_answer = edit_during_the_push
    outbox.deliver_due(clock)

    # The failed older fact gives way to the newer one rather than be retried before it.
    assert [m.status for m in messages()] == ["superseded", "pending"]
    later = messages()[1].next_attempt_at
    assert outbox.deliver_due(later) == 1
    assert pms.notes() == ["Carrot juice", "Carrot juice\nGreen tea"]
    assert [m.status for m in messages()] == ["superseded", "delivered"]


def test_a_crashing_adapter_is_retried_and_its_error_names_no_secret(hotels, pms, clock, notes_module):
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")
    notes_module.CRASH = True

    assert outbox.deliver_due(clock) == 1

    [message] = messages()
    assert (message.status, message.attempts) == ("pending", 1)
    assert message.last_error == "RuntimeError: cannot use ***"


def test_a_round_claims_no_more_than_the_vendors_limit_has_room_for(hotels, pms, clock, notes_module):
    notes_module.NotesPms.rate_limit = (2, 60)
    make_connection(pms.url)
    for n in range(5):
        prefer(make_guest(f"C-{n}", name=f"Guest {n}").id, "Carrot juice")

    assert outbox.deliver_due(clock) == 2
    assert [m.status for m in messages()] == ["delivered"] * 2 + ["pending"] * 3
    # Waiting for the window would hold claims for a minute: the rest wait unclaimed, their tries unused.
    assert outbox.deliver_due(clock) == 0
    assert all((m.attempts, m.last_error) == (0, None) for m in messages(status="pending"))
    assert len(pms.received) == 2


def test_a_disabled_connection_holds_its_facts_without_using_their_tries(hotels, pms, clock):
    connection = make_connection(pms.url)
    guest = make_guest("C-1")
    prefer(guest.id, "Carrot juice")
    connections.update_connection(OPERATOR, connection.id, {"enabled": False})

    assert outbox.deliver_due(clock + timedelta(days=3)) == 0

    [message] = messages()
    assert (message.status, message.attempts) == ("pending", 0)
    assert message.last_error == "The connection is disabled; this waits until it is enabled again."
    # What waits is kept up to date meanwhile, so the PMS does not get an old profile later.
    prefer(guest.id, "Green tea")
    [message] = messages()
    assert message.payload["preferences"] == ["Carrot juice", "Green tea"]

    connections.update_connection(OPERATOR, connection.id, {"enabled": True})
    assert outbox.deliver_due(clock + timedelta(days=3)) == 1
    assert pms.notes() == ["Carrot juice\nGreen tea"]


def test_facts_wait_while_their_adapter_is_not_installed(make_app, hotels, pms, clock):
    make_connection(pms.url)
    prefer(make_guest("C-1").id, "Carrot juice")

    with make_app(GUESTREL_PLUGINS_BLOCKED=("notes_pms",)).app_context():
        assert outbox.deliver_due(clock) == 0
        [message] = messages()
        assert (message.status, message.attempts) == ("pending", 0)
        assert message.last_error == "The connection's adapter is not installed; this waits until it is."

    assert outbox.deliver_due(clock) == 1 and messages()[0].status == "delivered"


def test_workers_delivering_at_once_never_send_a_fact_twice(app, hotels, pms, clock):
    make_connection(pms.url)
    for n in range(8):
        prefer(make_guest(f"C-{n}", name=f"Guest {n}").id, "Carrot juice")
    db.session.remove()
    start = threading.Barrier(3)
    tried = []

    def worker():
        with app.app_context():
            start.wait()
            tried.append(outbox.deliver_due(clock, limit=8))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(tried) == 8
    assert sorted(pms.customer_ids()) == sorted(f"C-{n}" for n in range(8))
    assert [m.status for m in messages()] == ["delivered"] * 8
