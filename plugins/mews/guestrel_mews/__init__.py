"""guestrel's adapter for the Mews Connector API (see guestrel_mews.adapter)."""
from guestrel.plugins.plugin_api import hookimpl
from guestrel_mews.adapter import MewsAdapter

__all__ = ["MewsAdapter", "register_adapters"]


@hookimpl
def register_adapters():
    return [MewsAdapter]
