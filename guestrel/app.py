"""The application factory: an ordered list of init steps. Migrations are never run here."""
from pathlib import Path

from flask import Flask

from guestrel import cli, config, errors, i18n, jobs, models  # noqa: F401  (models: all tables on db.metadata)
from guestrel.alerts import api as alerts_api
from guestrel.alerts import listeners as alerts_listeners
from guestrel.alerts import views as alerts_views
from guestrel.auth import api as auth_api
from guestrel.auth import sessions
from guestrel.auth import views as auth_views
from guestrel.audit import api as audit_api
from guestrel.audit import views as audit_views
from guestrel.database import configure_sqlite
from guestrel.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from guestrel.frontdesk import views as frontdesk_views
from guestrel.guests import api as guests_api
from guestrel.guests import views as guests_views
from guestrel.loyalty import api as loyalty_api
from guestrel.loyalty import listeners as loyalty_listeners
from guestrel.loyalty import views as loyalty_views
from guestrel.plugins import manager as plugins
from guestrel.properties import api as properties_api
from guestrel.properties import views as properties_views
from guestrel.stays import api as stays_api
from guestrel.sync import api as sync_api
from guestrel.sync import connection_views as sync_connection_views
from guestrel.sync import import_views as sync_import_views
from guestrel.sync import inbound as sync_inbound
from guestrel.sync import listeners as sync_listeners
from guestrel.sync import pacing as sync_pacing
from guestrel.sync import outbox_api as sync_outbox_api
from guestrel.sync import views as sync_views
from guestrel.tasks import api as tasks_api
from guestrel.tasks import listeners as tasks_listeners
from guestrel.tasks import views as tasks_views
from guestrel.web import views as web_views

PROJECT_ROOT = Path(__file__).resolve().parent.parent

API_BLUEPRINTS = (
    guests_api.blp,
    guests_api.categories_blp,
    properties_api.blp,
    auth_api.staff_blp,
    auth_api.clients_blp,
    audit_api.blp,
    stays_api.blp,
    sync_api.blp,
    sync_outbox_api.blp,
    alerts_api.blp,
    tasks_api.blp,
    loyalty_api.blp,
)
WEB_BLUEPRINTS = (
    web_views.bp,
    auth_views.bp,
    guests_views.bp,
    properties_views.bp,
    audit_views.bp,
    sync_views.bp,
    sync_connection_views.bp,
    sync_import_views.bp,
    alerts_views.bp,
    frontdesk_views.bp,
    tasks_views.bp,
    loyalty_views.bp,
)


def create_app(config_overrides=None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder="web/static",
    )
    config.configure(app, config_overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])

    sessions.init_app(app, login_manager)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)

    api.init_app(app)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
        # The API authenticates every call with a bearer key, never a cookie: no CSRF to check.
        csrf.exempt(blueprint)
    for blueprint in WEB_BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.register_blueprint(sync_inbound.bp)
    # Vendors' systems post here with the connection's own credentials, never a browser session.
    csrf.exempt(sync_inbound.bp)
    plugins.init_app(app)
    jobs.init_app(app)
    sync_listeners.init_app(app)
    sync_pacing.init_app(app)
    alerts_listeners.init_app(app)
    tasks_listeners.init_app(app)
    loyalty_listeners.init_app(app)

    errors.init_app(app)
    cli.init_app(app)
    return app
