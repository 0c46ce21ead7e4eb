"""guestrel's adapter for apaleo, the cloud property-management system: reservations from its
webhooks and a poll of its Booking API, guestrel's memory of a guest written onto the guest's
reservations. See adapter.ApaleoAdapter."""
from guestrel.plugins.plugin_api import hookimpl
from guestrel_apaleo.adapter import ApaleoAdapter

__all__ = ["ApaleoAdapter", "register_adapters"]


@hookimpl
def register_adapters():
    return [ApaleoAdapter]
