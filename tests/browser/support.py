"""What the browser tests share: the UI's words in a staff member's language, and signing in."""
from flask_babel import force_locale, gettext

from tests.conftest import PASSWORD


def in_language(locale: str):
    """A function giving a message of the UI as staff reading `locale` see it."""
    def translated(message: str) -> str:
        with force_locale(locale):
            return gettext(message)
    return translated


def sign_in(page, url: str, staff, t=in_language("en")):
    """Open `url`, which asks to sign in first, and sign in as `staff` through the form."""
    page.goto(url)
    page.get_by_label(t("E-mail")).fill(staff.email)
    page.get_by_label(t("Password")).fill(PASSWORD)
    page.get_by_role("button", name=t("Sign in")).click()
