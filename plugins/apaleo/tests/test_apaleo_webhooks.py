"""apaleo's webhooks as guestrel's events: the reservation each names is fetched and read in its
current state; anything malformed, hostile or for another hotel is refused; apaleo being away
means try again later."""
import json
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import marshmallow
import pytest
from werkzeug import Response

from apaleo_fixtures import RESERVATION_PATH, load, requests_to, reservation, webhook
from guestrel.plugins.plugin_api import (
    CheckedIn,
    CheckedOut,
    GuestData,
    NoShow,
    PayloadError,
    ReservationCancelled,
    ReservationUpserted,
    Revenue,
    SourceUnavailable,
)
from guestrel_apaleo.settings import ApaleoSettings

CET = timezone(timedelta(hours=1))


def test_the_health_check_is_accepted_and_means_nothing(apaleo, adapter):
    assert adapter().parse_webhook({}, json.dumps(load("webhook_healthcheck.json")).encode()) == []
    assert apaleo.log == []


def test_events_of_other_topics_are_accepted_and_mean_nothing(apaleo, adapter):
    folio = webhook(kind="balance-changed", topic="Folio", data={"entityId": "XPGMSXGF-1-1"})
    assert adapter().parse_webhook({}, folio) == []
    assert apaleo.log == []


def test_a_confirmed_reservation_becomes_an_upsert_with_its_guest_stay_and_revenue(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH, query_string={"expand": "booker,services"}).respond_with_json(reservation())

    (event,) = adapter().parse_webhook({}, webhook(kind="created"))

    assert isinstance(event, ReservationUpserted)
    assert event.reservation_id == "XPGMSXGF-1"
    assert event.source_modified_at == datetime(2026, 11, 20, 9, 15, tzinfo=CET)
    assert (event.arrival, event.departure) == (date(2026, 12, 1), date(2026, 12, 3))
    assert (event.room_type, event.room_number, event.rate_code) == ("DBL", None, "FLEX")
    assert (event.channel, event.channel_confirmation) == ("booking.com", "4012345678")
    assert (event.adults, event.children) == (2, 1)
    # The breakfast booked with the room is an extra, the rest of the total is the room.
    assert event.revenue == Revenue(room=Decimal("360.00"), other=Decimal("60.00"), currency="EUR")
    assert event.guest == GuestData(given_name="Wei", family_name="Zhang", email="zhang.wei@example.com",
                                    phone="+8613800138000", birthday=date(1985, 3, 2), nationality="CN",
                                    language="zh")
    assert event.event_id.startswith("XPGMSXGF-1/reservation/20261120T091500.000000+0100/")


def test_without_a_primary_guest_the_booker_is_the_guest(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation(primaryGuest=None))
    (event,) = adapter().parse_webhook({}, webhook())
    assert (event.guest.given_name, event.guest.family_name, event.guest.email) == ("Li", "Na", "li.na@example.com")


@pytest.mark.parametrize("status, kinds", [
    ("Confirmed", [ReservationUpserted]),
    ("InHouse", [ReservationUpserted, CheckedIn]),
    ("CheckedOut", [ReservationUpserted, CheckedOut]),
    ("Canceled", [ReservationUpserted, ReservationCancelled]),
    ("NoShow", [ReservationUpserted, NoShow]),
])
def test_every_status_gives_the_upsert_and_the_event_of_the_status(apaleo, adapter, status, kinds):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation(status, "2026-12-01T15:42:10+01:00"))
    events = adapter().parse_webhook({}, webhook(kind="changed"))
    assert [type(event) for event in events] == kinds
    assert {event.reservation_id for event in events} == {"XPGMSXGF-1"}
    assert {event.source_modified_at for event in events} == {datetime(2026, 12, 1, 15, 42, 10, tzinfo=CET)}
    assert len({event.event_id for event in events}) == len(events)


def test_a_check_in_has_its_time_and_room(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation("InHouse", "2026-12-01T15:42:10+01:00"))
    upserted, checked_in = adapter().parse_webhook({}, webhook(kind="checked-in"))
    assert upserted.room_number == checked_in.room_number == "1208"
    assert checked_in.at == datetime(2026, 12, 1, 15, 42, 10, tzinfo=CET)


def test_a_check_out_has_its_time_and_the_stays_revenue(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation("CheckedOut", "2026-12-03T10:05:31+01:00"))
    _upserted, checked_out = adapter().parse_webhook({}, webhook(kind="checked-out"))
    assert checked_out.at == datetime(2026, 12, 3, 10, 5, 31, tzinfo=CET)
    assert checked_out.revenue == Revenue(room=Decimal("360.00"), other=Decimal("60.00"), currency="EUR")


def test_a_cancelled_reservation_earns_nothing(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation("Canceled"))
    upserted, _cancelled = adapter().parse_webhook({}, webhook(kind="canceled"))
    assert upserted.revenue is None


def test_the_same_state_gives_the_same_event_ids_and_a_change_new_ones(apaleo, adapter):
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_json(reservation())
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_json(reservation())
    # A room assigned without a new modification time is a new state all the same.
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_json(
        reservation(unit={"id": "MUC-1208", "name": "1208"}))
    first = adapter().parse_webhook({}, webhook(event_id="one"))
    again = adapter().parse_webhook({}, webhook(event_id="two"))
    changed = adapter().parse_webhook({}, webhook(event_id="three", type="unit-assigned"))
    assert [e.event_id for e in first] == [e.event_id for e in again] != [e.event_id for e in changed]


def test_dates_are_read_on_the_hotels_clock_when_its_timezone_is_set(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(
        reservation(arrival="2026-12-01T23:30:00Z", departure="2026-12-03T03:00:00Z"))
    (event,) = adapter(timezone="Asia/Shanghai").parse_webhook({}, webhook())
    assert (event.arrival, event.departure) == (date(2026, 12, 2), date(2026, 12, 3))


def test_a_reservation_without_modification_time_takes_the_webhooks(apaleo, adapter):
    found = reservation()
    del found["modified"]
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(found)
    (event,) = adapter().parse_webhook({}, webhook(timestamp=1796134329000))
    assert event.source_modified_at == datetime.fromtimestamp(1796134329, timezone.utc)


def test_an_event_for_another_property_is_refused_without_calling_apaleo(apaleo, adapter):
    with pytest.raises(PayloadError, match="The event is for apaleo property 'BER', not for this connection's MUC"):
        adapter().parse_webhook({}, webhook(propertyId="BER"))
    assert apaleo.log == []


def test_a_reservation_of_another_property_is_refused(apaleo, adapter):
    found = reservation(property={"id": "BER", "code": "BER", "name": "Hotel Berlin"})
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(found)
    with pytest.raises(PayloadError, match="belongs to apaleo property 'BER'"):
        adapter().parse_webhook({}, webhook())


@pytest.mark.parametrize("body, message", [
    (b"{not json", "The webhook is not JSON"),
    (b"[1, 2]", "The webhook is not a JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, "The webhook is not JSON"),
    (json.dumps({"topic": "Reservation", "type": "created"}).encode(), "lacks its id, topic or type"),
    (webhook(data={"entityId": "../../inventory/v1/properties/MUC"}), "is not an apaleo reservation id"),
    (webhook(data={"entityId": "XPGMSXGF-1?expand=x"}), "is not an apaleo reservation id"),
    (webhook(data="XPGMSXGF-1"), "'None' is not an apaleo reservation id"),
    (webhook(propertyId=["MUC"]), "The event is for apaleo property"),
])
def test_malformed_or_hostile_webhooks_are_refused_without_calling_apaleo(apaleo, adapter, body, message):
    with pytest.raises(PayloadError, match=message.replace("?", r"\?").replace("(", r"\(")):
        adapter().parse_webhook({}, body)
    assert requests_to(apaleo, RESERVATION_PATH) == []


@pytest.mark.parametrize("changes, message", [
    ({"status": "Tentative"}, "has a status guestrel does not know: 'Tentative'"),
    ({"arrival": "soon"}, "arrival is not a time with a UTC offset"),
    ({"modified": "2026-11-20T09:15:00"}, "modified is not a time with a UTC offset"),
    ({"adults": "two"}, "adults is not a number of people"),
    ({"childrenAges": "6"}, "childrenAges is not a list"),
    ({"primaryGuest": "Zhang Wei"}, "primaryGuest is not an object"),
    ({"primaryGuest": {"lastName": 7}}, "The guest's lastName is not text"),
    ({"primaryGuest": {"lastName": "Zhang", "birthDate": "March"}}, "birthDate is not a date"),
    ({"totalGrossAmount": {"amount": "lots", "currency": "EUR"}}, "totalGrossAmount has no amount"),
    ({"departure": "2026-11-30T11:00:00+01:00"}, "departure is not before arrival"),
    ({"id": "XPGMSXGF-1/../x"}, "is not an apaleo reservation id"),
])
def test_a_malformed_reservation_is_refused_with_what_is_wrong(apaleo, adapter, changes, message):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation() | changes)
    with pytest.raises(PayloadError, match=message):
        adapter().parse_webhook({}, webhook())


def test_a_reservation_apaleo_does_not_know_is_refused_with_apaleos_message(apaleo, adapter):
    apaleo.expect_request("/booking/v1/reservations/XPGMSXGF-9").respond_with_json(load("error_not_found.json"),
                                                                                   status=404)
    with pytest.raises(PayloadError) as refused:
        adapter().parse_webhook({}, webhook(data={"entityId": "XPGMSXGF-9"}))
    assert str(refused.value) == ("Reservation XPGMSXGF-9 could not be read: apaleo refused the request "
                                  "(404: Reservation with id 'XPGMSXGF-9' was not found.).")


def test_too_many_requests_means_try_again_after_apaleos_delay(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_data("", status=429, headers={"Retry-After": "120"})
    with pytest.raises(SourceUnavailable) as away:
        adapter().parse_webhook({}, webhook())
    assert away.value.retry_after == 120
    assert "apaleo is unavailable (429: TOO MANY REQUESTS)" in str(away.value)


def test_a_retry_after_date_is_turned_into_seconds(apaleo, adapter):
    later = datetime.now(timezone.utc) + timedelta(minutes=10)
    apaleo.expect_request(RESERVATION_PATH).respond_with_data(
        "", status=429, headers={"Retry-After": later.strftime("%a, %d %b %Y %H:%M:%S GMT")})
    with pytest.raises(SourceUnavailable) as away:
        adapter().parse_webhook({}, webhook())
    assert 590 <= away.value.retry_after <= 600


def test_a_server_error_then_recovery(apaleo, adapter):
    apaleo.expect_oneshot_request(RESERVATION_PATH).respond_with_response(
        Response("<html><body>Service Unavailable</body></html>", status=503, content_type="text/html"))
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation())
    with pytest.raises(SourceUnavailable) as away:
        adapter().parse_webhook({}, webhook())
    assert away.value.retry_after is None and "503: SERVICE UNAVAILABLE" in str(away.value)
    assert [type(event) for event in adapter().parse_webhook({}, webhook())] == [ReservationUpserted]


def test_a_timeout_means_try_again_later(apaleo, adapter):
    def slow(_request):
        time.sleep(1.5)
        return Response(json.dumps(reservation()), content_type="application/json")

    apaleo.expect_request(RESERVATION_PATH).respond_with_handler(slow)
    with pytest.raises(SourceUnavailable, match="apaleo could not be reached .it did not answer in time."):
        adapter().parse_webhook({}, webhook())


def test_a_refused_connection_means_try_again_later(apaleo, adapter):
    with pytest.raises(SourceUnavailable, match="could not be reached .ConnectionError."):
        adapter(api_url="http://127.0.0.1:9").parse_webhook({}, webhook())


def test_a_connection_without_its_settings_says_which_are_missing(adapter):
    with pytest.raises(PayloadError, match="The connection's settings lack client_secret, property_id"):
        adapter(client_secret="", property_id=None).parse_webhook({}, webhook())


@pytest.mark.parametrize("field", ["identity_url", "api_url"])
def test_an_address_that_is_not_http_is_refused(field):
    with pytest.raises(marshmallow.ValidationError) as refused:
        ApaleoSettings().load({"client_id": "c", "client_secret": "s", "property_id": "MUC", field: "ftp://apaleo.example"})
    assert list(refused.value.messages) == [field]
