"""install_plugin: a throwaway distribution on sys.path with entry points in the guestrel.plugins
group, found by importlib.metadata exactly as a pip-installed plugin is."""
import sys
import textwrap
import uuid

import pytest

ADAPTER_SOURCE = '''
import marshmallow
from guestrel.plugins.plugin_api import ConnectionCheck, PmsAdapter, PollResult, hookimpl


class Settings(marshmallow.Schema):
    url = marshmallow.fields.Url(required=True)
    api_key = marshmallow.fields.String(required=True)


class {cls}(PmsAdapter):
    name = "{name}"
    settings_schema = Settings
    secret_settings = frozenset({{"api_key"}})

    def check_connection(self):
        return ConnectionCheck(True, "reachable")

    def parse_webhook(self, headers, body):
        return []

    def poll(self, cursor):
        return PollResult(None, cursor)

    def parse_page(self, body):
        return []

    def push(self, fact):
        return None
'''


def adapter_source(name, cls="Adapter"):
    """A module defining a complete PmsAdapter class `cls` named `name` (no hooks yet)."""
    return ADAPTER_SOURCE.format(name=name, cls=cls)


@pytest.fixture
def install_plugin(tmp_path, monkeypatch):
    """install_plugin(source, entry_point="name") writes `source` as a fresh module, installs a
    distribution whose entry point `entry_point` points at it, and returns the module's name
    (import it after create_app to look at what the plugin recorded)."""
    modules = []

    def install(source, entry_point=None, distribution=None):
        module = f"guestrel_test_plugin_{uuid.uuid4().hex[:10]}"
        entry_point = entry_point or module
        distribution = distribution or module.replace("_", "-")
        root = tmp_path / module
        root.mkdir()
        (root / f"{module}.py").write_text(textwrap.dedent(source))
        dist_info = root / f"{module}-1.0.dist-info"
        dist_info.mkdir()
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n")
        (dist_info / "entry_points.txt").write_text(f"[guestrel.plugins]\n{entry_point} = {module}\n")
        monkeypatch.syspath_prepend(str(root))
        modules.append(module)
        return module

    yield install
    for module in modules:
        sys.modules.pop(module, None)
