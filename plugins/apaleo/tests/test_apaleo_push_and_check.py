"""guestrel's memory of a guest written into the comment of their apaleo reservations, and the
admin's "test connection"."""
import json

import pytest

from apaleo_fixtures import CLIENT_SECRET, RESERVATION_PATH, TOKEN_PATH, load, requests_to, reservation
from guestrel.plugins.plugin_api import DeliveryError, GuestProfileFact
from guestrel_apaleo import notes

PROPERTY_PATH = "/inventory/v1/properties/MUC"
FACT = GuestProfileFact(fact_id="f-1", reservation_ids=("XPGMSXGF-1",), tier_code="GOLD",
                        preferences=("Carrot juice in the fridge", "Feather-free pillows"))
BLOCK = "[guestrel]\nTier: GOLD\nPreferences:\n- Carrot juice in the fridge\n- Feather-free pillows\n[/guestrel]"


def patches(server) -> list:
    return [json.loads(request.get_data()) for request in requests_to(server, RESERVATION_PATH, "PATCH")]


def test_the_memory_is_added_to_the_staffs_comment(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH, method="GET").respond_with_json(reservation())
    apaleo.expect_request(RESERVATION_PATH, method="PATCH").respond_with_data(status=204)

    adapter().push(FACT)

    (patch,) = patches(apaleo)
    assert patch == [{"op": "replace", "path": "/comment", "value": f"Late arrival expected.\n\n{BLOCK}"}]
    (request,) = requests_to(apaleo, RESERVATION_PATH, "PATCH")
    assert request.headers["Authorization"] == f"Bearer {load('token.json')['access_token']}"


def test_pushing_the_same_memory_again_writes_nothing(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH, method="GET").respond_with_json(
        reservation(comment=f"Late arrival expected.\n\n{BLOCK}"))
    adapter().push(FACT)
    assert patches(apaleo) == []


def test_a_changed_memory_replaces_guestrels_block_only(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH, method="GET").respond_with_json(
        reservation(comment=f"VIP, upgrade if possible.\n\n{BLOCK}\n\nParking booked."))
    apaleo.expect_request(RESERVATION_PATH, method="PATCH").respond_with_data(status=204)
    adapter().push(GuestProfileFact(fact_id="f-2", reservation_ids=("XPGMSXGF-1",), preferences=("Sea view",)))
    (patch,) = patches(apaleo)
    assert patch[0]["value"] == ("VIP, upgrade if possible.\n\nParking booked.\n\n"
                                 "[guestrel]\nPreferences:\n- Sea view\n[/guestrel]")


def test_a_reservation_without_comment_gets_one_and_an_empty_memory_removes_it(apaleo, adapter):
    apaleo.expect_oneshot_request(RESERVATION_PATH, method="GET").respond_with_json(reservation(comment=None))
    apaleo.expect_oneshot_request(RESERVATION_PATH, method="GET").respond_with_json(reservation(comment=BLOCK))
    apaleo.expect_request(RESERVATION_PATH, method="PATCH").respond_with_data(status=204)
    adapter().push(FACT)
    adapter().push(GuestProfileFact(fact_id="f-3", reservation_ids=("XPGMSXGF-1",)))
    assert patches(apaleo) == [[{"op": "add", "path": "/comment", "value": BLOCK}],
                               [{"op": "remove", "path": "/comment"}]]


@pytest.mark.parametrize("status", ["CheckedOut", "Canceled", "NoShow"])
def test_past_and_cancelled_reservations_are_left_alone(apaleo, adapter, status):
    apaleo.expect_request(RESERVATION_PATH, method="GET").respond_with_json(reservation(status))
    adapter().push(FACT)
    assert patches(apaleo) == []


def test_a_guest_without_apaleo_reservations_cannot_be_noted(apaleo, adapter):
    with pytest.raises(DeliveryError, match="apaleo keeps no guest profiles") as refused:
        adapter().push(GuestProfileFact(fact_id="f-4", guest_external_id=None, preferences=("Tea",)))
    assert refused.value.permanent is True
    assert apaleo.log == []


def test_a_reservation_apaleo_does_not_know_is_a_permanent_failure(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(load("error_not_found.json"), status=404)
    with pytest.raises(DeliveryError, match="Reservation with id 'XPGMSXGF-9' was not found") as refused:
        adapter().push(FACT)
    assert refused.value.permanent is True


def test_a_reservation_of_another_property_is_not_written(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation(property={"id": "BER"}))
    with pytest.raises(DeliveryError, match="belongs to apaleo property 'BER'") as refused:
        adapter().push(FACT)
    assert refused.value.permanent is True and patches(apaleo) == []


def test_a_hostile_reservation_id_is_refused_before_any_call(apaleo, adapter):
    with pytest.raises(DeliveryError, match="is not an apaleo reservation id") as refused:
        adapter().push(GuestProfileFact(fact_id="f-5", reservation_ids=("../../inventory",)))
    assert refused.value.permanent is True and apaleo.log == []


@pytest.mark.parametrize("status, headers, retry_after", [(429, {"Retry-After": "45"}, 45), (502, {}, None)])
def test_apaleo_away_means_deliver_again_later(apaleo, adapter, status, headers, retry_after):
    apaleo.expect_request(RESERVATION_PATH, method="GET").respond_with_json(reservation())
    apaleo.expect_request(RESERVATION_PATH, method="PATCH").respond_with_data(status=status, headers=headers)
    with pytest.raises(DeliveryError) as away:
        adapter().push(FACT)
    assert (away.value.retry_after, away.value.permanent) == (retry_after, False)


def test_refused_credentials_are_retried_once_the_settings_are_fixed(httpserver, adapter):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(load("identity_invalid_client.json"),
                                                                           status=400)
    with pytest.raises(DeliveryError) as refused:
        adapter().push(FACT)
    assert refused.value.permanent is False and CLIENT_SECRET not in str(refused.value)


def test_the_comment_block_is_guestrels_alone():
    assert notes.merged_comment("[guestrel]\nold\n[/guestrel]", GuestProfileFact(fact_id="x")) is None
    assert notes.merged_comment("Allergic to nuts", GuestProfileFact(fact_id="x")) == "Allergic to nuts"


def test_the_check_reads_the_property_and_names_it(apaleo, adapter):
    apaleo.expect_request(PROPERTY_PATH).respond_with_json(load("property.json"))
    assert adapter().check_connection() == (True, "Connected to apaleo property MUC: Hotel München.")


def test_the_check_takes_an_english_name_from_localised_names(apaleo, adapter):
    apaleo.expect_request(PROPERTY_PATH).respond_with_json(
        load("property.json") | {"name": {"de": "Hotel München", "en": "Hotel Munich"}})
    assert adapter().check_connection() == (True, "Connected to apaleo property MUC: Hotel Munich.")


def test_the_check_says_when_the_credentials_are_refused(httpserver, adapter):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(load("identity_invalid_client.json"),
                                                                           status=400)
    ok, message = adapter().check_connection()
    assert not ok and message == "apaleo refused the connection's client id and secret (400: invalid_client)."


def test_the_check_says_when_the_property_is_unknown(apaleo, adapter):
    apaleo.expect_request("/inventory/v1/properties/BER").respond_with_json(
        {"messages": ["Property with id 'BER' was not found."], "messageType": "NotFound"}, status=404)
    ok, message = adapter(property_id="BER").check_connection()
    assert not ok and "apaleo has no property BER this app may read" in message
    assert "Property with id 'BER' was not found." in message


@pytest.mark.parametrize("changes, expected", [
    ({"api_url": "http://127.0.0.1:9"}, "apaleo could not be reached (ConnectionError)."),
    ({"property_id": ""}, "The connection's settings lack property_id."),
])
def test_the_check_never_raises(apaleo, adapter, changes, expected):
    assert adapter(**changes).check_connection() == (False, expected)
