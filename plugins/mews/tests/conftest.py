"""Fixtures: a Mews stand-in (mews_fake.FakeMews) and adapters pointed at it, and the app
fixtures of guestrel's own suite for the end-to-end tests."""
import pytest

from guestrel.plugins.plugin_api import TimeoutSession
from guestrel_mews import MewsAdapter
from mews_fake import FakeMews, settings
from tests.conftest import app, client, database_url, hotels, make_app  # noqa: F401  (fixtures used here)


@pytest.fixture
def mews(httpserver):
    return FakeMews(httpserver)


@pytest.fixture
def make_adapter(mews):
    def make(timeout=2.0, **changes):
        return MewsAdapter(settings(mews.url) | changes, TimeoutSession(timeout=timeout))
    return make
