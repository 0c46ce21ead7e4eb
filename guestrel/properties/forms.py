"""Browser forms for properties. The service has the last word on what is valid; the choices
here only keep people from typing a time zone or currency by heart."""
from babel.numbers import get_currency_name
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional

from guestrel.properties import service
from guestrel.service_errors import InvalidDataError


class PropertyEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=service.NAME_MAX_LENGTH)])
    timezone = SelectField(_l("Time zone"), validators=[DataRequired()])
    currency = SelectField(_l("Currency"), validators=[DataRequired()])
    check_in_time = TimeField(
        _l("Check-in time"), validators=[Optional()],
        description=_l("When rooms are ready, on the hotel's clock. Pre-arrival tasks are due then; empty: 14:00."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [("", "")] + [(zone, zone) for zone in sorted(service.time_zones())]
        locale = get_locale()
        self.currency.choices = [("", "")] + [
            (code, f"{code} · {get_currency_name(code, locale=locale)}") for code in sorted(service.currencies())
        ]

    def validate(self, extra_validators=None):
        """Adds the service's own checks, so every problem is shown at the first attempt."""
        valid = super().validate(extra_validators)
        fields = [name for name in service.AUDITED_FIELDS if name in self and self[name].data is not None]
        try:
            service.clean_values({name: self[name].data for name in fields})
        except InvalidDataError as error:
            for name, messages in error.errors.items():
                if not self[name].errors:
                    self[name].errors.extend(messages)
            return False
        return valid


class PropertyCreateForm(PropertyEditForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(min=2, max=16)],
        description=_l("2 to 16 letters, digits or hyphens, e.g. SHA. It cannot be changed later."),
    )
