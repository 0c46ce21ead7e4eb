"""What every browser form shares: a service's refusal shown on the form that caused it."""
from guestrel.service_errors import GENERAL, DuplicateError, InvalidDataError, ServiceError

# The refusals the user can correct on the form and submit again. The others (no such record,
# not allowed) become an error page (guestrel.errors), unless the page handles them itself.
FORM_ERRORS = (InvalidDataError, DuplicateError)


def show_errors(form, error: ServiceError, field_names: dict | None = None):
    """The refusal's messages under the fields they name, the rest above the form (form_errors in
    _forms.html). `field_names` maps the service's field names to the form's where they differ."""
    for field, messages in (error.errors or {GENERAL: [error.message]}).items():
        name = (field_names or {}).get(field, field)
        if name != GENERAL and name in form and name != "csrf_token":
            form[name].errors = [*form[name].errors, *messages]
        else:
            form.form_errors.extend(messages)
