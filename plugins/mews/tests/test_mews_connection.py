import marshmallow
import pytest

from guestrel.plugins.plugin_api import ConnectionCheck, PmsAdapter, TimeoutSession
from guestrel_mews import MewsAdapter, register_adapters
from guestrel_mews.settings import MewsSettings
from mews_fake import ACCESS_TOKEN, CLIENT_TOKEN, ENTERPRISE_ID, error, slow


def test_the_plugin_registers_the_mews_pms_adapter_with_mews_limits():
    assert register_adapters() == [MewsAdapter]
    assert issubclass(MewsAdapter, PmsAdapter) and MewsAdapter.name == "mews"
    assert MewsAdapter.rate_limit == (200, 30.0) and MewsAdapter.poll_interval == 300.0
    assert MewsAdapter.secret_settings == {"client_token", "access_token", "webhook_secret"}


def test_the_settings_default_to_the_mews_demo_and_utc():
    loaded = MewsSettings().load({"client_token": CLIENT_TOKEN, "access_token": ACCESS_TOKEN,
                                  "enterprise_id": ENTERPRISE_ID})
    assert (loaded["base_url"], loaded["client"], loaded["timezone"]) == ("https://api.mews-demo.com", "guestrel",
                                                                          "UTC")
    assert "webhook_secret" not in loaded


@pytest.mark.parametrize("field, value", [("timezone", "Mars/Olympus"), ("enterprise_id", "hotel"),
                                          ("base_url", "ftp://api.mews.com"), ("history_days", 0),
                                          ("client_token", "")])
def test_settings_that_cannot_work_are_refused(field, value):
    given = {"client_token": CLIENT_TOKEN, "access_token": ACCESS_TOKEN, "enterprise_id": ENTERPRISE_ID, field: value}
    with pytest.raises(marshmallow.ValidationError) as refused:
        MewsSettings().load(given)
    assert field in refused.value.messages


def test_check_connection_names_the_hotel(mews, make_adapter):
    assert make_adapter().check_connection() == ConnectionCheck(
        True, f"Connected to Shanghai Bund Hotel (enterprise {ENTERPRISE_ID}).")
    assert mews.bodies("configuration/get")[0]["AccessToken"] == ACCESS_TOKEN


def test_check_connection_says_when_the_tokens_are_another_hotels(make_adapter):
    check = make_adapter(enterprise_id="4d0201db-36f5-428b-8d11-4f0a65e960cc").check_connection()
    assert not check.ok and "These tokens belong to Shanghai Bund Hotel" in check.message


def test_check_connection_says_when_the_time_zone_differs_from_mews(make_adapter):
    check = make_adapter(timezone="UTC").check_connection()
    assert not check.ok and "its time zone in Mews is Asia/Shanghai" in check.message


@pytest.mark.parametrize("answer, expected", [
    (error(401, "Invalid ClientToken."), "Mews refused configuration/get (401): Invalid ClientToken."),
    (error(503), "Mews failed to answer configuration/get (503)."),
    (slow(0.6), "Mews did not answer configuration/get in time."),
], ids=["refused", "down", "slow"])
def test_check_connection_reports_a_failure_without_raising_or_showing_tokens(mews, make_adapter, answer, expected):
    mews.script("configuration/get", answer)
    check = make_adapter(timeout=0.2).check_connection()
    assert check == ConnectionCheck(False, expected)


def test_check_connection_with_incomplete_settings_says_which(mews):
    check = MewsAdapter({"client_token": CLIENT_TOKEN}, TimeoutSession()).check_connection()
    assert check == ConnectionCheck(False, "The Mews connection's settings are incomplete or wrong: "
                                           "access_token, enterprise_id.")
    assert mews.requests == []
