"""plugin_api is the whole of guestrel a plugin may import: it must not drag the core in."""
import ast
import inspect
import types
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from guestrel.plugins import plugin_api

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc)


def test_plugin_api_imports_nothing_from_guestrel_but_itself():
    tree = ast.parse(inspect.getsource(plugin_api))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not [name for name in imported if name.split(".")[0] == "guestrel"]
    assert not any(isinstance(node, ast.ImportFrom) and node.level for node in ast.walk(tree))

    def origin(value):
        return value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)

    from_core = {name: origin(value) for name, value in vars(plugin_api).items()
                 if (origin(value) or "").startswith("guestrel") and origin(value) != plugin_api.__name__}
    assert from_core == {}


def test_plugin_api_exports_exactly_the_public_names_it_defines():
    defined = {name for name, value in vars(plugin_api).items()
               if not name.startswith("_") and getattr(value, "__module__", None) == plugin_api.__name__}
    constants = {"hookimpl", "DEFAULT_TIMEOUT", "ADAPTER_KINDS"}
    assert set(plugin_api.__all__) == defined | constants
    assert all(hasattr(plugin_api, name) for name in plugin_api.__all__)


def test_a_complete_reservation_event_keeps_every_field():
    event = plugin_api.ReservationUpserted(
        event_id="res-77:v3", source_modified_at=NOW, reservation_id="res-77", channel_confirmation="BDC-1",
        guest=plugin_api.GuestData(external_id="p-9", given_name="伟", family_name="张", member_number="M1"),
        arrival=date(2025, 5, 2), departure=date(2025, 5, 4), room_type="DLX", room_number="1208",
        rate_code="BAR", channel="booking.com", adults=2, children=1,
        revenue=plugin_api.Revenue(room=Decimal("1200.00"), food_and_beverage=Decimal("80.50"), currency="CNY"),
    )
    assert event.guest.family_name == "张"
    assert event.revenue.other == 0 and event.revenue.currency == "CNY"
    assert (event.arrival, event.departure, event.adults, event.children) == (date(2025, 5, 2), date(2025, 5, 4), 2, 1)


@pytest.mark.parametrize("make, message", [
    (lambda: plugin_api.CheckedIn(event_id="", source_modified_at=NOW, reservation_id="r", at=NOW), "event_id"),
    (lambda: plugin_api.CheckedIn(event_id="e", source_modified_at=datetime(2025, 5, 1), reservation_id="r", at=NOW),
     "source_modified_at"),
    (lambda: plugin_api.CheckedOut(event_id="e", source_modified_at=NOW, reservation_id="r", at=datetime(2025, 5, 1)),
     "at is"),
    (lambda: plugin_api.NoShow(event_id="e", source_modified_at=NOW, reservation_id=" "), "reservation_id"),
    (lambda: plugin_api.ReservationUpserted(event_id="e", source_modified_at=NOW, reservation_id="r",
                                            arrival=date(2025, 5, 4), departure=date(2025, 5, 2)), "departure"),
    (lambda: plugin_api.Revenue(room=Decimal("-1"), currency="CNY"), "0 or more"),
    (lambda: plugin_api.Revenue(room=1.5, currency="CNY"), "Decimals"),
    (lambda: plugin_api.Revenue(currency="yuan"), "ISO 4217"),
    (lambda: plugin_api.ProfileUpdated(event_id="e", source_modified_at=NOW, guest=plugin_api.GuestData(email="a@b.c")),
     "external_id"),
])
def test_an_event_an_adapter_builds_wrongly_is_refused_at_once(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_an_adapter_kind_cannot_be_instantiated_without_its_methods():
    class HalfDone(plugin_api.PmsAdapter):
        name = "half_done"

        def check_connection(self):
            return plugin_api.ConnectionCheck(True, "ok")

    with pytest.raises(TypeError, match="parse_webhook"):
        HalfDone({}, plugin_api.TimeoutSession())
