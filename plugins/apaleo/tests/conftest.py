"""apaleo played by pytest-httpserver, answering with the payload shapes apaleo publishes (see
apaleo_fixtures), plus the core's app and database fixtures for the end-to-end tests."""
import pytest

from apaleo_fixtures import CLIENT_SECRET, TOKEN_PATH, load
from guestrel.plugins.plugin_api import TimeoutSession
from guestrel_apaleo import ApaleoAdapter
from guestrel_apaleo.client import ApaleoClient
from tests.conftest import (  # noqa: F401  (fixtures these tests use)
    app,
    client,
    database_url,
    hotels,
    make_api_key,
    make_app,
    make_staff,
)


@pytest.fixture(autouse=True)
def fresh_tokens():
    """Each test starts with no cached token, as a new process would."""
    ApaleoClient.tokens.clear()
    yield
    ApaleoClient.tokens.clear()


@pytest.fixture
def settings(httpserver):
    base = httpserver.url_for("/").rstrip("/")
    return {"client_id": "DEMO-SC-GUESTREL", "client_secret": CLIENT_SECRET, "identity_url": base,
            "api_url": base, "property_id": "MUC"}


@pytest.fixture
def apaleo(httpserver):
    """The server with apaleo's token endpoint; each test adds the API answers it needs."""
    httpserver.expect_request(TOKEN_PATH, method="POST").respond_with_json(load("token.json"))
    return httpserver


@pytest.fixture
def adapter(settings):
    def make(**changes):
        return ApaleoAdapter(settings | changes, TimeoutSession(timeout=(1.0, 1.0)))

    return make
