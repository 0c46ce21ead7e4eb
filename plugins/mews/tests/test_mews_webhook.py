import json

import pytest
from werkzeug import Response

from guestrel.plugins.plugin_api import PayloadError, ProfileUpdated, ReservationUpserted, SourceUnavailable
from mews_fake import ACCESS_TOKEN, CLIENT_TOKEN, RESERVATIONS, error, load, slow

RESERVATION_ID = "0f515589-99b4-423d-b83a-b237009f0509"
CUSTOMER_ID = "fadd5bb6-b428-45d5-94f8-fd0d89fece6d"


def webhook(**changes) -> bytes:
    return json.dumps(load("webhook.json") | changes).encode()


def events(*kinds_and_ids) -> list:
    return [{"Discriminator": kind, "Value": {"Id": value}} for kind, value in kinds_and_ids]


@pytest.fixture
def stocked(mews):
    mews.add_customer()
    mews.add_reservation(Id=RESERVATION_ID)
    return mews


def test_each_changed_record_is_fetched_once_even_when_listed_twice(stocked, make_adapter):
    found = make_adapter().parse_webhook({}, webhook())

    reservation_calls, customer_calls = stocked.bodies(RESERVATIONS), stocked.bodies("customers/getAll")
    assert [call["ReservationIds"] for call in reservation_calls] == [[RESERVATION_ID]]
    assert "Canceled" in reservation_calls[0]["States"]
    assert [call["CustomerIds"] for call in customer_calls] == [[CUSTOMER_ID]]
    assert [type(event) for event in found] == [ProfileUpdated, ReservationUpserted]
    assert found[1].reservation_id == RESERVATION_ID and found[1].guest.external_id == CUSTOMER_ID


def test_a_customer_webhook_is_a_profile_update_without_fetching_reservations(stocked, make_adapter):
    body = webhook(Events=events(("CustomerUpdated", CUSTOMER_ID)))
    found = make_adapter().parse_webhook({}, body)
    assert [type(event) for event in found] == [ProfileUpdated]
    assert found[0].guest.family_name == "Zhang"
    assert stocked.bodies(RESERVATIONS) == []


def test_events_guestrel_does_not_keep_are_ignored_without_a_call(stocked, make_adapter):
    body = webhook(Events=events(("PaymentUpdated", CUSTOMER_ID), ("MessageAdded", CUSTOMER_ID),
                                 ("SomethingNewUpdated", CUSTOMER_ID)))
    assert make_adapter().parse_webhook({}, body) == []
    assert stocked.requests == []


def test_a_webhook_for_another_enterprise_is_refused_without_a_call(stocked, make_adapter):
    body = webhook(EnterpriseId="4d0201db-36f5-428b-8d11-4f0a65e960cc")
    with pytest.raises(PayloadError, match="enterprise 4d0201db-36f5-428b-8d11-4f0a65e960cc, not this connection"):
        make_adapter().parse_webhook({}, body)
    assert stocked.requests == []


def test_a_webhook_for_another_integration_is_refused(stocked, make_adapter):
    with pytest.raises(PayloadError, match="another Mews integration"):
        make_adapter().parse_webhook({}, webhook(IntegrationId="a793d381-65a2-4fa6-9514-00c4c5bfe607"))
    other_integration = webhook(IntegrationId="a793d381-65a2-4fa6-9514-00c4c5bfe607")
    assert make_adapter(integration_id=None).parse_webhook({}, other_integration)


def test_too_many_requests_is_source_unavailable_with_mews_retry_after(stocked, make_adapter):
    stocked.script(RESERVATIONS, error(429, "Too many requests.", headers={"Retry-After": "30"}))
    with pytest.raises(SourceUnavailable) as unavailable:
        make_adapter().parse_webhook({}, webhook())
    assert unavailable.value.retry_after == 30.0


def test_a_mews_that_does_not_answer_in_time_is_source_unavailable(stocked, make_adapter):
    stocked.script(RESERVATIONS, slow(0.6))
    with pytest.raises(SourceUnavailable, match="did not answer reservations/getAll/2023-06-06 in time"):
        make_adapter(timeout=0.2).parse_webhook({}, webhook())


def test_a_mews_that_is_down_is_source_unavailable_until_it_recovers(stocked, make_adapter):
    stocked.script(RESERVATIONS, error(503, "Service Unavailable"))
    with pytest.raises(SourceUnavailable) as unavailable:
        make_adapter().parse_webhook({}, webhook())
    assert unavailable.value.retry_after is None

    recovered = make_adapter().parse_webhook({}, webhook())
    assert [type(event) for event in recovered] == [ProfileUpdated, ReservationUpserted]


def test_an_unreachable_mews_is_source_unavailable(make_adapter):
    with pytest.raises(SourceUnavailable, match="could not be reached"):
        make_adapter(base_url="http://127.0.0.1:9").parse_webhook({}, webhook())


def test_refused_tokens_are_a_payload_error_with_mews_message_and_no_token(stocked, make_adapter):
    wrong = "0000000000000000000000000000000-00000000000000000000000000000000"
    with pytest.raises(PayloadError) as refused:
        make_adapter(access_token=wrong).parse_webhook({}, webhook())
    assert str(refused.value) == ("Mews refused reservations/getAll/2023-06-06 (401): Invalid AccessToken.")


def test_a_mews_message_that_repeats_a_token_does_not_show_it(stocked, make_adapter):
    stocked.script(RESERVATIONS, error(400, f"Invalid request from {CLIENT_TOKEN} / {ACCESS_TOKEN}."))
    with pytest.raises(PayloadError) as refused:
        make_adapter().parse_webhook({}, webhook())
    assert CLIENT_TOKEN not in str(refused.value) and ACCESS_TOKEN not in str(refused.value)
    assert "Invalid request from *** / ***." in str(refused.value)


def test_an_answer_that_is_not_json_is_a_payload_error(stocked, make_adapter):
    stocked.script(RESERVATIONS, Response("<html>proxy error</html>", 200, content_type="text/html"))
    with pytest.raises(PayloadError, match="something other than JSON"):
        make_adapter().parse_webhook({}, webhook())


MALFORMED = {
    "not JSON": b"EnterpriseId=851df8c8",
    "a list": b"[]",
    "no EnterpriseId": json.dumps({"Events": []}).encode(),
    "an EnterpriseId that is no id": webhook(EnterpriseId="hotel"),
    "an EnterpriseId that is a number": webhook(EnterpriseId=851),
    "Events not a list": webhook(Events={"Discriminator": "CustomerUpdated"}),
    "an event that is not an object": webhook(Events=["CustomerUpdated"]),
    "an event without a Value": webhook(Events=[{"Discriminator": "CustomerUpdated"}]),
    "an event without a Discriminator": webhook(Events=[{"Value": {"Id": CUSTOMER_ID}}]),
    "an Id that is a number": webhook(Events=[{"Discriminator": "CustomerUpdated", "Value": {"Id": 7}}]),
    "an endless Id": webhook(Events=[{"Discriminator": "CustomerUpdated", "Value": {"Id": "x" * 10000}}]),
    "too many events": webhook(Events=[{"Discriminator": "PaymentUpdated", "Value": {"Id": "p"}}] * 10001),
}


@pytest.mark.parametrize("body", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_or_hostile_webhook_is_a_payload_error_without_a_call(mews, make_adapter, body):
    with pytest.raises(PayloadError):
        make_adapter().parse_webhook({}, body)
    assert mews.requests == []
