"""The hooks guestrel calls on plugins, grouped by purpose.

A plugin implements any of them with `@hookimpl` from guestrel.plugins.plugin_api, using the
same function name and any subset of the arguments. Each docstring names every argument and
says whether the first answer wins; tests/plugins/test_hookspecs.py fails when one does not.
"""
import pluggy

hookspec = pluggy.HookspecMarker("guestrel")


# -- Registration: called once while the app starts -------------------------------------------


@hookspec
def register_adapters():
    """Return the adapter classes this plugin provides, as a list (None counts as none).

    Arguments: none. Every plugin's answer is collected; the first answer does not win.
    Each class must subclass PmsAdapter, ChannelAdapter, MessagingAdapter or ImportAdapter,
    implement all their abstract methods and have a `name` no other adapter uses; otherwise
    start-up fails with a message naming the plugin.
    """


@hookspec
def register_blueprints():
    """Return the Flask blueprints this plugin adds to the app, as a list (None counts as none).

    Arguments: none. Every plugin's answer is collected; the first answer does not win.
    Blueprints are registered as given, with CSRF protection on their forms; a blueprint name
    that is already taken fails start-up with a message naming the plugin.
    """


# -- Facts: announced by the core after the change is committed -------------------------------


@hookspec
def stay_checked_in(stay_id, property_id, guest_id):
    """A guest checked in: the stay is now in house. Called once per check-in, whether the PMS
    reported it or staff pressed "check in"; a repeated or stale update calls nothing.

    stay_id: guestrel's id of the stay.
    property_id: guestrel's id of the hotel.
    guest_id: guestrel's id of the guest, or None while the reservation is not yet linked to a
    profile.

    Every implementation is called and return values are ignored: the first answer does not win. An
    implementation that raises is logged and neither undoes the check-in nor stops the others.
    """


@hookspec
def stay_checked_out(stay_id, property_id, guest_id):
    """A guest checked out: the stay is closed. Called once per check-out, whether the PMS
    reported it or staff pressed "check out"; a repeated or stale update calls nothing.

    stay_id: guestrel's id of the stay.
    property_id: guestrel's id of the hotel.
    guest_id: guestrel's id of the guest, or None while the reservation is not yet linked to a
    profile.

    Every implementation is called and return values are ignored: the first answer does not win. An
    implementation that raises is logged and neither undoes the check-out nor stops the others.
    """


@hookspec
def guest_checked_in(alert):
    """A guest checked in and the front desk of the hotel was alerted (live, on its pages).
    Called once per check-in alert, after it is stored, e.g. to forward it to another channel.

    alert: a guestrel.plugins.plugin_api.CheckInAlert, what the alert says.

    Every implementation is called and return values are ignored: the first answer does not win. An
    implementation that raises is logged and neither undoes the alert nor stops the others.
    """
