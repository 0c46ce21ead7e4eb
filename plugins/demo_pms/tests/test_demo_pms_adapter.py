"""The adapter around the simulation: its settings, the connection check, pages it refuses,
webhooks it never sends and facts it accepts without keeping them."""
import json

import pytest
from demo_pms_helpers import LI_WEI, NOW, adapter, poll_all, settings

from guestrel.plugins.plugin_api import GuestProfileFact, PayloadError, PmsAdapter, TimeoutSession
from guestrel_demo_pms import DemoPmsAdapter, register_adapters
from guestrel_demo_pms.settings import DemoPmsSettings


def test_the_plugin_registers_a_polled_pms_adapter_named_demo_pms():
    [registered] = register_adapters()

    assert registered is DemoPmsAdapter and issubclass(registered, PmsAdapter)
    assert registered.name == "demo_pms" and registered.poll_interval == 60.0
    assert registered.secret_settings == frozenset()


def test_settings_take_defaults_and_survive_being_stored_as_json():
    loaded = DemoPmsSettings().load(settings(guests=[LI_WEI | {"arrival": "2026-11-26"}]))
    stored = json.loads(json.dumps(DemoPmsSettings().dump(loaded)))

    assert (loaded["arrivals_per_day"], loaded["check_in_hour"], loaded["check_out_hour"]) == (8, 14, 12)
    assert stored["nightly_rate"] == "880.00" and stored["guests"][0]["arrival"] == "2026-11-26"
    assert stored["guests"][0]["nights"] == 2
    from_stored, from_entered = adapter(**stored), adapter(guests=[LI_WEI | {"arrival": "2026-11-26"}])
    assert poll_all(from_stored) == poll_all(from_entered)


@pytest.mark.parametrize(("changes", "field"), [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"currency": "yuan"}, "currency"),
    ({"hotel_code": "hgh"}, "hotel_code"),
    ({"check_in_hour": 23}, "check_in_hour"),
    ({"check_out_hour": 2}, "check_out_hour"),
    ({"arrivals_per_day": 500}, "arrivals_per_day"),
    ({"arrivals_per_day": "8"}, "arrivals_per_day"),
    ({"nightly_rate": "-5"}, "nightly_rate"),
    ({"guests": [{"external_id": "G1"}]}, "guests"),
    ({"guests": [LI_WEI, LI_WEI]}, "guests"),
    ({"guests": [LI_WEI | {"nights": 30}]}, "guests"),
    ({"guests": [LI_WEI | {"email": "not an address"}]}, "guests"),
])
def test_wrong_settings_are_refused_naming_the_field(changes, field):
    errors = DemoPmsSettings().validate(settings(**changes))

    assert field in errors


def test_a_missing_hotel_is_refused():
    errors = DemoPmsSettings().validate({"timezone": "Asia/Shanghai", "currency": "CNY"})

    assert {"hotel_code", "hotel_name"} <= set(errors)


def test_check_connection_names_the_simulated_hotel():
    check = adapter().check_connection()

    assert check.ok and check.message.startswith("Simulated PMS for Hangzhou West Lake Hotel")


def test_broken_settings_fail_the_check_and_the_poll_with_what_is_wrong():
    broken = DemoPmsAdapter({"hotel_name": "Nowhere", "timezone": "Mars/Olympus"}, TimeoutSession())

    check = broken.check_connection()
    assert not check.ok and "currency" in check.message and "timezone" in check.message
    with pytest.raises(PayloadError, match="settings are incomplete or wrong"):
        broken.poll(None)


def test_a_cursor_it_did_not_write_is_refused():
    with pytest.raises(PayloadError, match="not a time the demo PMS wrote"):
        adapter().poll("yesterday")
    with pytest.raises(PayloadError):
        adapter().poll("2026-11-25T10:00:00")


def test_a_cursor_in_the_future_waits_for_the_clock():
    later = NOW.replace(hour=12).isoformat()

    assert adapter().poll(later) == (None, later, False)


def test_pages_are_read_without_the_connections_settings():
    first = adapter().poll(None)

    events = DemoPmsAdapter({}, TimeoutSession()).parse_page(first.body)

    assert events == adapter().parse_page(first.body)


@pytest.mark.parametrize(("body", "message"), [
    (b"<reservations/>", "not JSON"),
    (b"[]", "not a JSON object"),
    (b'{"format": "other/1"}', "not a demo PMS export"),
])
def test_a_page_it_did_not_write_is_a_payload_error(body, message):
    with pytest.raises(PayloadError, match=message):
        adapter().parse_page(body)


def test_a_page_whose_reservation_has_no_profile_or_no_night_is_a_payload_error():
    page = json.loads(adapter().poll(None).body)
    orphan = json.loads(json.dumps(page))
    orphan["profiles"] = orphan["profiles"][1:]
    backwards = json.loads(json.dumps(page))
    backwards["reservations"][0]["departure"] = backwards["reservations"][0]["arrival"]

    with pytest.raises(PayloadError, match="No profile is given"):
        adapter().parse_page(json.dumps(orphan).encode())
    with pytest.raises(PayloadError, match="departure is not after the arrival"):
        adapter().parse_page(json.dumps(backwards).encode())


def test_the_demo_pms_sends_no_webhooks():
    with pytest.raises(PayloadError, match="does not send webhooks"):
        adapter().parse_webhook({"Content-Type": "application/json"}, b"{}")


def test_a_pushed_fact_is_accepted_and_kept_nowhere():
    made = adapter()
    before = made.poll(None)

    made.push(GuestProfileFact(fact_id="f1", guest_external_id="DEMO-00000", preferences=("Carrot juice",)))
    made.push(GuestProfileFact(fact_id="f2", guest_external_id=None))

    assert made.poll(None) == before
