"""The connection form, built for one adapter from its settings schema: each setting becomes a
field of the right kind, secret ones a password field that is never filled in. The adapter's
schema, in the service, has the last word on what is valid."""
import json

import marshmallow
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from guestrel.sync.connections import NAME_MAX_LENGTH

SETTING_PREFIX = "setting_"
# Settings with structure (a list of guests, a mapping of codes) are edited as JSON text.
STRUCTURED = (marshmallow.fields.List, marshmallow.fields.Dict, marshmallow.fields.Nested, marshmallow.fields.Tuple)


def _valid_json(_form, field):
    if field.data:
        try:
            json.loads(field.data)
        except ValueError as error:
            raise ValidationError(_l("Enter valid JSON: %(error)s", error=str(error))) from error


def _setting_field(name: str, schema_field, secret: bool, editing: bool):
    label = schema_field.metadata.get("label") or name.replace("_", " ").capitalize()
    description = schema_field.metadata.get("description", "")
    required = schema_field.required and not (secret and editing)
    validators = [DataRequired()] if required else [Optional()]
    if secret:
        hint = _l("Stored encrypted and never shown. Leave empty to keep the stored value.") if editing else ""
        return PasswordField(label, validators=validators, description=" ".join(str(p) for p in (description, hint) if p))
    if isinstance(schema_field, marshmallow.fields.Boolean):
        return BooleanField(label, description=description)
    if isinstance(schema_field, marshmallow.fields.Integer):
        return IntegerField(label, validators=validators, description=description)
    if isinstance(schema_field, STRUCTURED):
        return TextAreaField(label, validators=[*validators, _valid_json], description=description)
    return StringField(label, validators=validators, description=description)


class _ConnectionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=NAME_MAX_LENGTH)],
                       description=_l("How staff call it, e.g. “Mews, Shanghai”."))
    enabled = BooleanField(_l("Enabled"), default=True,
                           description=_l("A disabled connection receives and polls nothing."))

    def setting_names(self) -> list[str]:
        return [name[len(SETTING_PREFIX):] for name in self._fields if name.startswith(SETTING_PREFIX)]

    def settings(self, adapter) -> dict:
        """The settings as the adapter's schema loads them: empty ones left out (so defaults
        apply and, when editing, a secret left empty keeps its value), JSON text parsed."""
        schema_fields = adapter.settings_schema().fields
        settings = {}
        for name in self.setting_names():
            value = self[SETTING_PREFIX + name].data
            if isinstance(schema_fields[name], marshmallow.fields.Boolean):
                settings[name] = bool(value)
            elif value is not None and value != "":
                settings[name] = json.loads(value) if isinstance(schema_fields[name], STRUCTURED) else value
        return settings

    def error_fields(self) -> dict:
        """The service's field names mapped to this form's."""
        return {f"settings.{name}": SETTING_PREFIX + name for name in self.setting_names()}


def connection_form(adapter, *, property_options=(), connection=None):
    """The form for a new connection of `adapter` (with a hotel to choose from
    `property_options`), or for editing `connection` (prefilled, with its version)."""
    editing = connection is not None

    class ConnectionForm(_ConnectionForm):
        pass

    if editing:
        ConnectionForm.version = HiddenField()
    else:
        ConnectionForm.property_code = SelectField(_l("Hotel"), choices=[
            (p.code, f"{p.code} · {p.name}") for p in property_options])
    for name, schema_field in adapter.settings_schema().fields.items():
        if not schema_field.dump_only:
            setattr(ConnectionForm, SETTING_PREFIX + name,
                    _setting_field(name, schema_field, name in adapter.secret_settings, editing))
    if not editing:
        return ConnectionForm()
    data = {"name": connection.name, "enabled": connection.enabled, "version": connection.version}
    schema_fields = adapter.settings_schema().fields
    for name, value in connection.settings.items():
        if name in schema_fields:
            structured = isinstance(schema_fields[name], STRUCTURED)
            data[SETTING_PREFIX + name] = json.dumps(value, ensure_ascii=False, indent=2) if structured else value
    return ConnectionForm(data=data)
