"""Facts of the stays domain that other domains listen to (alerts on check-in, loyalty on
check-out), so a listener is added without editing the stays service.

`stay_changed` is sent once per change of a stay that was written (created, updated, a status
command), before the other facts of that change. `stay_checked_in` and `stay_checked_out` are
sent once per change of a stay into that state. Each is sent after the change is committed,
with the app as sender and the keyword arguments `stay_id`, `property_id` and `guest_id` (None
while the guest is not known). A stale or repeated update sends nothing. Connect with
`stay_checked_in.connect(receiver)`; a receiver that fails is logged and does not undo the fact
nor stop the other receivers."""
from blinker import Namespace
from flask import current_app

_signals = Namespace()

stay_changed = _signals.signal("stay-changed", doc="A stay was created or changed.")
stay_checked_in = _signals.signal("stay-checked-in", doc="A guest checked in: the stay is now in house.")
stay_checked_out = _signals.signal("stay-checked-out", doc="A guest checked out: the stay is closed.")


def announce(signal, **facts):
    app = current_app._get_current_object()
    for receiver in signal.receivers_for(app):
        try:
            receiver(app, **facts)
        except Exception:
            app.logger.exception("A receiver of %s failed for %s", signal.name, facts)
