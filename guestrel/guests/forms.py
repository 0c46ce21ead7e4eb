"""Browser forms for guests, preferences, special dates and preference categories.

The guests service has the last word on what is valid (the same rules as the API); these forms
only turn what the browser sends into typed values and offer choices, so a refusal from the
service is shown next to the field with the same name.
"""
from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from guestrel.guests import normalise
from guestrel.guests.models import PREFERENCE_PRIORITIES, PREFERENCE_SOURCES, SPECIAL_DATE_KINDS
from guestrel.guests.preference_service import DEPARTMENT_LABELS, category_label
from guestrel.guests.service import GUEST_FIELDS

PRIORITY_LABELS = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "critical": _l("Critical"),
}
SOURCE_LABELS = {
    "staff": _l("Staff"),
    "guest": _l("The guest"),
    "pms": _l("PMS"),
    "import": _l("Import"),
}
SPECIAL_DATE_LABELS = {
    "birthday": _l("Birthday"),
    "anniversary": _l("Anniversary"),
    "other": _l("Other occasion"),
}


def _none_if_blank(value):
    return value or None


class GuestSearchForm(FlaskForm):
    # A search is a GET with the query in the address: nothing to protect from cross-site posts.
    class Meta:
        csrf = False

    q = StringField(
        _l("Search"),
        description=_l("Name or pinyin, room, member number, phone, e-mail or an id from another system"),
    )


class GuestForm(FlaskForm):
    """The profile's fields. Pages drop the contact fields for staff who may not see them."""

    salutation = StringField(_l("Salutation"), description=_l("e.g. Mr., Ms., Dr."))
    given_name = StringField(_l("Given name"))
    family_name = StringField(_l("Family name"))
    full_name = StringField(
        _l("Full name"), description=_l("As the guest writes it, e.g. 李伟 or Anna-Lena Müller.")
    )
    email = EmailField(_l("E-mail"))
    phone = TelField(
        _l("Phone"), description=_l("Without a country code it is read as a number of the chain's country.")
    )
    birthday = DateField(_l("Birthday"), validators=[Optional()])
    anniversary = DateField(_l("Anniversary"), validators=[Optional()])
    nationality = SelectField(_l("Nationality"))
    language = StringField(_l("Language"), description=_l("A language tag such as en, zh-CN or ja."))
    company = StringField(_l("Company"))
    vip_code = StringField(_l("VIP code"))
    member_number = StringField(_l("Member number"), description=_l("The guest's membership number in the chain's loyalty programme."))
    notes = TextAreaField(_l("Notes"))
    account_owner_id = SelectField(_l("Account owner"), coerce=str)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def __init__(self, *args, owner_options=(), hidden_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in hidden_fields:
            delattr(self, name)
        if "nationality" in self:
            self.nationality.choices = [("", "—")] + country_choices()
        if "account_owner_id" in self:
            self.account_owner_id.choices = [("", _l("Nobody"))] + [
                (str(staff.id), staff.name) for staff in owner_options
            ]

    @classmethod
    def for_guest(cls, guest, **kwargs):
        data = {name: getattr(guest, name) for name in GUEST_FIELDS}
        data["nationality"] = guest.nationality or ""
        data["account_owner_id"] = str(guest.account_owner_id or "")
        data["version"] = guest.version
        return cls(formdata=None, data=data, **kwargs)

    def service_data(self) -> dict:
        """The profile fields on this form, as the guests service takes them."""
        data = {name: self[name].data for name in GUEST_FIELDS if name in self}
        if "account_owner_id" in data:
            data["account_owner_id"] = int(data["account_owner_id"]) if data["account_owner_id"] else None
        return data


def country_choices() -> list[tuple[str, str]]:
    names = Locale.parse(str(get_locale())).territories
    return sorted(
        ((code, f"{names.get(code, code)} ({code})") for code in normalise.countries()),
        key=lambda choice: choice[1],
    )


class ExternalIdForm(FlaskForm):
    system = StringField(_l("System"), description=_l("e.g. opera, mews, demo_pms"))
    external_id = StringField(_l("Id in that system"))


class PreferenceForm(FlaskForm):
    category = SelectField(_l("Category"))
    value = StringField(_l("Preference"), description=_l("What the guest wants, e.g. “Carrot juice”."))
    detail = TextAreaField(_l("Details"), description=_l("e.g. “A large glass in the fridge before arrival”."))
    property_code = SelectField(_l("Where"))
    source = SelectField(
        _l("Source"), choices=[(source, SOURCE_LABELS[source]) for source in PREFERENCE_SOURCES]
    )
    priority = SelectField(
        _l("Priority"),
        choices=[(priority, PRIORITY_LABELS[priority]) for priority in PREFERENCE_PRIORITIES],
        default="normal",
        description=_l("Allergies are always critical."),
    )
    alert_at_check_in = BooleanField(_l("Alert at check-in"))
    prepare_before_arrival = BooleanField(_l("Prepare before arrival"))

    def __init__(self, *args, categories=(), properties=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", "—")] + [(category.code, category_label(category)) for category in categories]
        self.property_code.choices = [("", _l("Whole chain"))] + [
            (prop.code, f"{prop.code} · {prop.name}") for prop in properties
        ]

    def service_data(self) -> dict:
        data = {name: self[name].data for name in (
            "category", "value", "detail", "property_code", "source", "priority",
            "alert_at_check_in", "prepare_before_arrival",
        )}
        data["property_code"] = _none_if_blank(data["property_code"])
        return data


class PreferenceEditForm(PreferenceForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])

    @classmethod
    def for_preference(cls, preference, **kwargs):
        data = {
            "category": preference.category.code,
            "value": preference.value,
            "detail": preference.detail,
            "property_code": preference.scope_property.code if preference.scope_property else "",
            "source": preference.source,
            "priority": preference.priority,
            "alert_at_check_in": preference.alert_at_check_in,
            "prepare_before_arrival": preference.prepare_before_arrival,
            "version": preference.version,
        }
        return cls(formdata=None, data=data, **kwargs)

    def __init__(self, *args, current_category=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A preference keeps its category after the category is deactivated.
        if current_category is not None and current_category.code not in dict(self.category.choices):
            self.category.choices.append((current_category.code, category_label(current_category)))


class SpecialDateForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(kind, SPECIAL_DATE_LABELS[kind]) for kind in SPECIAL_DATE_KINDS])
    date = DateField(_l("Date"), validators=[Optional()])
    label = StringField(_l("Label"), description=_l("e.g. “Wedding anniversary” or “Daughter's birthday”."))

    def service_data(self) -> dict:
        return {"kind": self.kind.data, "date": self.date.data, "label": self.label.data}


class CategoryForm(FlaskForm):
    code = StringField(
        _l("Code"),
        description=_l("Lower-case letters, digits and _, e.g. minibar. It cannot be changed later."),
    )
    name = StringField(_l("Name"))
    sort_order = IntegerField(
        _l("Sort order"), default=100, validators=[InputRequired()], description=_l("Smaller numbers come first.")
    )
    is_allergy = BooleanField(
        _l("Allergy category"), description=_l("Every preference in it is critical, whatever priority staff choose.")
    )
    active = BooleanField(
        _l("Active"), default=True, description=_l("Inactive categories are not offered for new preferences.")
    )
    department = SelectField(
        _l("Prepared by"), default="front_desk",
        choices=[(code, label) for code, label in DEPARTMENT_LABELS.items()],
        description=_l("The department that gets a task when a guest with such a preference is about to arrive."),
    )

    def service_data(self) -> dict:
        fields = ("code", "name", "sort_order", "is_allergy", "active", "department")
        return {name: self[name].data for name in fields if name in self}


class ConfirmForm(FlaskForm):
    """Only a CSRF token: the button is the confirmation."""


# The profile fields' labels, as the profile form shows them.
GUEST_FIELD_LABELS = {name: getattr(GuestForm, name).args[0] for name in GUEST_FIELDS}


class MergeForm(FlaskForm):
    """The compare page of two profiles: per field that differs, whose value survives (a radio
    field named like the profile field), both versions as read, and a confirmation."""

    survivor_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    merged_version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    confirm = BooleanField(
        _l("Both profiles are the same guest. Merge them; this cannot be undone."),
        validators=[DataRequired(message=_l("Tick this box to confirm the merge."))],
    )

    @classmethod
    def for_fields(cls, comparisons, **kwargs):
        """A form with a choice for each of `comparisons` (guestrel.guests.merge.FieldComparison)."""
        radios = {
            comparison.name: RadioField(GUEST_FIELD_LABELS[comparison.name], default=comparison.default,
                                        choices=[("survivor", _l("Keep")), ("merged", _l("Take"))])
            for comparison in comparisons
        }
        return type("MergeChoicesForm", (cls,), radios)(**kwargs)

    def choices(self, comparisons) -> dict:
        return {comparison.name: self[comparison.name].data for comparison in comparisons}
