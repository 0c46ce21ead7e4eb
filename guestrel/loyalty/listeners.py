"""The loyalty domain listens to the guests domain: a merged guest's tier and points go to the
survivor."""
from flask import Flask

from guestrel.guests import signals
from guestrel.loyalty import points, service


def _guest_merged(_app, survivor_id, merged_id):
    service.carry_over_merged(survivor_id, merged_id)
    points.carry_over_merged(survivor_id, merged_id)


def init_app(app: Flask):
    signals.guest_merged.connect(_guest_merged, sender=app)
