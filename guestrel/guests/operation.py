"""The steps every guests-domain operation shares: the permission check, cleaning the caller's
values into their stored form, and one transaction that commits the change with its audit entry
or rolls all of it back."""
from contextlib import contextmanager

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise
from guestrel.guests.models import Guest
from guestrel.service_errors import (
    ConflictError,
    DuplicateError,
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
)

# Free-text columns have no length in the schema; this keeps one note from filling a page.
LONG_TEXT_MAX = 10_000


def require(principal: Principal | None, permission: str):
    if principal is None or not principal.can(permission):
        raise PermissionDeniedError(_("You do not have permission to do this."))


def require_property(principal: Principal, property_id: int | None):
    if not principal.covers_property(property_id):
        raise PermissionDeniedError(_("You may only record this for your own hotels."))


@contextmanager
def transaction(conflict_message=None, duplicate_message=None):
    """Commit what the block wrote; on any refusal or error roll all of it back."""
    try:
        yield
        db.session.commit()
    except StaleDataError as error:
        # Another request updated the row between our read and our write.
        db.session.rollback()
        raise ConflictError(conflict_message or _("This was changed by someone else.")) from error
    except IntegrityError as error:
        db.session.rollback()
        if duplicate_message is None:
            raise
        raise DuplicateError(duplicate_message) from error
    except BaseException:
        db.session.rollback()
        raise


def clean(values: dict, cleaners: dict) -> dict:
    """The values in their stored form, or InvalidDataError naming every refused field."""
    cleaned, errors = {}, {}
    for field, value in values.items():
        cleaner = cleaners.get(field)
        if cleaner is None:
            errors[field] = [_("This field cannot be set here.")]
            continue
        try:
            cleaned[field] = cleaner(value)
        except normalise.FieldError as error:
            errors[field] = [str(error)]
    if errors:
        raise InvalidDataError(errors)
    return cleaned


def text(column, required=False):
    """A cleaner for a text column, with the column's length as the limit."""
    max_length = column.type.length or LONG_TEXT_MAX
    if required:
        return lambda value: normalise.required_text(value, max_length)
    return lambda value: normalise.text(value, max_length)


def boolean(value) -> bool:
    if not isinstance(value, bool):
        raise normalise.FieldError(_("Choose yes or no."))
    return value


def integer(minimum: int, maximum: int):
    def clean_integer(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
            raise normalise.FieldError(_("Enter a whole number from %(min)d to %(max)d.", min=minimum, max=maximum))
        return value

    return clean_integer


def choice(choices):
    def clean_choice(value):
        if value not in choices:
            raise normalise.FieldError(_("Choose one of: %(choices)s.", choices=", ".join(choices)))
        return value

    return clean_choice


class GuestMergedError(NotFoundError):
    """The guest was merged into another: the old id answers as not found, naming the survivor."""

    def __init__(self, guest_id: int, survivor_id: int):
        super().__init__(_("Guest %(id)d was merged into guest %(survivor)d.", id=guest_id, survivor=survivor_id))
        self.guest_id = guest_id
        self.survivor_id = survivor_id


def refuse_merged(guest: Guest):
    if guest.merged_into_id is not None:
        raise GuestMergedError(guest.id, guest.merged_into_id)


def require_guest(guest_id: int):
    """The guest exists and is not merged into another (GuestMergedError then)."""
    row = db.session.execute(sa.select(Guest.merged_into_id).where(Guest.id == guest_id)).first()
    if row is None:
        raise NotFoundError(_("There is no guest with this id."))
    if row.merged_into_id is not None:
        raise GuestMergedError(guest_id, row.merged_into_id)
