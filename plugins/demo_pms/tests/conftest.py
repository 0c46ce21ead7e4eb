"""The core's app and database fixtures, for the end-to-end tests through the inbox."""
from tests.conftest import app, client, database_url, hotels, make_app  # noqa: F401  (fixtures used here)
