"""Browser forms for signing in, the own account, staff and API clients. The service has the last
word on what is valid; these check what can be checked without the database."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from guestrel.auth.models import ROLES
from guestrel.auth.permissions import PERMISSIONS
from guestrel.auth.service import EMAIL_MAX_LENGTH, MIN_PASSWORD_LENGTH, NAME_MAX_LENGTH

ROLE_LABELS = {
    "front_desk": _l("Front desk"),
    "housekeeping": _l("Housekeeping"),
    "marketing": _l("Marketing"),
    "manager": _l("Manager"),
    "admin": _l("Administrator"),
}

_password_length = Length(
    min=MIN_PASSWORD_LENGTH, message=_l("The password must have at least %(min)d characters.")
)


def language_choices():
    return [("", _l("The browser's language"))] + list(current_app.config["GUESTREL_LANGUAGES"].items())


def _at_least_one_scope(_form, field):
    # Not DataRequired: its `required` flag would make the browser demand every checkbox.
    if not field.data:
        raise ValidationError(_l("Choose at least one scope."))


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = SelectField(_l("Language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), _password_length])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )


class _PropertyChoicesForm(FlaskForm):
    """A form with a `properties` field offering the given Property rows, by code."""

    def __init__(self, *args, property_options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.properties.choices = [(p.code, f"{p.code} · {p.name}") for p in property_options]


class StaffEditForm(_PropertyChoicesForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)])
    role = SelectField(_l("Role"), choices=[(role, ROLE_LABELS[role]) for role in ROLES])
    properties = SelectMultipleField(
        _l("Properties"), description=_l("Administrators work for the whole chain whatever is chosen here.")
    )
    locale = SelectField(_l("Language"))
    active = BooleanField(_l("Active"), description=_l("A disabled account cannot sign in."))
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), _password_length],
        description=_l("Leave empty to keep the password. A new one signs the staff member out everywhere."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()

    @classmethod
    def for_staff(cls, staff, property_options):
        data = {
            "name": staff.name,
            "role": staff.role,
            "properties": [p.code for p in staff.properties],
            "locale": staff.locale or "",
            "active": staff.active,
        }
        return cls(data=data, property_options=property_options)


class StaffCreateForm(StaffEditForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=EMAIL_MAX_LENGTH)])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), _password_length])
    active = None
    new_password = None


class ApiClientForm(_PropertyChoicesForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
        description=_l("Which integration uses the key, e.g. “Opera PMS, Shanghai”."),
    )
    scopes = CheckboxListField(
        _l("Scopes"),
        choices=[(scope, scope) for scope in PERMISSIONS],
        validators=[_at_least_one_scope],
    )
    properties = SelectMultipleField(
        _l("Properties"), description=_l("None chosen: the key works for the whole chain.")
    )


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the button is the confirmation."""
