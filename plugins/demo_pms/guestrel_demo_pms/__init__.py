"""guestrel's demo PMS: a simulated hotel that books, checks in and checks out guests over the
day, polled through the inbox like a real PMS (see guestrel_demo_pms.adapter)."""
from guestrel.plugins.plugin_api import hookimpl
from guestrel_demo_pms.adapter import DemoPmsAdapter

__all__ = ["DemoPmsAdapter", "register_adapters"]


@hookimpl
def register_adapters():
    return [DemoPmsAdapter]
