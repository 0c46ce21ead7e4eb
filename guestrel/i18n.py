"""The UI language: the staff member's own choice, else the browser's, else English. Times are
shown in the time zone of the staff member's hotel."""
from flask import current_app, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user

CHINESE = "zh_Hans_CN"


def select_locale() -> str | None:
    # Commands and jobs have no browser to ask: they speak the default language.
    if not has_request_context():
        return None
    languages = current_app.config["GUESTREL_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Browsers send zh-CN, zh-Hans or plain zh: any of them means Simplified Chinese here.
    best = request.accept_languages.best_match(["en", "zh"])
    return CHINESE if best == "zh" else "en"


def select_timezone() -> str | None:
    """The first hotel's zone: staff read times as their hotel's clock shows them. Chain-wide
    staff and requests without a signed-in user see the default (UTC)."""
    if not has_request_context() or not current_user or not current_user.is_authenticated:
        return None
    properties = current_user.properties
    return properties[0].timezone if properties else None


def init_app(app):
    @app.context_processor
    def language_choices():
        return {"languages": app.config["GUESTREL_LANGUAGES"], "get_locale": get_locale}
