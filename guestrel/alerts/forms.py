"""The alert rule form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from guestrel.alerts.models import RULE_CONDITIONS
from guestrel.alerts.rules import CONDITION_LABELS


class RuleForm(FlaskForm):
    name = StringField(_l("Name"), description=_l("For the rules list, e.g. First stay."))
    condition = SelectField(_l("When"))
    value = StringField(
        _l("Value"), description=_l("For a VIP code, the code; for stays, how many at least; for nationality, a "
                                    "two-letter country code such as JP; for language, a tag such as zh; for a "
                                    "loyalty tier, its code such as PLATINUM."))
    text = TextAreaField(_l("Text shown at check-in"), description=_l("What the front desk should do or say."))
    property_code = SelectField(_l("Hotel"))
    enabled = BooleanField(_l("Active"), default=True)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    @classmethod
    def for_rule(cls, rule, *, properties, chain_wide: bool):
        data = None
        if rule is not None:
            data = {"name": rule.name, "condition": rule.condition, "value": rule.value or "", "text": rule.text,
                    "property_code": rule.rule_property.code if rule.rule_property else "", "enabled": rule.enabled,
                    "version": rule.version}
        form = cls(data=data)
        form.condition.choices = [(condition, CONDITION_LABELS[condition]) for condition in RULE_CONDITIONS]
        hotels = [(prop.code, f"{prop.name} ({prop.code})") for prop in properties]
        form.property_code.choices = ([("", _l("Every hotel of the chain"))] if chain_wide else []) + hotels
        return form

    def service_data(self) -> dict:
        return {"name": self.name.data, "condition": self.condition.data, "value": self.value.data or None,
                "text": self.text.data, "property_code": self.property_code.data or None,
                "enabled": self.enabled.data}
