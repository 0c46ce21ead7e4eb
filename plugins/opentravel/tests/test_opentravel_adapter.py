"""The opentravel adapter on its own: what it reads from a message, how it answers, whom it
recognises. No app or database."""
import html
import re
from datetime import datetime, timezone
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guestrel.plugins.plugin_api import (
    PayloadError, ReservationCancelled, ReservationUpserted, SenderRefused, TimeoutSession,
)
from guestrel_opentravel.adapter import OpenTravelAdapter
from plugins.opentravel.tests.conftest import OTA, PASSWORD, SETTINGS, USERNAME, basic_auth, sample

MINIMAL = """<OTA_HotelResNotifRQ TimeStamp="{stamp}" EchoToken="{echo}" ResStatus="{status}">
  <HotelReservations>
    <HotelReservation>
      <UniqueID Type="14" ID="R-1"/>
      {room_stays}
      <ResGlobalInfo><BasicPropertyInfo HotelCode="SHBUND"/></ResGlobalInfo>
    </HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>"""
ROOM_STAY = """<RoomStays><RoomStay><TimeSpan Start="2026-12-01" End="2026-12-03"/>{extra}</RoomStay></RoomStays>"""


def minimal(stamp="2026-11-20T09:15:02", echo="e-1", status="Commit", room_stays=ROOM_STAY, extra="") -> bytes:
    return MINIMAL.format(stamp=stamp, echo=echo, status=status, room_stays=room_stays.format(extra=extra)).encode()


@pytest.fixture
def adapter():
    return OpenTravelAdapter(SETTINGS, TimeoutSession())


def error_of(adapter, body) -> tuple:
    with pytest.raises(PayloadError) as refused:
        adapter.parse_message({}, body)
    return refused.value.error_type, refused.value.code, str(refused.value)


def test_a_booking_is_read_with_its_guest_loyalty_number_and_revenue(adapter):
    [event] = adapter.parse_message({}, sample("new_booking.xml"))

    assert isinstance(event, ReservationUpserted)
    assert (event.reservation_id, event.channel_confirmation, event.channel) == (
        "SM-48213377", "4021957731", "Booking.com")
    assert event.guest.member_number == "BR-000417"
    assert event.guest.external_id == "SHBUND:SM-48213377:1"
    assert event.revenue.room == Decimal("3498.00") and event.revenue.currency == "CNY"


def test_a_time_without_offset_is_utc_and_a_message_without_modification_times_uses_its_timestamp(adapter):
    [event] = adapter.parse_message({}, minimal(stamp="2026-11-20T09:15:02"))

    assert event.source_modified_at == datetime(2026, 11, 20, 9, 15, 2, tzinfo=timezone.utc)
    assert (event.adults, event.children, event.revenue, event.guest) == (1, 0, None, None)


def test_the_same_message_gives_the_same_event_ids_and_a_new_one_new_ids(adapter):
    first = adapter.parse_message({}, minimal())[0].event_id
    assert adapter.parse_message({}, minimal())[0].event_id == first
    assert adapter.parse_message({}, minimal(echo="e-2"))[0].event_id != first
    assert adapter.parse_message({}, minimal(status="Modify"))[0].event_id.startswith("R-1:modify:")


def test_a_cancellation_without_room_stays_cancels_the_reservation(adapter):
    [event] = adapter.parse_message({}, minimal(status="Cancel", room_stays=""))

    assert isinstance(event, ReservationCancelled) and event.reservation_id == "R-1"


def test_the_reservations_status_wins_over_the_messages(adapter):
    body = minimal(status="Commit").replace(b"<HotelReservation>", b'<HotelReservation ResStatus="Cancelled">')

    assert isinstance(adapter.parse_message({}, body)[0], ReservationCancelled)


@pytest.mark.parametrize("extra, amount", [
    ('<Total AmountAfterTax="158000" DecimalPlaces="2" CurrencyCode="CNY"/>', Decimal("1580.00")),
    ('<Total AmountAfterTax="1580.5" DecimalPlaces="2" CurrencyCode="cny"/>', Decimal("1580.50")),
    ('<Total AmountBeforeTax="99.995" CurrencyCode="CNY"/>', Decimal("100.00")),
])
def test_amounts_follow_otas_decimal_places(adapter, extra, amount):
    [event] = adapter.parse_message({}, minimal(extra=extra))

    assert (event.revenue.room, event.revenue.currency) == (amount, "CNY")


@pytest.mark.parametrize("body, expected", [
    (minimal(status="Ignore"), ("10", "356", "HotelReservation 1: ResStatus 'Ignore' is not one of")),
    (minimal(stamp="2026-11-20T25:00:00"), ("10", "15", "TimeStamp '2026-11-20T25:00:00' is not a date and time")),
    (minimal(room_stays=""), ("10", "321", "HotelReservation 1: RoomStays/RoomStay is missing.")),
    (minimal(extra='<Total AmountAfterTax="-5" CurrencyCode="CNY"/>'), ("10", "320", "is not an amount from 0 to")),
    (minimal(extra='<Total AmountAfterTax="1e30" CurrencyCode="CNY"/>'), ("10", "320", "'1e30' is not an amount")),
    (minimal(extra='<Total AmountAfterTax="NaN" CurrencyCode="CNY"/>'), ("10", "320", "'NaN' is not an amount")),
    (minimal(extra='<Total AmountAfterTax="5" CurrencyCode="yuan"/>'), ("10", "61", "CurrencyCode 'yuan'")),
    (minimal(extra='<Total AmountAfterTax="5"/>'), ("10", "321", "Total CurrencyCode is missing.")),
    (minimal(extra='<GuestCounts><GuestCount AgeQualifyingCode="10" Count="two"/></GuestCounts>'),
     ("10", "320", "GuestCount Count 'two'")),
    (minimal(extra='<GuestCounts><GuestCount Count="²"/></GuestCounts>'), ("10", "320", "GuestCount Count '²'")),
    (minimal(extra='<Total AmountAfterTax="5" DecimalPlaces="99999" CurrencyCode="CNY"/>'),
     ("10", "320", "Total DecimalPlaces '99999' is not a whole number from 0 to 4")),
    (minimal().replace(b'<UniqueID Type="14" ID="R-1"/>', b""), ("10", "321", "UniqueID ID is missing.")),
    (minimal().replace(b'ID="R-1"', b'ID="' + b"9" * 65 + b'"'), ("10", "320", "an id of at most 64 characters")),
    (minimal().replace(b'TimeStamp="2026-11-20T09:15:02"', b""), ("10", "321", "OTA_HotelResNotifRQ TimeStamp")),
    (b"", ("7", "450", "The message is empty.")),
    (b"<OTA_HotelResNotifRQ>", ("7", "450", "not well-formed XML")),
    (b'<?xml version="1.0" encoding="x-klingon"?><OTA_HotelResNotifRQ/>', ("7", "450", "not well-formed XML")),
    (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>',
     ("7", "450", "The SOAP Body holds no message.")),
])
def test_what_cannot_be_used_is_refused_with_the_element_and_its_ota_code(adapter, body, expected):
    error_type, code, message = error_of(adapter, body)

    assert (error_type, code) == expected[:2] and expected[2] in message


def test_a_connection_without_a_hotel_code_reads_no_message(adapter):
    assert error_of(OpenTravelAdapter({}, TimeoutSession()), minimal())[:2] == ("12", "450")


def parsed(reply) -> ElementTree.Element:
    return ElementTree.fromstring(reply.body)


def test_an_error_known_only_by_its_text_is_answered_with_the_code_the_message_earns(adapter):
    body = minimal(status="Ignore")

    reply = adapter.reply(body, PayloadError("HotelReservation 1: ResStatus 'Ignore' is not one of ..."))

    error = parsed(reply).find(f"{OTA}Errors/{OTA}Error")
    assert reply.status == 200 and (error.get("Type"), error.get("Code")) == ("10", "356")
    assert error.text == "HotelReservation 1: ResStatus 'Ignore' is not one of ..."
    assert parsed(reply).get("EchoToken") == "e-1"


def test_an_error_of_a_message_that_reads_well_is_a_processing_exception(adapter):
    reply = adapter.reply(minimal(), PayloadError("1 of 1 events failed to apply."))

    error = parsed(reply).find(f"{OTA}Errors/{OTA}Error")
    assert (error.get("Type"), error.get("Code"), error.text) == ("12", "450", "1 of 1 events failed to apply.")


def test_a_refused_sender_hears_an_authentication_error(adapter):
    reply = adapter.reply(b"", SenderRefused("The username or password is wrong."))

    response = parsed(reply)
    assert response.tag == f"{OTA}OTA_HotelResNotifRS" and response.get("Version") == "1.0"
    assert response.get("EchoToken") is None
    error = response.find(f"{OTA}Errors/{OTA}Error")
    assert (error.get("Type"), error.get("Code")) == ("4", "497")


@pytest.mark.parametrize("headers, body", [
    (basic_auth(), minimal()),
    ({"authorization": basic_auth()["Authorization"]}, minimal()),
    ({}, sample("new_booking.xml")),
    ({}, sample("several_reservations.xml")),
    (basic_auth(password="wrong-wrong-wrong"), sample("several_reservations.xml")),
])
def test_the_sender_is_recognised_by_any_of_its_protocols_credentials(adapter, headers, body):
    assert adapter.authenticate(headers, body) is None


def test_a_connection_without_credentials_recognises_nobody():
    adapter = OpenTravelAdapter({"hotel_code": "SHBUND"}, TimeoutSession())

    assert "no username and password" in adapter.authenticate(basic_auth(), minimal())


@pytest.mark.parametrize("settings, ok", [(SETTINGS, True), ({}, False), ({"hotel_code": "SHBUND"}, False)])
def test_the_check_says_whether_the_settings_are_complete(settings, ok):
    check = OpenTravelAdapter(settings, TimeoutSession()).check_connection()

    assert check.ok is ok
    assert PASSWORD not in check.message and (USERNAME in check.message) is ok


def assert_only_refused(body: bytes):
    adapter = OpenTravelAdapter(SETTINGS, TimeoutSession())
    try:
        adapter.parse_message({}, body)
    except PayloadError:
        pass
    assert adapter.authenticate({}, body) is None or isinstance(adapter.authenticate({}, body), str)
    for error in (None, PayloadError("stored error"), SenderRefused("refused")):
        assert adapter.reply(body, error).status == 200


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(sample("new_booking.xml"))), noise=st.binary(max_size=40))
def test_no_mangled_message_makes_the_adapter_fail_other_than_by_refusing_it(cut, noise):
    body = sample("new_booking.xml")
    assert_only_refused(body[:cut] + noise + body[cut + len(noise):])


ATTRIBUTES = re.findall(rb'(\w+)="[^"]*"', sample("several_reservations.xml"))


@settings(max_examples=300, deadline=None)
@given(data=st.data(), value=st.text(max_size=30))
def test_no_attribute_value_makes_the_adapter_fail_other_than_by_refusing_it(data, value):
    name = data.draw(st.sampled_from(ATTRIBUTES))
    escaped = html.escape(value, quote=True).encode()
    assert_only_refused(re.sub(rb'\b' + name + rb'="[^"]*"', lambda _match: name + b'="' + escaped + b'"',
                               sample("several_reservations.xml"), count=1))
