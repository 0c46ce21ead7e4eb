"""Facts of the guests domain that other domains listen to. Both are sent inside the transaction
of the change, with the app as sender, and a receiver writes its own rows in that transaction
without committing. Unlike the stays' facts, a receiver's error is not swallowed: it rolls the
change back, as the change and what listens to it commit together or not at all.

`guest_profile_changed` (keyword argument `guest_id`) is sent when what other systems keep of
the guest changed: an active preference recorded, edited or retired, an id in another system
linked, two profiles merged (for the survivor). The sync domain queues the profile for the PMSs
that know the guest.

`guest_merged` (keyword arguments `survivor_id` and `merged_id`) is sent while a merge of two
profiles is under way. A domain that keeps rows by guest (points, complaints, messages) connects
a receiver that moves the merged guest's rows to the survivor, set-based: a merge that left some
of a guest's rows behind would lose them."""
from blinker import Namespace
from flask import current_app

_signals = Namespace()

guest_merged = _signals.signal("guest-merged", doc="Two profiles of one guest are being merged into the survivor.")
guest_profile_changed = _signals.signal(
    "guest-profile-changed", doc="What other systems keep of the guest (preferences, ids) changed.")


def announce(signal, **facts):
    """Send `signal` from the current app, inside the caller's transaction."""
    signal.send(current_app._get_current_object(), **facts)
