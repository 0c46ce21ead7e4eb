"""OAuth2 client credentials: one token per connection, reused until shortly before it expires,
replaced when apaleo refuses it, and never shown in an error."""
import base64
import time
from urllib.parse import parse_qs

import pytest
from werkzeug import Response

from guestrel.plugins.plugin_api import PayloadError, SourceUnavailable
from apaleo_fixtures import CLIENT_SECRET, RESERVATION_PATH, TOKEN_PATH, load, requests_to, reservation, webhook


def bearer_tokens(server) -> list:
    return [request.headers["Authorization"] for request in requests_to(server, RESERVATION_PATH)]


def test_the_token_is_fetched_once_with_client_credentials_and_reused_by_every_adapter_of_the_connection(
        apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation())

    adapter().parse_webhook({}, webhook())
    adapter().parse_webhook({}, webhook(event_id="second"))

    (token_request,) = requests_to(apaleo, TOKEN_PATH)
    assert parse_qs(token_request.get_data(as_text=True)) == {"grant_type": ["client_credentials"]}
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    credentials = base64.b64encode(f"DEMO-SC-GUESTREL:{CLIENT_SECRET}".encode()).decode()
    assert token_request.headers["Authorization"] == f"Basic {credentials}"
    assert bearer_tokens(apaleo) == [f"Bearer {load('token.json')['access_token']}"] * 2


def test_another_secret_for_the_same_client_id_gets_no_cached_token(apaleo, adapter):
    apaleo.expect_request(RESERVATION_PATH).respond_with_json(reservation())
    adapter().parse_webhook({}, webhook())
    adapter(client_secret="a guess").parse_webhook({}, webhook())
    assert len(requests_to(apaleo, TOKEN_PATH)) == 2


def test_a_token_is_fetched_again_once_it_has_expired(httpserver, adapter):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(
        load("token.json") | {"access_token": "short-lived", "expires_in": 1})
    httpserver.expect_request(RESERVATION_PATH).respond_with_json(reservation())

    adapter().parse_webhook({}, webhook())
    adapter().parse_webhook({}, webhook())
    assert len(requests_to(httpserver, TOKEN_PATH)) == 1
    time.sleep(1.0)
    adapter().parse_webhook({}, webhook())
    assert len(requests_to(httpserver, TOKEN_PATH)) == 2


def test_a_refused_token_is_replaced_and_the_call_made_once_more(httpserver, adapter):
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_json(
        load("token.json") | {"access_token": "revoked"})
    httpserver.expect_ordered_request(RESERVATION_PATH).respond_with_data(status=401)
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_json(
        load("token.json") | {"access_token": "fresh"})
    httpserver.expect_ordered_request(RESERVATION_PATH).respond_with_json(reservation())

    events = adapter().parse_webhook({}, webhook())

    assert [type(event).__name__ for event in events] == ["ReservationUpserted"]
    assert bearer_tokens(httpserver) == ["Bearer revoked", "Bearer fresh"]
    httpserver.check_assertions()


def test_a_second_refusal_is_a_settings_problem_that_names_no_token(httpserver, adapter):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(load("token.json"))
    httpserver.expect_request(RESERVATION_PATH).respond_with_data(status=401)
    with pytest.raises(PayloadError) as refused:
        adapter().parse_webhook({}, webhook())
    assert "apaleo refused the connection's access" in str(refused.value)
    assert load("token.json")["access_token"] not in str(refused.value)
    assert len(requests_to(httpserver, RESERVATION_PATH)) == 2


def test_client_credentials_apaleo_refuses_are_reported_without_the_secret(httpserver, adapter):
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(load("identity_invalid_client.json"),
                                                                           status=400)
    with pytest.raises(PayloadError) as refused:
        adapter().parse_webhook({}, webhook())
    message = str(refused.value)
    assert "apaleo refused the connection's client id and secret (400: invalid_client)" in message
    assert CLIENT_SECRET not in message
    assert requests_to(httpserver, RESERVATION_PATH) == []


def test_an_identity_answer_without_a_token_is_not_cached(httpserver, adapter):
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_response(
        Response("<html>maintenance</html>", status=200, content_type="text/html"))
    httpserver.expect_ordered_request(TOKEN_PATH, method="POST").respond_with_json(load("token.json"))
    httpserver.expect_request(RESERVATION_PATH).respond_with_json(reservation())
    with pytest.raises(SourceUnavailable, match="without a usable access token"):
        adapter().parse_webhook({}, webhook())
    assert adapter().parse_webhook({}, webhook())
