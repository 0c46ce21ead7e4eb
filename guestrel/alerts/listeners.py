"""The alerts domain listens to the stays domain: a check-in raises the front desk's alert."""
from flask import Flask

from guestrel.alerts import live, service
from guestrel.stays import signals


def init_app(app: Flask):
    live.init_app(app)
    signals.stay_checked_in.connect(service.on_stay_checked_in, sender=app)
