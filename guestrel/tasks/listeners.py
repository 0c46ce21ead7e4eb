"""The tasks domain listens to the stays and guests domains: a stay that changed has its tasks
brought in line at once (after the stay's commit), and so do the coming stays of a guest whose
preferences changed (inside that change's transaction); a merge moves the merged guest's tasks.
The periodic sweep (planner.plan_all) catches up whatever a failed receiver left."""
from flask import Flask

from guestrel.guests import signals as guest_signals
from guestrel.stays import signals as stay_signals
from guestrel.tasks import planner


def _stay_changed(_app, stay_id, **_facts):
    planner.plan_stay(stay_id)


def _profile_changed(_app, guest_id):
    planner.plan_guest(guest_id)


def _guest_merged(_app, survivor_id, merged_id):
    planner.carry_over_merged(survivor_id)


def init_app(app: Flask):
    stay_signals.stay_changed.connect(_stay_changed, sender=app)
    guest_signals.guest_profile_changed.connect(_profile_changed, sender=app)
    guest_signals.guest_merged.connect(_guest_merged, sender=app)
