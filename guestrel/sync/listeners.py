"""The sync domain listens to the guests domain: a changed profile is queued for the PMSs that
know the guest, and a merged guest's outbox moves to the survivor, both in the transaction of
the change (guestrel.guests.signals)."""
from flask import Flask

from guestrel.guests import signals
from guestrel.sync import outbox


def _profile_changed(_app, guest_id):
    outbox.guest_profile_changed(guest_id)


def _guest_merged(_app, survivor_id, merged_id):
    outbox.guest_merged(survivor_id, merged_id)


def init_app(app: Flask):
    signals.guest_profile_changed.connect(_profile_changed, sender=app)
    signals.guest_merged.connect(_guest_merged, sender=app)
