"""The UI language: the staff member's own choice, else the browser's, else English."""
from flask import current_app, request
from flask_login import current_user

CHINESE = "zh_Hans_CN"


def select_locale() -> str:
    languages = current_app.config["GUESTREL_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    # Browsers send zh-CN, zh-Hans or plain zh: any of them means Simplified Chinese here.
    best = request.accept_languages.best_match(["en", "zh"])
    return CHINESE if best == "zh" else "en"


def init_app(app):
    @app.context_processor
    def language_choices():
        return {"languages": app.config["GUESTREL_LANGUAGES"]}
