import json
from datetime import datetime, timedelta, timezone

import pytest

from mews_fake import RESERVATIONS, iso, utc
from guestrel.plugins.plugin_api import PayloadError, ReservationUpserted

CUSTOMER_A = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"
CUSTOMER_B = "b3ce0fd7-a715-4bfc-969e-ef7a4822963c"


def poll_all(make_adapter, cursor=None, limit=20):
    """Poll with a fresh adapter each time (all state is in the cursor) until caught up."""
    results = []
    for _ in range(limit):
        result = make_adapter(history_days=200).poll(cursor)
        results.append(result)
        cursor = result.cursor
        if not result.more:
            return results
    raise AssertionError("the poll never caught up")


def three_months_after(moment: datetime) -> datetime:
    month = moment.month + 3
    year, month = moment.year + (month - 1) // 12, (month - 1) % 12 + 1
    day = min(moment.day, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1])
    return moment.replace(year=year, month=month, day=day)


@pytest.fixture
def backlog(mews):
    """209 reservations updated over 200 days: 3 long ago, 205 in the middle, 1 yesterday."""
    now = datetime.now(timezone.utc)
    mews.add_customer()
    mews.add_customer(Id=CUSTOMER_B, FirstName="Li", LastName="Na", Email="li.na@example.com", LoyaltyCode=None)
    moments = ([now - timedelta(days=150, hours=i) for i in range(3)]
               + [now - timedelta(days=60, minutes=i) for i in range(205)] + [now - timedelta(days=1)])
    for number, moment in enumerate(moments):
        mews.add_reservation(UpdatedUtc=iso(moment), AccountId=[CUSTOMER_A, CUSTOMER_B][number % 2])
    return now


def test_a_backlog_is_paged_by_windows_of_at_most_three_months_and_by_mews_cursors(mews, make_adapter, backlog):
    results = poll_all(make_adapter)

    assert [result.more for result in results] == [True, True, True, True, False]
    windows = [body["UpdatedUtc"] for body in mews.bodies(RESERVATIONS)]
    starts, ends = [utc(w["StartUtc"]) for w in windows], [utc(w["EndUtc"]) for w in windows]
    assert abs(starts[0] - (backlog - timedelta(days=200))) < timedelta(minutes=1)
    assert all(end <= three_months_after(start) for start, end in zip(starts, ends))
    assert backlog - timedelta(minutes=3) < ends[-1] <= backlog
    # Pages 2 to 4 stay in the second window, each asking after the last reservation seen.
    assert windows[1] == windows[2] == windows[3] and starts[1] == ends[0] and starts[4] == ends[3]
    limitations = [body["Limitation"] for body in mews.bodies(RESERVATIONS)]
    in_window = sorted((r for r in mews.reservations if starts[1] <= utc(r["UpdatedUtc"]) < ends[1]),
                       key=lambda r: (r["UpdatedUtc"], r["Id"]))
    assert [limitation.get("Cursor") for limitation in limitations] == [
        None, None, in_window[99]["Id"], in_window[199]["Id"], None]
    assert all(limitation["Count"] == 100 for limitation in limitations)
    assert all("Canceled" in body["States"] and body["EnterpriseIds"] == ["851df8c8-90f2-4c4a-8e01-a4fc46b25178"]
               for body in mews.bodies(RESERVATIONS))


def test_every_reservation_of_the_backlog_becomes_one_upsert_and_each_customer_is_fetched_once_a_page(
        mews, make_adapter, backlog):
    results = poll_all(make_adapter)

    customer_calls = mews.bodies("customers/getAll")
    assert len(customer_calls) == len(results)
    assert all(sorted(call["CustomerIds"]) == sorted({CUSTOMER_A, CUSTOMER_B}) for call in customer_calls[:4])
    assert customer_calls[4]["CustomerIds"] == [CUSTOMER_A]
    assert len(mews.bodies("resources/getAll")) == len(results)
    adapter = make_adapter()
    upserts = [event for result in results for event in adapter.parse_page(result.body)
               if isinstance(event, ReservationUpserted)]
    assert sorted(event.reservation_id for event in upserts) == sorted(r["Id"] for r in mews.reservations)


def test_a_caught_up_poll_fetches_nothing_and_keeps_its_place(mews, make_adapter, backlog):
    last = poll_all(make_adapter)[-1]

    again = make_adapter().poll(last.cursor)

    assert (again.body, again.more) == (None, False)
    assert utc(json.loads(again.cursor)["since"]) >= utc(json.loads(last.cursor)["since"])


def test_empty_windows_of_a_backlog_are_skipped_without_a_page(mews, make_adapter):
    mews.add_customer()
    mews.add_reservation(UpdatedUtc=iso(datetime.now(timezone.utc) - timedelta(days=3)))

    first = make_adapter(history_days=200).poll(None)
    second = make_adapter().poll(first.cursor)
    third = make_adapter().poll(second.cursor)

    assert (first.body, first.more) == (None, True) and (second.body, second.more) == (None, True)
    assert third.body is not None and third.more is False
    assert mews.bodies("customers/getAll") == [mews.bodies("customers/getAll")[0]]


def test_a_page_holds_what_its_events_need_without_further_calls(mews, make_adapter):
    mews.add_customer()
    reservation = mews.add_reservation(UpdatedUtc=iso(datetime.now(timezone.utc) - timedelta(hours=1)))
    page = make_adapter().poll(None)
    calls = len(mews.requests)

    events = make_adapter(base_url="http://127.0.0.1:9").parse_page(page.body)

    assert len(mews.requests) == calls
    stored = json.loads(page.body)
    assert stored["reservations"]["Reservations"][0]["Id"] == reservation["Id"]
    assert stored["customers"]["Customers"][0]["Id"] == CUSTOMER_A
    upsert = next(event for event in events if isinstance(event, ReservationUpserted))
    assert (upsert.room_number, upsert.room_type, upsert.rate_code) == ("1208", "DLK", "FF")
    assert (upsert.adults, upsert.children, upsert.channel, upsert.channel_confirmation) == (
        2, 1, "Booking.com", "TW48ZP")
    assert upsert.guest.external_id == CUSTOMER_A and upsert.guest.member_number == "LL810213"


@pytest.mark.parametrize("cursor", ["not json", "[]", '{"since": "yesterday"}', '{"since": "2026-01-01T00:00:00"}',
                                    '{"since": "2026-01-01T00:00:00+00:00", "page": "abc"}'])
def test_a_cursor_this_adapter_did_not_write_is_refused(mews, make_adapter, cursor):
    with pytest.raises(PayloadError, match="cursor"):
        make_adapter().poll(cursor)
    assert mews.bodies(RESERVATIONS) == []
