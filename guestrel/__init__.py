"""guestrel: a hotel guest-relationship server."""
from guestrel.app import create_app

__all__ = ["create_app"]
