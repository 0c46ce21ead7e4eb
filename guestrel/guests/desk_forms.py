"""The quick capture of a preference on the profile page, while the guest is talking: a category
chip, what they want, save. Everything else takes the defaults of a preference recorded by
staff; the full form on the same page sets the rest."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, ValidationError


class QuickPreferenceForm(FlaskForm):
    # Plain text, not a choice: the page offers the active categories as chips, and the guests
    # service names an unknown or inactive one in its own words.
    category = StringField(_l("Category"))
    value = StringField(_l("What the guest wants"))
    # "" for the whole chain, or the code of one of the user's hotels.
    property_code = StringField(_l("Where"))
    alert_at_check_in = BooleanField(_l("Alert at check-in"))
    prepare_before_arrival = BooleanField(_l("Prepare before arrival"))

    def __init__(self, *args, hotels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hotels = list(hotels)

    def validate_property_code(self, field):
        if (field.data or "") not in {""} | {hotel.code for hotel in self.hotels}:
            raise ValidationError(_l("Choose the whole chain or one of your hotels."))

    def service_data(self) -> dict:
        return {
            "category": self.category.data,
            "value": self.value.data,
            "property_code": self.property_code.data or None,
            "alert_at_check_in": self.alert_at_check_in.data,
            "prepare_before_arrival": self.prepare_before_arrival.data,
        }
