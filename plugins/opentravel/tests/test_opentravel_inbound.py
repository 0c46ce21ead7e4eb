"""A channel manager pushing OTA_HotelResNotifRQ messages to an opentravel connection's inbound
URL, end to end: its OTA_HotelResNotifRS, the stays and guests written, and the inbox."""
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from guestrel.audit.models import AuditEntry
from guestrel.auth.service import OPERATOR
from guestrel.extensions import db
from guestrel.guests.models import Guest, GuestExternalId
from guestrel.service_errors import InvalidDataError
from guestrel.stays.models import Stay
from guestrel.sync import connections, inbox
from guestrel.sync.models import InboxMessage
from plugins.opentravel.tests.conftest import (
    OTA, PASSWORD, SETTINGS, USERNAME, answer, basic_auth, errors, post, sample, succeeded,
)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def stay(pms_id) -> Stay:
    return db.session.scalar(sa.select(Stay).where(Stay.pms_id == pms_id).execution_options(populate_existing=True))


def guest_known_as(external_id) -> Guest:
    return db.session.scalar(sa.select(Guest).join(GuestExternalId).where(
        GuestExternalId.system == "opentravel", GuestExternalId.external_id == external_id))


def messages() -> list[InboxMessage]:
    return db.session.scalars(sa.select(InboxMessage).order_by(InboxMessage.id)
                              .execution_options(populate_existing=True)).all()


def test_a_new_booking_is_acknowledged_and_becomes_a_stay_of_its_guest(client, connection):
    body = sample("new_booking.xml")
    response = post(client, connection, body)

    assert response.status_code == 200
    reply = answer(response)
    assert b"<SOAP-ENV:Envelope" in response.data and b"<SOAP-ENV:Header/>" in response.data
    assert (reply.get("EchoToken"), reply.get("Version")) == ("9f1c2a7e-5b1d-4c59-9a57-1f1e5e0c3a01", "1.0")
    assert datetime.fromisoformat(reply.get("TimeStamp")).tzinfo is not None
    assert succeeded(response) and errors(response) == []
    echoed = reply.find(f"{OTA}HotelReservations/{OTA}HotelReservation")
    assert echoed.find(f"{OTA}UniqueID").attrib == {"Type": "14", "ID": "SM-48213377"}
    assert echoed.find(f"{OTA}ResGlobalInfo/{OTA}HotelReservationIDs/{OTA}HotelReservationID").attrib == {
        "ResID_Type": "14", "ResID_Value": "4021957731"}

    booked = stay("SM-48213377")
    assert (booked.status, booked.arrival, booked.departure) == ("booked", date(2026, 12, 1), date(2026, 12, 4))
    assert (booked.room_type, booked.rate_code, booked.channel, booked.channel_confirmation) == (
        "DLXK", "BAR-BB", "booking.com", "4021957731")
    assert (booked.adults, booked.children, booked.revenue_room, booked.currency) == (2, 1, Decimal("3498.00"), "CNY")
    assert booked.source_modified_at == datetime(2026, 11, 20, 1, 14, 51, tzinfo=timezone.utc)
    wei = guest_known_as("SHBUND:SM-48213377:1")
    assert booked.guest_id == wei.id
    assert (wei.given_name, wei.family_name, wei.email, wei.phone) == (
        "Wei", "Zhang", "wei.zhang@example.com", "+8613800138000")
    [message] = messages()
    assert (message.status, message.adapter, message.body) == ("applied", "opentravel", body)


def test_a_message_sent_twice_is_acknowledged_twice_and_applied_once(client, connection):
    body = sample("new_booking.xml")
    assert succeeded(post(client, connection, body))
    audited, guests = count(AuditEntry), count(Guest)

    again = post(client, connection, body)

    assert again.status_code == 200 and succeeded(again)
    assert answer(again).get("EchoToken") == "9f1c2a7e-5b1d-4c59-9a57-1f1e5e0c3a01"
    assert (count(AuditEntry), count(Guest), count(Stay)) == (audited, guests, 1)
    assert [message.status for message in messages()] == ["applied", "ignored"]


def test_a_modification_then_a_cancellation_update_the_same_stay_and_guest(client, connection):
    assert succeeded(post(client, connection, sample("new_booking.xml")))

    modified = post(client, connection, sample("modify_booking.xml"))
    assert modified.status_code == 200 and succeeded(modified)
    changed = stay("SM-48213377")
    assert (changed.status, changed.departure, changed.children, changed.revenue_room) == (
        "booked", date(2026, 12, 5), 2, Decimal("4664.00"))
    assert count(Stay) == 1 and count(Guest) == 1

    cancelled = post(client, connection, sample("cancel_booking.xml"))
    assert cancelled.status_code == 200 and succeeded(cancelled)
    gone = stay("SM-48213377")
    assert (gone.status, gone.departure) == ("cancelled", date(2026, 12, 5))
    assert gone.source_modified_at == datetime(2026, 11, 24, 23, 2, 31, tzinfo=timezone.utc)
    assert [message.status for message in messages()] == ["applied", "applied", "applied"]


def test_a_cancellation_refused_before_its_booking_applies_when_the_channel_sends_it_again(client, connection):
    early = post(client, connection, sample("cancel_booking.xml"))
    assert errors(early) == [("12", "450", "1 of 1 events failed to apply.")]

    assert succeeded(post(client, connection, sample("new_booking.xml")))
    resent = post(client, connection, sample("cancel_booking.xml"))

    assert succeeded(resent) and stay("SM-48213377").status == "cancelled"
    assert [message.status for message in messages()] == ["failed", "applied", "applied"]
    assert succeeded(post(client, connection, sample("cancel_booking.xml")))
    assert messages()[-1].status == "ignored" and count(Stay) == 1


def test_a_booking_arriving_after_its_modification_changes_nothing(client, connection):
    assert succeeded(post(client, connection, sample("modify_booking.xml")))
    audited = count(AuditEntry)

    late = post(client, connection, sample("new_booking.xml"))

    assert succeeded(late)
    assert stay("SM-48213377").departure == date(2026, 12, 5)
    assert count(AuditEntry) == audited and messages()[-1].status == "ignored"


# A booking cancelled at the channel and then reinstated (the guest or the channel's support
# undoing the cancellation) comes back under the same UniqueID as the whole booking again, with
# the original CreateDateTime and the reinstatement's LastModifyDateTime. OTA has no "reinstate"
# ResStatus: most channel managers send it as a Modify of the booking they delivered, some as a
# Commit as if it were new.
@pytest.mark.parametrize("res_status", ["Modify", "Commit"])
def test_a_cancelled_booking_the_channel_sends_again_is_booked_again(client, connection, res_status):
    reinstatement = sample("reinstated_booking.xml").replace(b'ResStatus="Modify"',
                                                             f'ResStatus="{res_status}"'.encode())
    assert succeeded(post(client, connection, sample("new_booking.xml")))
    assert succeeded(post(client, connection, sample("cancel_booking.xml")))
    assert stay("SM-48213377").status == "cancelled"

    response = post(client, connection, reinstatement)

    assert response.status_code == 200 and succeeded(response) and errors(response) == []
    assert answer(response).find(f"{OTA}HotelReservations/{OTA}HotelReservation/{OTA}UniqueID").get("ID") == (
        "SM-48213377")
    booked = stay("SM-48213377")
    assert (booked.status, booked.departure, booked.children, booked.revenue_room) == (
        "booked", date(2026, 12, 5), 2, Decimal("4664.00"))
    assert booked.source_modified_at == datetime(2026, 11, 26, 2, 12, 40, tzinfo=timezone.utc)
    assert (count(Stay), count(Guest)) == (1, 1)
    assert [message.status for message in messages()] == ["applied", "applied", "applied"]


def test_around_a_reinstatement_older_messages_change_nothing(client, connection):
    assert succeeded(post(client, connection, sample("new_booking.xml")))
    assert succeeded(post(client, connection, sample("cancel_booking.xml")))
    audited = count(AuditEntry)

    # The modification made before the cancellation, delivered late.
    late = post(client, connection, sample("modify_booking.xml"))

    assert succeeded(late)
    cancelled = stay("SM-48213377")
    assert (cancelled.status, cancelled.departure) == ("cancelled", date(2026, 12, 4))
    assert cancelled.source_modified_at == datetime(2026, 11, 24, 23, 2, 31, tzinfo=timezone.utc)
    assert count(AuditEntry) == audited

    assert succeeded(post(client, connection, sample("reinstated_booking.xml")))
    audited = count(AuditEntry)
    # The channel sends the cancellation again, as it does when it missed our first answer.
    again = post(client, connection, sample("cancel_booking.xml"))

    assert succeeded(again)
    booked = stay("SM-48213377")
    assert (booked.status, booked.departure) == ("booked", date(2026, 12, 5))
    assert booked.source_modified_at == datetime(2026, 11, 26, 2, 12, 40, tzinfo=timezone.utc)
    assert count(AuditEntry) == audited
    assert [message.status for message in messages()] == ["applied", "applied", "ignored", "applied", "ignored"]


def test_several_reservations_in_one_message_become_several_stays(client, connection):
    response = post(client, connection, sample("several_reservations.xml"))

    assert response.status_code == 200 and succeeded(response)
    ids = [item.get("ID") for item in answer(response).iter(f"{OTA}UniqueID")]
    assert ids == ["RG-771020", "RG-771021"]
    expedia, website = stay("RG-771020"), stay("RG-771021")
    assert (expedia.channel, expedia.channel_confirmation, expedia.revenue_room) == (
        "expedia", "EXP-55120934", Decimal("1580.00"))
    assert (website.channel, website.rate_code, website.arrival) == ("hotel website", "MEMBER", date(2026, 12, 24))
    anna, wang = guest_known_as("SHBUND:EXP-CUST-88120"), guest_known_as("SHBUND:RG-771021:booker")
    assert (expedia.guest_id, anna.family_name, anna.phone) == (anna.id, "Schmidt", "+4930901820")
    assert (website.guest_id, wang.given_name, wang.family_name) == (wang.id, "伟", "王")


def test_each_room_of_a_reservation_is_a_stay_of_its_own_guest(client, connection):
    response = post(client, connection, sample("multiple_room_stays.xml"), headers=basic_auth())

    assert succeeded(response)
    first, second = stay("SM-50110042"), stay("SM-50110042/2")
    assert (first.room_type, first.departure, first.adults, first.children) == ("DLXK", date(2027, 1, 18), 2, 0)
    assert (second.room_type, second.departure, second.adults, second.children) == ("STDT", date(2027, 1, 17), 1, 1)
    assert first.channel_confirmation == second.channel_confirmation == "1188043215"
    assert db.session.get(Guest, first.guest_id).given_name == "James"
    assert db.session.get(Guest, second.guest_id).given_name == "Emily"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<OTA_HotelResNotifRQ xmlns="http://www.opentravel.org/OTA/2003/05" EchoToken="lol" TimeStamp="2026-11-20T09:15:02Z">
  <HotelReservations><HotelReservation ResStatus="Commit"><UniqueID Type="14" ID="&lol9;"/></HotelReservation>
  </HotelReservations>
</OTA_HotelResNotifRQ>"""


def external_entity(url: str) -> bytes:
    """The new booking with the guest's name taken from an external entity at `url`."""
    body = sample("multiple_room_stays.xml").replace(
        b'<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE OTA_HotelResNotifRQ [<!ENTITY name SYSTEM "{url}">]>'
        .encode())
    return body.replace(b"<GivenName>James</GivenName>", b"<GivenName>&name;</GivenName>")


def assert_kept_as_failed(response, body, error_type, code, text):
    """The reply names the fault; nothing is applied; the payload is in the inbox, failed and
    replayable (a replay fails the same way until the cause is fixed)."""
    assert response.status_code == 200
    [(given_type, given_code, message)] = errors(response)
    assert (given_type, given_code) == (error_type, code) and text in message
    assert count(Stay) == 0 and count(Guest) == 0
    [stored] = messages()
    assert (stored.status, stored.body, stored.error) == ("failed", body, message)
    assert inbox.replay(OPERATOR, stored.id).status == "failed"


def test_a_billion_laughs_bomb_is_refused_without_expanding_it(client, connection):
    response = post(client, connection, BILLION_LAUGHS, headers=basic_auth())

    assert_kept_as_failed(response, BILLION_LAUGHS, "7", "450", "declares a DTD or entities")
    assert len(response.data) < 2000


def test_an_external_entity_on_disk_is_not_read(client, connection):
    body = external_entity("file:///etc/passwd")
    response = post(client, connection, body, headers=basic_auth())

    assert_kept_as_failed(response, body, "7", "450", "declares a DTD or entities")
    assert b"root:" not in response.data


def test_an_external_entity_or_dtd_on_the_network_is_never_fetched(client, connection, httpserver):
    httpserver.expect_request("/name").respond_with_data("Mallory")
    httpserver.expect_request("/ota.dtd").respond_with_data('<!ENTITY name "Mallory">')
    entity = external_entity(httpserver.url_for("/name"))
    dtd = sample("multiple_room_stays.xml").replace(
        b'<?xml version="1.0" encoding="utf-8"?>',
        f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE OTA_HotelResNotifRQ SYSTEM "{httpserver.url_for("/ota.dtd")}">'
        .encode())

    for body in (entity, dtd):
        response = post(client, connection, body, headers=basic_auth())
        assert errors(response)[0][:2] == ("7", "450")

    assert httpserver.log == []
    assert count(Guest) == 0 and [message.status for message in messages()] == ["failed", "failed"]


def test_a_message_over_the_adapters_limit_is_kept_but_not_parsed(app, client, connection):
    app.config["MAX_CONTENT_LENGTH"] = 4 * 1024 * 1024
    body = sample("multiple_room_stays.xml").replace(b"<POS>", b"<!--" + b" " * (2 * 1024 * 1024) + b"--><POS>")

    response = post(client, connection, body, headers=basic_auth())

    assert_kept_as_failed(response, body, "7", "450", "at most 2097152 are accepted")


def test_a_message_over_the_servers_limit_is_refused_in_ota_form_and_not_stored(app, client, connection):
    app.config["MAX_CONTENT_LENGTH"] = 1000

    response = post(client, connection, sample("multiple_room_stays.xml"), headers=basic_auth())

    assert response.status_code == 413
    assert errors(response) == [("7", "450", "What you sent is too large.")]
    assert count(InboxMessage) == 0


@pytest.mark.parametrize("change, error_type, code, text", [
    ((b"OTA_HotelResNotifRQ", b"OTA_HotelAvailNotifRQ"), "7", "450",
     "The message is a OTA_HotelAvailNotifRQ, not an OTA_HotelResNotifRQ."),
    ((b'<BasicPropertyInfo HotelCode="SHBUND"/>\n        </RoomStay>\n      </RoomStays>\n      <ResGuests>',
      b'<BasicPropertyInfo/>\n        </RoomStay>\n      </RoomStays>\n      <ResGuests>'), "10", "321",
     "HotelReservation 1: BasicPropertyInfo HotelCode is missing."),
    ((b'HotelCode="SHBUND"', b'HotelCode="HZWLAKE"'), "6", "392",
     "HotelReservation 1: HotelCode 'HZWLAKE' is not the hotel of this connection."),
    ((b'Start="2026-12-10"', b'Start="2026-12-32"'), "10", "15",
     "HotelReservation 1: RoomStay 1: TimeSpan Start '2026-12-32' is not a date (YYYY-MM-DD)."),
    ((b'End="2026-12-12"', b'End="2026-12-09"'), "10", "404",
     "HotelReservation 1: RoomStay 1: TimeSpan End '2026-12-09' is not after Start '2026-12-10'."),
    ((b'AgeQualifyingCode="10" Count="1"', b'AgeQualifyingCode="10" Count="-1"'), "10", "320",
     "HotelReservation 1: RoomStay 1: GuestCount Count '-1' is not a whole number from 0 to 99."),
    ((b'TimeStamp="2026-11-21T02:30:00Z"', b'TimeStamp="yesterday"'), "10", "15",
     "TimeStamp 'yesterday' is not a date and time (YYYY-MM-DDThh:mm:ss)."),
])
def test_a_message_the_adapter_cannot_use_is_answered_with_its_ota_error_and_kept(
        client, connection, change, error_type, code, text):
    body = sample("several_reservations.xml").replace(*change)
    assert body != sample("several_reservations.xml")

    response = post(client, connection, body, headers=basic_auth())

    assert_kept_as_failed(response, body, error_type, code, text)
    assert answer(response).get("EchoToken") == ("RG-20261121-0042" if code != "450" else None)


def test_a_message_refused_for_a_wrong_hotel_code_setting_applies_on_replay_once_it_is_fixed(client, hotels):
    connection = connections.create_connection(OPERATOR, {
        "adapter": "opentravel", "property_code": "SHA", "name": "Channel manager",
        "settings": SETTINGS | {"hotel_code": "SHBUN"},
    }).connection
    response = post(client, connection, sample("new_booking.xml"))
    assert errors(response)[0][:2] == ("6", "392") and count(Stay) == 0

    connections.update_connection(OPERATOR, connection.id, {"settings": {"hotel_code": "SHBUND"}})
    [failed] = messages()

    assert inbox.replay(OPERATOR, failed.id).status == "applied"
    assert stay("SM-48213377").status == "booked"


@pytest.mark.parametrize("body, headers, text", [
    (sample("multiple_room_stays.xml"), basic_auth(password="Bund!Carrot-Juice-2025"), "username or password"),
    (sample("multiple_room_stays.xml"), basic_auth(username="cm-hzlake"), "username or password"),
    (sample("several_reservations.xml").replace(PASSWORD.encode(), b"Bund!Carrot-Juice-2025"), {},
     "username or password"),
    (sample("new_booking.xml").replace(PASSWORD.encode(), b"guess-guess-guess"), {}, "username or password"),
    (sample("multiple_room_stays.xml"), {}, "carries no credentials"),
    (sample("multiple_room_stays.xml"), {"Authorization": "Basic not base64!"}, "carries no credentials"),
    (BILLION_LAUGHS, {}, "carries no credentials"),
])
def test_a_sender_without_the_connections_credentials_is_refused_and_nothing_is_stored(
        client, connection, body, headers, text):
    response = post(client, connection, body, headers=headers)

    assert response.status_code == 401
    [(error_type, code, message)] = errors(response)
    assert (error_type, code) == ("4", "497") and text in message
    assert PASSWORD not in message
    assert count(InboxMessage) == 0 and count(Stay) == 0


def test_a_wrong_address_is_refused_in_ota_form(client, connection):
    response = post(client, connection, sample("new_booking.xml"), token="x" * len(connection.inbound_token))

    assert response.status_code == 401
    assert errors(response) == [("4", "497", "The address of this connection is wrong.")]
    assert count(InboxMessage) == 0


def test_the_password_is_secret_and_the_check_says_where_the_channel_sends(hotels):
    view = connections.create_connection(OPERATOR, {
        "adapter": "opentravel", "property_code": "SHA", "name": "Channel manager", "settings": SETTINGS,
    })
    assert view.connection.settings == {"hotel_code": "SHBUND", "username": USERNAME}
    assert view.secrets_set == ["password"]

    check = connections.check_connection(OPERATOR, view.connection.id)

    assert check.ok and "inbound URL" in check.message and "SHBUND" in check.message
    assert PASSWORD not in check.message


@pytest.mark.parametrize("settings, field", [
    ({"username": USERNAME, "password": PASSWORD}, "settings.hotel_code"),
    (SETTINGS | {"password": "short"}, "settings.password"),
    (SETTINGS | {"hotel_code": "A-HOTEL-CODE-OF-17"}, "settings.hotel_code"),
])
def test_incomplete_or_weak_settings_are_refused(hotels, settings, field):
    with pytest.raises(InvalidDataError) as refused:
        connections.create_connection(OPERATOR, {
            "adapter": "opentravel", "property_code": "SHA", "name": "Channel manager", "settings": settings,
        })
    assert field in refused.value.errors
