"""Plugins are found through installed entry points; a broken one stops start-up naming itself."""
import importlib
import logging

import pytest

from guestrel.plugins import manager
from guestrel.plugins.manager import PluginError
from guestrel.stays import signals
from tests.plugins.conftest import adapter_source

REGISTER = '''
@hookimpl
def register_adapters():
    return [{classes}]
'''


def adapter_plugin(name, cls="Adapter"):
    return adapter_source(name, cls) + REGISTER.format(classes=cls)


def test_an_installed_plugin_adapter_is_found_through_its_entry_point(install_plugin, make_app):
    module = install_plugin(adapter_plugin("acme_pms"), entry_point="acme")
    app = make_app()

    adapter = manager.adapters(app)["acme_pms"]
    assert adapter is importlib.import_module(module).Adapter
    assert adapter.kind == "pms"
    assert manager.plugin_host(app).manager.get_plugin("acme") is importlib.import_module(module)


def test_two_apps_have_their_own_plugin_managers(install_plugin, make_app):
    install_plugin(adapter_plugin("acme_pms"), entry_point="acme")
    with_plugin = make_app()
    without_plugin = make_app(GUESTREL_PLUGINS_BLOCKED=["acme"])

    assert manager.plugin_host(with_plugin) is not manager.plugin_host(without_plugin)
    assert "acme_pms" in manager.adapters(with_plugin)
    assert "acme_pms" not in manager.adapters(without_plugin)


def test_a_blocked_plugin_is_not_even_imported(install_plugin, make_app, monkeypatch):
    install_plugin("raise RuntimeError('should never be imported')", entry_point="broken")
    install_plugin(adapter_plugin("acme_pms"), entry_point="acme")
    monkeypatch.setenv("GUESTREL_PLUGINS_BLOCKED", " broken , other")

    app = make_app()
    assert "acme_pms" in manager.adapters(app)
    assert manager.plugin_host(app).manager.is_blocked("broken")


def test_a_plugin_that_fails_to_import_stops_start_up_naming_it(install_plugin, make_app):
    module = install_plugin("import guestrel_no_such_module\n", entry_point="broken")
    with pytest.raises(PluginError) as failure:
        make_app()
    message = str(failure.value)
    assert "'broken'" in message and f"broken = {module}" in message and "guestrel.plugins" in message
    assert "could not be imported" in message and "guestrel_no_such_module" in message


def test_a_register_hook_that_raises_stops_start_up_naming_the_plugin(install_plugin, make_app):
    install_plugin('''
        from guestrel.plugins.plugin_api import hookimpl

        @hookimpl
        def register_adapters():
            raise KeyError("api_url")
    ''', entry_point="flaky")
    with pytest.raises(PluginError, match=r"plugin 'flaky' .* failed in register_adapters: KeyError: 'api_url'"):
        make_app()


def test_a_misspelt_hook_stops_start_up_naming_the_plugin(install_plugin, make_app):
    install_plugin('''
        from guestrel.plugins.plugin_api import hookimpl

        @hookimpl
        def register_adapter():
            return []
    ''', entry_point="typo")
    with pytest.raises(PluginError, match=r"plugin 'typo' .*could not be registered: .*register_adapter"):
        make_app()


NOT_AN_ADAPTER = "from guestrel.plugins.plugin_api import hookimpl\n\nclass Adapter:\n    name = 'plain'\n"
ONLY_THE_BASE = '''
from guestrel.plugins.plugin_api import Adapter as Base, ConnectionCheck, hookimpl

class Adapter(Base):
    name = "base_only"
    def check_connection(self):
        return ConnectionCheck(True, "ok")
'''

WITHOUT_PUSH = adapter_source("half_done").replace("def push(", "def send_notes(")


@pytest.mark.parametrize("source, problem", [
    (NOT_AN_ADAPTER + REGISTER.format(classes="Adapter"), "is not a subclass of one of PmsAdapter"),
    ("from guestrel.plugins.plugin_api import hookimpl\n" + REGISTER.format(classes="'mews'"),
     "is not a subclass of one of PmsAdapter"),
    (ONLY_THE_BASE + REGISTER.format(classes="Adapter"), "is not a subclass of one of PmsAdapter"),
    (WITHOUT_PUSH + REGISTER.format(classes="Adapter"), "does not implement push"),
    (adapter_plugin("Bad Name"), "has no name of lowercase letters"),
    (adapter_source("no_schema") + "Adapter.settings_schema = dict\n" + REGISTER.format(classes="Adapter"),
     "has no settings_schema that is a marshmallow Schema"),
    (adapter_source("leaky") + "Adapter.secret_settings = frozenset({'password'})\n" + REGISTER.format(classes="Adapter"),
     "names secret settings its settings_schema does not have: password"),
    ("from guestrel.plugins.plugin_api import hookimpl\n@hookimpl\ndef register_adapters():\n    return 'mews'\n",
     "not a list"),
], ids=["plain_class", "string", "base_class_only", "abstract", "bad_name", "no_schema", "unknown_secret", "not_a_list"])
def test_a_plugin_registering_an_unusable_adapter_stops_start_up_naming_it(install_plugin, make_app, source, problem):
    install_plugin(source, entry_point="sloppy")
    with pytest.raises(PluginError) as failure:
        make_app()
    assert "plugin 'sloppy'" in str(failure.value) and problem in str(failure.value)


def test_two_adapters_with_one_name_stop_start_up_naming_both_plugins(install_plugin, make_app):
    install_plugin(adapter_plugin("acme_twin"), entry_point="first")
    install_plugin(adapter_plugin("acme_twin"), entry_point="second")
    with pytest.raises(PluginError) as failure:
        make_app()
    message = str(failure.value)
    assert "'acme_twin'" in message and "plugin 'first'" in message and "plugin 'second'" in message


def test_two_distributions_with_one_plugin_name_stop_start_up(install_plugin, make_app):
    install_plugin(adapter_plugin("one"), entry_point="twin", distribution="twin-a")
    install_plugin(adapter_plugin("two"), entry_point="twin", distribution="twin-b")
    with pytest.raises(PluginError, match="Two plugins are named 'twin'"):
        make_app()


BLUEPRINT_PLUGIN = '''
from flask import Blueprint
from guestrel.plugins.plugin_api import hookimpl

bp = Blueprint("{name}", __name__, url_prefix="/plugins/weather")


@bp.get("/")
def forecast():
    return "sunny in Hangzhou"


@hookimpl
def register_blueprints():
    return [bp]
'''


def test_a_plugin_blueprint_is_served(install_plugin, make_app):
    install_plugin(BLUEPRINT_PLUGIN.format(name="weather"), entry_point="weather")
    response = make_app().test_client().get("/plugins/weather/")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "sunny in Hangzhou")


def test_a_plugin_blueprint_with_a_taken_name_stops_start_up(install_plugin, make_app):
    install_plugin(BLUEPRINT_PLUGIN.format(name="auth"), entry_point="impostor")
    with pytest.raises(PluginError, match=r"plugin 'impostor' .*blueprint .*'auth'"):
        make_app()


LISTENER = '''
from guestrel.plugins.plugin_api import hookimpl

heard = []


@hookimpl
def stay_checked_in(stay_id, guest_id):
    {body}


@hookimpl
def stay_checked_out(stay_id, property_id, guest_id):
    heard.append(("out", stay_id, property_id, guest_id))
'''


def test_check_ins_and_outs_reach_every_plugin_even_when_one_fails(install_plugin, make_app, caplog):
    failing = install_plugin(LISTENER.format(body="raise RuntimeError('printer on fire')"), entry_point="a_failing")
    listening = install_plugin(LISTENER.format(body="heard.append(('in', stay_id, guest_id))"), entry_point="b_listening")
    app = make_app()
    other_app = make_app(GUESTREL_PLUGINS_BLOCKED=["a_failing", "b_listening"])

    with app.app_context(), caplog.at_level(logging.ERROR):
        signals.announce(signals.stay_checked_in, stay_id=7, property_id=1, guest_id=None)
        signals.announce(signals.stay_checked_out, stay_id=7, property_id=1, guest_id=3)
    with other_app.app_context():
        signals.announce(signals.stay_checked_in, stay_id=8, property_id=1, guest_id=None)

    assert importlib.import_module(listening).heard == [("in", 7, None), ("out", 7, 1, 3)]
    assert importlib.import_module(failing).heard == [("out", 7, 1, 3)]
    assert "a_failing" in caplog.text and "printer on fire" in caplog.text


def test_a_registration_hook_written_as_a_wrapper_stops_start_up(install_plugin, make_app):
    install_plugin('''
        from guestrel.plugins.plugin_api import hookimpl

        @hookimpl(wrapper=True)
        def register_adapters():
            return (yield)
    ''', entry_point="wrapping")
    with pytest.raises(PluginError, match=r"plugin 'wrapping' .*implements register_adapters as a wrapper"):
        make_app()
