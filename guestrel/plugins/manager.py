"""Finds plugins through the `guestrel.plugins` entry-point group, checks what they register and
keeps the result on the app (app.extensions["guestrel.plugins"]), never in a module global, so
two apps in one process have their own plugins.

A plugin that fails to import, to register or to answer a registration hook, or that registers
something malformed, stops start-up with a PluginError naming the plugin and its entry point:
a hotel must not run believing its PMS is connected when it is not. An operator can skip a
plugin by name with GUESTREL_PLUGINS_BLOCKED.
"""
import importlib.metadata
import inspect
import re
from dataclasses import dataclass, field
from types import MappingProxyType

import marshmallow
import pluggy
from flask import Blueprint, Flask

from guestrel.plugins import hookspecs
from guestrel.plugins.plugin_api import ADAPTER_KINDS
from guestrel.stays import signals as stay_signals

EXTENSION = "guestrel.plugins"
ENTRY_POINT_GROUP = "guestrel.plugins"
ADAPTER_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


class PluginError(RuntimeError):
    """A plugin cannot be loaded or registered what guestrel cannot use."""


@dataclass
class PluginHost:
    """The plugins of one app: the pluggy manager, the entry point each plugin came from, and
    what the registration hooks returned, checked."""

    manager: pluggy.PluginManager
    entry_points: dict = field(default_factory=dict)
    adapters: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    blueprints: list = field(default_factory=list)

    def describe(self, plugin_name: str) -> str:
        entry_point = self.entry_points.get(plugin_name)
        if entry_point is None:
            return f"plugin {plugin_name!r}"
        distribution = entry_point.dist.name if entry_point.dist is not None else "an unknown distribution"
        return (f"plugin {plugin_name!r} (entry point {entry_point.name} = {entry_point.value} "
                f"in group {ENTRY_POINT_GROUP}, from {distribution})")


def init_app(app: Flask):
    host = create_plugin_manager(app)
    app.extensions[EXTENSION] = host
    for plugin_name, blueprint in host.blueprints:
        try:
            app.register_blueprint(blueprint)
        except ValueError as error:
            raise PluginError(f"The {host.describe(plugin_name)} added a blueprint guestrel cannot register: {error}") from error
    # Connected for this app only (it is the signals' sender): each app tells its own plugins.
    stay_signals.stay_checked_in.connect(_forward_stay_checked_in, sender=app)
    stay_signals.stay_checked_out.connect(_forward_stay_checked_out, sender=app)


def create_plugin_manager(app: Flask) -> PluginHost:
    """Load every plugin of the entry-point group that is not blocked, and check what they
    register. Raises PluginError naming the first plugin that is broken."""
    manager = pluggy.PluginManager("guestrel")
    manager.add_hookspecs(hookspecs)
    host = PluginHost(manager=manager)
    blocked = app.config.get("GUESTREL_PLUGINS_BLOCKED") or ()
    if isinstance(blocked, str):
        blocked = blocked.split(",")
    blocked = {name.strip() for name in blocked}
    for entry_point in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name):
        if entry_point.name in blocked:
            manager.set_blocked(entry_point.name)
            continue
        if entry_point.name in host.entry_points:
            raise PluginError(f"Two plugins are named {entry_point.name!r}: the {host.describe(entry_point.name)} "
                              f"and the one from {entry_point.dist.name if entry_point.dist else 'elsewhere'}.")
        host.entry_points[entry_point.name] = entry_point
        _register(host, entry_point)
    host.adapters = MappingProxyType(_collect_adapters(host))
    host.blueprints = _collect_blueprints(host)
    return host


def plugin_host(app: Flask) -> PluginHost:
    return app.extensions[EXTENSION]


def adapters(app: Flask) -> dict:
    """The adapter classes the app's plugins registered, by name."""
    return dict(plugin_host(app).adapters)


def _register(host: PluginHost, entry_point):
    try:
        plugin = entry_point.load()
    except Exception as error:
        raise PluginError(f"The {host.describe(entry_point.name)} could not be imported: "
                          f"{type(error).__name__}: {error}") from error
    try:
        host.manager.register(plugin, name=entry_point.name)
        # Rejects an @hookimpl whose name matches no hook, e.g. a misspelt register_adapter.
        host.manager.check_pending()
    except (ValueError, pluggy.PluginValidationError) as error:
        raise PluginError(f"The {host.describe(entry_point.name)} could not be registered: {error}") from error


def _answers(host: PluginHost, hook_name: str):
    """Each plugin's answer to a registration hook, with the plugin's name: called one by one
    so that an error names the plugin that caused it."""
    for impl in getattr(host.manager.hook, hook_name).get_hookimpls():
        if impl.wrapper or impl.hookwrapper:
            raise PluginError(f"The {host.describe(impl.plugin_name)} implements {hook_name} as a wrapper; "
                              f"registration hooks take plain implementations.")
        try:
            answer = impl.function()
        except Exception as error:
            raise PluginError(f"The {host.describe(impl.plugin_name)} failed in {hook_name}: "
                              f"{type(error).__name__}: {error}") from error
        if answer is None:
            continue
        if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
            raise PluginError(f"The {host.describe(impl.plugin_name)} returned {answer!r} from {hook_name}, not a list.")
        for item in answer:
            yield impl.plugin_name, item


def _collect_adapters(host: PluginHost) -> dict:
    found, origin = {}, {}
    for plugin_name, adapter in _answers(host, "register_adapters"):
        problem = _adapter_problem(adapter)
        if problem:
            raise PluginError(f"The {host.describe(plugin_name)} registered {adapter!r}, which {problem}.")
        if adapter.name in found:
            raise PluginError(f"The {host.describe(plugin_name)} registered an adapter named {adapter.name!r}, "
                              f"a name the {host.describe(origin[adapter.name])} already uses.")
        found[adapter.name], origin[adapter.name] = adapter, plugin_name
    return found


def _adapter_problem(adapter) -> str | None:
    """Why the core could not use this adapter class, or None."""
    if not inspect.isclass(adapter) or not issubclass(adapter, ADAPTER_KINDS):
        kinds = ", ".join(kind.__name__ for kind in ADAPTER_KINDS)
        return f"is not a subclass of one of {kinds}"
    if inspect.isabstract(adapter):
        return f"does not implement {', '.join(sorted(adapter.__abstractmethods__))}"
    name = getattr(adapter, "name", None)
    if not isinstance(name, str) or not ADAPTER_NAME.fullmatch(name):
        return "has no name of lowercase letters, digits and underscores (at most 40, starting with a letter)"
    schema = getattr(adapter, "settings_schema", None)
    if not inspect.isclass(schema) or not issubclass(schema, marshmallow.Schema):
        return "has no settings_schema that is a marshmallow Schema"
    unknown = set(adapter.secret_settings) - set(schema().fields)
    if unknown:
        return f"names secret settings its settings_schema does not have: {', '.join(sorted(unknown))}"
    return None


def _collect_blueprints(host: PluginHost) -> list:
    blueprints = []
    for plugin_name, blueprint in _answers(host, "register_blueprints"):
        if not isinstance(blueprint, Blueprint):
            raise PluginError(f"The {host.describe(plugin_name)} returned {blueprint!r} from register_blueprints, "
                              f"which is not a Flask Blueprint.")
        blueprints.append((plugin_name, blueprint))
    return blueprints


def announce(app: Flask, hook_name: str, **facts):
    """Call a fact hook on every plugin, each on its own: one that fails is logged and the
    others still hear of the fact."""
    for impl in getattr(plugin_host(app).manager.hook, hook_name).get_hookimpls():
        try:
            impl.function(**{name: facts[name] for name in impl.argnames})
        except Exception:
            app.logger.exception("The plugin %r failed in %s for %s", impl.plugin_name, hook_name, facts)


def _forward_stay_checked_in(app, **facts):
    announce(app, "stay_checked_in", **facts)


def _forward_stay_checked_out(app, **facts):
    announce(app, "stay_checked_out", **facts)
