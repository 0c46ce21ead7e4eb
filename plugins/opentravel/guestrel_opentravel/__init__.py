"""guestrel adapter for channel managers that push OpenTravel OTA_HotelResNotifRQ reservations."""
from guestrel.plugins.plugin_api import hookimpl

from guestrel_opentravel.adapter import OpenTravelAdapter


@hookimpl
def register_adapters():
    return [OpenTravelAdapter]
