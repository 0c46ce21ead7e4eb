"""Polling apaleo's reservations by modification time, page by page, and reading a stored page."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from apaleo_fixtures import requests_to, reservation
from guestrel.plugins.plugin_api import CheckedIn, PayloadError, ReservationUpserted, SourceUnavailable

LIST_PATH = "/booking/v1/reservations"


def page(*reservations, count=None) -> dict:
    return {"reservations": list(reservations), "count": len(reservations) if count is None else count}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_the_first_poll_asks_for_the_last_thirty_days_of_changes_of_the_property(apaleo, adapter):
    apaleo.expect_request(LIST_PATH).respond_with_json(page(reservation()))
    before = datetime.now(timezone.utc).replace(microsecond=0)

    result = adapter().poll(None)

    (request,) = requests_to(apaleo, LIST_PATH)
    query = request.args
    assert (query["propertyIds"], query["dateFilter"], query["pageNumber"], query["pageSize"], query["expand"]) == (
        "MUC", "Modification", "1", "100", "booker,services")
    until = moment(query["to"])
    assert before <= until <= datetime.now(timezone.utc)
    assert moment(query["from"]) == until - timedelta(days=30)
    assert result.more is False and json.loads(result.body) == page(reservation())
    assert json.loads(result.cursor) == {"since": (until - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_a_backlog_is_read_page_by_page_in_a_fixed_window(apaleo, adapter):
    apaleo.expect_oneshot_request(LIST_PATH).respond_with_json(
        page(*[reservation(id=f"XPGMSXGF-{n}") for n in range(1, 101)], count=150))
    apaleo.expect_oneshot_request(LIST_PATH).respond_with_json(
        page(*[reservation(id=f"XPGMSXGF-{n}") for n in range(101, 151)], count=150))
    cursor = json.dumps({"since": "2026-11-01T00:00:00Z"})

    first = adapter().poll(cursor)
    second = adapter().poll(first.cursor)

    windows = [(r.args["from"], r.args["to"], r.args["pageNumber"]) for r in requests_to(apaleo, LIST_PATH)]
    assert windows[0][0] == windows[1][0] == "2026-11-01T00:00:00Z"
    assert windows[0][1] == windows[1][1] and [w[2] for w in windows] == ["1", "2"]
    assert first.more is True and second.more is False
    assert len(json.loads(first.body)["reservations"]) == 100 and len(json.loads(second.body)["reservations"]) == 50
    assert json.loads(second.cursor) == {
        "since": (moment(windows[0][1]) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}


def test_nothing_new_gives_no_page_and_moves_on(apaleo, adapter):
    # apaleo answers a list with nothing in it with 204 and no body.
    apaleo.expect_request(LIST_PATH).respond_with_data(status=204)
    result = adapter().poll(json.dumps({"since": "2026-11-01T00:00:00Z"}))
    assert (result.body, result.more) == (None, False)
    assert json.loads(result.cursor)["since"] > "2026-11-01T00:00:00Z"


def test_a_cursor_that_cannot_be_read_starts_over(apaleo, adapter):
    apaleo.expect_request(LIST_PATH).respond_with_data(status=204)
    adapter().poll("not a cursor")
    (request,) = requests_to(apaleo, LIST_PATH)
    assert moment(request.args["to"]) - moment(request.args["from"]) == timedelta(days=30)


@pytest.mark.parametrize("status, headers, retry_after", [(503, {}, None), (429, {"Retry-After": "30"}, 30)])
def test_apaleo_away_leaves_the_cursor_where_it_was(apaleo, adapter, status, headers, retry_after):
    apaleo.expect_request(LIST_PATH).respond_with_data(status=status, headers=headers)
    with pytest.raises(SourceUnavailable) as away:
        adapter().poll(None)
    assert away.value.retry_after == retry_after


def test_a_page_becomes_the_events_of_each_reservation(adapter):
    body = json.dumps(page(reservation(), reservation("InHouse", id="XPGMSXGF-2"))).encode()
    events = adapter().parse_page(body)
    assert [(type(e), e.reservation_id) for e in events] == [
        (ReservationUpserted, "XPGMSXGF-1"), (ReservationUpserted, "XPGMSXGF-2"), (CheckedIn, "XPGMSXGF-2")]


@pytest.mark.parametrize("body, message", [
    (b"<html>", "The page of reservations is not JSON"),
    (b'{"reservations": {"id": "XPGMSXGF-1"}}', "not apaleo's list of reservations"),
    (json.dumps(page(reservation(property={"id": "BER"}))).encode(), "belongs to apaleo property 'BER'"),
    (json.dumps(page(reservation(modified=None))).encode(), "has no modification time"),
])
def test_a_page_that_cannot_be_read_is_refused(adapter, body, message):
    with pytest.raises(PayloadError, match=message):
        adapter().parse_page(body)
