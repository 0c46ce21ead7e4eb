"""Guest profiles: the guests themselves, their ids in other systems, finding them, and their
special dates. With guestrel.guests.preference_service (preferences and their categories), the
only code that writes the guests domain's tables.

Every operation takes the acting principal and plain data (dicts of field -> value, as the API
schemas and the browser forms produce them), checks the permission and the property it touches,
cleans the values, writes, records the audit entry in the same transaction and commits. A refusal
is one of the exceptions of guestrel.service_errors, importable from here too, and then nothing
is written.

The functions without a principal check of their own (insert_guest, apply_changes,
link_external_id, write_search_terms) are the steps of these operations for the domain's other
services (identity resolution, merging), which run several of them in one transaction.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from guestrel.audit import service as audit
from guestrel.auth.models import StaffUser
from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import normalise, search, signals
from guestrel.guests.models import SPECIAL_DATE_KINDS, Guest, GuestExternalId, GuestSearchTerm, SpecialDate
from guestrel.guests.operation import (
    GuestMergedError,  # noqa: F401  (part of this module's interface)
    clean,
    choice,
    refuse_merged,
    require,
    require_guest,
    text,
    transaction,
)
from guestrel.service_errors import (  # noqa: F401  (part of this module's interface)
    ConflictError,
    DuplicateError,
    InvalidDataError,
    NotFoundError,
    PermissionDeniedError,
)

GUEST_FIELDS = (
    "given_name", "family_name", "full_name", "salutation", "email", "phone", "birthday",
    "anniversary", "nationality", "language", "company", "vip_code", "member_number", "notes", "account_owner_id",
)
# Shown only to principals with guests:contact (housekeeping sees what a guest likes, not how
# to reach them, who they work for or who looks after them); the pages hide these fields, special
# dates included, and search_guests refuses to search by e-mail or phone without it.
CONTACT_FIELDS = ("email", "phone", "birthday", "anniversary", "notes", "company", "account_owner_id")
SEARCHED_FIELDS = {"given_name", "family_name", "full_name", "email", "member_number"}
PAGE_SIZE_MAX = 200
GUEST_CHANGED = _l("This guest was changed by someone else since you read it. Read it again and redo your change.")


@dataclass(frozen=True)
class GuestPage:
    items: list
    # The id to pass as `after` for the next page, None on the last page.
    next_after: int | None


def can_see_contact(principal: Principal) -> bool:
    return principal.can("guests:contact")


# -- guests -----------------------------------------------------------------------------------


def _account_owner(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or db.session.get(StaffUser, value) is None:
        raise normalise.FieldError(_("Choose a staff member as the account owner."))
    return value


def _guest_cleaners() -> dict:
    region = current_app.config["GUESTREL_DEFAULT_PHONE_REGION"]
    columns = Guest.__table__.c
    plain_text = ("given_name", "family_name", "full_name", "salutation", "company", "vip_code", "notes")
    cleaners = {field: text(columns[field]) for field in plain_text}
    cleaners.update(
        email=normalise.email,
        phone=lambda value: normalise.phone(value, region),
        birthday=normalise.past_date,
        anniversary=normalise.past_date,
        nationality=normalise.country,
        language=normalise.language,
        account_owner_id=_account_owner,
        member_number=normalise.member_number,
    )
    return cleaners


def _searched_phone(value) -> str:
    # Lenient: a number stored by an import before validation is still found by itself.
    return normalise.phone(value, current_app.config["GUESTREL_DEFAULT_PHONE_REGION"], strict=False)


def _require_name(guest: Guest):
    if not (guest.given_name or guest.family_name or guest.full_name):
        raise InvalidDataError({"given_name": [_("Enter the guest's name.")]})


def _load_guest(guest_id: int) -> Guest:
    guest = db.session.scalar(
        sa.select(Guest).options(selectinload(Guest.external_ids)).where(Guest.id == guest_id)
    )
    if guest is None:
        raise NotFoundError(_("There is no guest with this id."))
    refuse_merged(guest)
    return guest


def write_search_terms(guest: Guest):
    db.session.execute(sa.delete(GuestSearchTerm).where(GuestSearchTerm.guest_id == guest.id))
    terms = search.terms_for(guest.given_name, guest.family_name, guest.full_name, guest.email, guest.member_number)
    if terms:
        db.session.execute(sa.insert(GuestSearchTerm), [{"guest_id": guest.id, "term": t} for t in sorted(terms)])


def _refuse_taken_member_number(guest: Guest):
    if guest.member_number is None:
        return
    # Not flushed first: the unique index would refuse the change before this names the owner.
    with db.session.no_autoflush:
        owner = db.session.scalar(sa.select(Guest.id).where(Guest.member_number == guest.member_number,
                                                            Guest.id != guest.id))
    if owner is not None:
        raise DuplicateError(_("Guest %(id)d has this member number already.", id=owner), field="member_number")


# A concurrent writer took the id or number between the check and the insert.
TAKEN = _l("An external id or member number given here already belongs to another guest.")


def insert_guest(principal: Principal, data: dict) -> Guest:
    """create_guest's work, in the caller's transaction."""
    data = dict(data)
    external_ids = data.pop("external_ids", None) or []
    guest = Guest(**clean(data, _guest_cleaners()))
    _require_name(guest)
    _refuse_taken_member_number(guest)
    pairs = _clean_external_ids(external_ids)
    _refuse_taken_external_ids(pairs)
    guest.external_ids = [GuestExternalId(system=system, external_id=value) for system, value in pairs]
    db.session.add(guest)
    db.session.flush()
    write_search_terms(guest)
    after = audit.snapshot(guest, GUEST_FIELDS)
    after["external_ids"] = [f"{system}:{value}" for system, value in pairs] or None
    audit.record(principal, "create", "guest", guest.id, guest_id=guest.id, changes=audit.diff({}, after))
    return guest


def create_guest(principal: Principal, data: dict) -> Guest:
    """A new guest. `data` holds GUEST_FIELDS and optionally external_ids: [{system, external_id}]."""
    require(principal, "guests:write")
    with transaction(duplicate_message=str(TAKEN)):
        guest = insert_guest(principal, data)
    return _load_guest(guest.id)


def get_guest(principal: Principal, guest_id: int, *, audit_view: bool = True) -> Guest:
    """The guest with its external ids. Seeing a profile is recorded in the audit trail unless
    the caller just changed it (audit_view=False)."""
    require(principal, "guests:read")
    if audit_view:
        with transaction():
            require_guest(guest_id)
            audit.record(principal, "view", "guest", guest_id, guest_id=guest_id)
    return _load_guest(guest_id)


def valid_guest_values(data: dict) -> dict:
    """The values of `data` this service would store, in their stored form; those it would refuse
    are left out (data from another system fills what it can, and one bad phone number spoils
    nothing else)."""
    cleaners = _guest_cleaners()
    valid = {}
    for field, value in data.items():
        try:
            valid.update(clean({field: value}, cleaners))
        except InvalidDataError:
            continue
    return valid


def apply_changes(principal: Principal, guest: Guest, changes: dict) -> dict:
    """update_guest's work on a loaded guest, in the caller's transaction: the audited diff."""
    values = clean(dict(changes), _guest_cleaners())
    before = audit.snapshot(guest, GUEST_FIELDS)
    for field, value in values.items():
        setattr(guest, field, value)
    _require_name(guest)
    diff = audit.diff(before, audit.snapshot(guest, GUEST_FIELDS))
    if diff:
        if "member_number" in diff:
            _refuse_taken_member_number(guest)
        if SEARCHED_FIELDS & diff.keys():
            write_search_terms(guest)
        audit.record(principal, "update", "guest", guest.id, guest_id=guest.id, changes=diff)
    return diff


def update_guest(principal: Principal, guest_id: int, expected_version: int, changes: dict) -> Guest:
    """Apply `changes` (a subset of GUEST_FIELDS) if the guest is still at expected_version."""
    require(principal, "guests:write")
    with transaction(conflict_message=str(GUEST_CHANGED), duplicate_message=str(TAKEN)):
        guest = _load_guest(guest_id)
        if guest.version != expected_version:
            raise ConflictError(str(GUEST_CHANGED))
        apply_changes(principal, guest, changes)
    return _load_guest(guest_id)


def _searches_contact(q, email, phone) -> bool:
    # A word of `q` with an @ is matched against e-mail addresses (search.query_tokens).
    return any(value and value.strip() for value in (email, phone)) or "@" in (q or "")


def search_criteria(
    principal: Principal, *, q=None, email=None, phone=None, external_system=None, external_id=None, limit=50,
) -> dict:
    """The criteria other than `q` in their stored form, for search.search_statement, after
    the checks every search makes. Searching by e-mail or phone, `q` with an e-mail address
    included, needs guests:contact: who may not see them may not probe them."""
    require(principal, "guests:read")
    if _searches_contact(q, email, phone) and not can_see_contact(principal):
        raise PermissionDeniedError(_("You do not have permission to do this."))
    if not 1 <= limit <= PAGE_SIZE_MAX:
        raise InvalidDataError({"limit": [_("Ask for 1 to %(max)d guests.", max=PAGE_SIZE_MAX)]})
    criteria = {}
    if email and email.strip():
        criteria["email"] = email.strip().lower()
    if phone and phone.strip():
        criteria.update(clean({"phone": phone}, {"phone": _searched_phone}))
    if external_system and external_system.strip():
        criteria["external_system"] = external_system.strip().lower()
    if external_id and external_id.strip():
        criteria["external_id"] = external_id.strip()
        criteria.setdefault("external_system", tuple(db.session.scalars(search.external_systems_statement())))
    return criteria


def search_page(criteria: dict, limit: int, after: int | None = None) -> GuestPage:
    """A page of the guests meeting criteria checked by search_criteria: one statement."""
    statement = search.search_statement(db.engine.dialect.name, **criteria, after=after, limit=limit + 1)
    guests = db.session.scalars(statement).all()
    if len(guests) > limit:
        return GuestPage(items=guests[:limit], next_after=guests[limit - 1].id)
    return GuestPage(items=guests, next_after=None)


def search_guests(
    principal: Principal, *, q=None, email=None, phone=None, external_system=None, external_id=None,
    limit: int = 50, after: int | None = None,
) -> GuestPage:
    """Guests matching all given criteria, by id, a page at a time. `q` finds guests by the
    start of each word of their names, e-mail or member number, Chinese names also by pinyin;
    the others match exactly (phone numbers in any format). The search box
    (guestrel.guests.finder) reads `q` in more ways."""
    criteria = search_criteria(principal, q=q, email=email, phone=phone, external_system=external_system,
                               external_id=external_id, limit=limit)
    if q and q.strip():
        criteria["tokens"] = search.query_tokens(q)
        if not criteria["tokens"]:
            return GuestPage(items=[], next_after=None)
    return search_page(criteria, limit, after)


# -- external ids -----------------------------------------------------------------------------


def _clean_external_id(system, value) -> tuple[str, str]:
    cleaned = clean(
        {"system": system, "external_id": value},
        {"system": text(GuestExternalId.__table__.c.system, required=True),
         "external_id": text(GuestExternalId.__table__.c.external_id, required=True)},
    )
    # Systems are names like "opera" or "mews": one spelling, whatever a PMS sends.
    return cleaned["system"].lower(), cleaned["external_id"]


def _clean_external_ids(items) -> list[tuple[str, str]]:
    try:
        pairs = [_clean_external_id(item.get("system"), item.get("external_id")) for item in items]
    except InvalidDataError as error:
        raise InvalidDataError({"external_ids": [error.message]}) from error
    if len(set(pairs)) != len(pairs):
        raise InvalidDataError({"external_ids": [_("The same external id is given twice.")]})
    return pairs


def _refuse_taken_external_ids(pairs, guest_id: int | None = None, field="external_ids") -> list[GuestExternalId]:
    """The rows of `pairs` that exist already; DuplicateError if one belongs to another guest."""
    if not pairs:
        return []
    taken = db.session.scalars(sa.select(GuestExternalId).where(sa.or_(*(
        sa.and_(GuestExternalId.system == system, GuestExternalId.external_id == value) for system, value in pairs
    )))).all()
    for row in taken:
        if row.guest_id != guest_id:
            raise DuplicateError(
                _("The %(system)s id %(id)s already belongs to another guest.", system=row.system, id=row.external_id),
                field=field,
            )
    return taken


def find_by_external_id(principal: Principal, system: str, external_id: str, *, audit_view: bool = True) -> Guest:
    """The guest another system knows by this id; the view is audited like get_guest, unless
    the caller only links a record to the guest (audit_view=False)."""
    require(principal, "guests:read")
    guest_id = db.session.scalar(sa.select(GuestExternalId.guest_id).where(
        GuestExternalId.system == (system or "").strip().lower(),
        GuestExternalId.external_id == (external_id or "").strip(),
    ))
    if guest_id is None:
        raise NotFoundError(_("No guest has this external id."))
    return get_guest(principal, guest_id, audit_view=audit_view)


def link_external_id(principal: Principal, guest_id: int, system: str, external_id: str) -> GuestExternalId:
    """add_external_id's work, in the caller's transaction."""
    pair = _clean_external_id(system, external_id)
    existing = _refuse_taken_external_ids([pair], guest_id, field="external_id")
    if existing:
        return existing[0]
    row = GuestExternalId(guest_id=guest_id, system=pair[0], external_id=pair[1])
    db.session.add(row)
    db.session.flush()
    audit.record(principal, "create", "guest_external_id", row.id, guest_id=guest_id,
                 changes=audit.diff({}, audit.snapshot(row, ("system", "external_id"))))
    signals.announce(signals.guest_profile_changed, guest_id=guest_id)
    return row


def add_external_id(principal: Principal, guest_id: int, system: str, external_id: str) -> GuestExternalId:
    """Link the guest to its id in another system. Adding a link the guest has already is a no-op."""
    require(principal, "guests:write")
    system, external_id = _clean_external_id(system, external_id)
    with transaction(duplicate_message=_("This external id already belongs to another guest.")):
        require_guest(guest_id)
        row = link_external_id(principal, guest_id, system, external_id)
    return row


def remove_external_id(principal: Principal, guest_id: int, external_id_row_id: int):
    require(principal, "guests:write")
    with transaction():
        row = db.session.scalar(sa.select(GuestExternalId).where(
            GuestExternalId.id == external_id_row_id, GuestExternalId.guest_id == guest_id
        ))
        if row is None:
            raise NotFoundError(_("This guest has no such external id."))
        audit.record(principal, "delete", "guest_external_id", row.id, guest_id=guest_id,
                     changes=audit.diff(audit.snapshot(row, ("system", "external_id")), {}))
        db.session.delete(row)


# -- special dates ----------------------------------------------------------------------------

SPECIAL_DATE_FIELDS = ("kind", "date", "label")


def _special_date_cleaners() -> dict:
    return {
        "kind": choice(SPECIAL_DATE_KINDS),
        "date": normalise.any_date,
        "label": text(SpecialDate.__table__.c.label),
    }


def _check_special_date(special_date: SpecialDate):
    if special_date.date is None:
        raise InvalidDataError({"date": [_("Enter the date.")]})
    if special_date.kind in ("birthday", "anniversary"):
        try:
            normalise.past_date(special_date.date)
        except normalise.FieldError as error:
            raise InvalidDataError({"date": [str(error)]}) from error


def _load_special_date(guest_id: int, special_date_id: int) -> SpecialDate:
    special_date = db.session.scalar(sa.select(SpecialDate).where(
        SpecialDate.id == special_date_id, SpecialDate.guest_id == guest_id
    ))
    if special_date is None:
        raise NotFoundError(_("This guest has no such special date."))
    return special_date


def list_special_dates(principal: Principal, guest_id: int) -> list[SpecialDate]:
    require(principal, "guests:read")
    require(principal, "guests:contact")
    require_guest(guest_id)
    return db.session.scalars(
        sa.select(SpecialDate).where(SpecialDate.guest_id == guest_id).order_by(SpecialDate.date, SpecialDate.id)
    ).all()


def add_special_date(principal: Principal, guest_id: int, data: dict) -> SpecialDate:
    """A birthday, anniversary or other occasion: `data` holds kind, date and optionally label."""
    require(principal, "guests:write")
    with transaction():
        require_guest(guest_id)
        values = clean(dict(data), _special_date_cleaners())
        if "kind" not in values:
            raise InvalidDataError({"kind": [_("This field is required.")]})
        special_date = SpecialDate(guest_id=guest_id, **values)
        _check_special_date(special_date)
        db.session.add(special_date)
        db.session.flush()
        audit.record(principal, "create", "special_date", special_date.id, guest_id=guest_id,
                     changes=audit.diff({}, audit.snapshot(special_date, SPECIAL_DATE_FIELDS)))
    return special_date


def update_special_date(principal: Principal, guest_id: int, special_date_id: int, changes: dict) -> SpecialDate:
    require(principal, "guests:write")
    with transaction():
        special_date = _load_special_date(guest_id, special_date_id)
        values = clean(dict(changes), _special_date_cleaners())
        before = audit.snapshot(special_date, SPECIAL_DATE_FIELDS)
        for field, value in values.items():
            setattr(special_date, field, value)
        _check_special_date(special_date)
        diff = audit.diff(before, audit.snapshot(special_date, SPECIAL_DATE_FIELDS))
        if diff:
            audit.record(principal, "update", "special_date", special_date.id, guest_id=guest_id, changes=diff)
    return special_date


def delete_special_date(principal: Principal, guest_id: int, special_date_id: int):
    require(principal, "guests:write")
    with transaction():
        special_date = _load_special_date(guest_id, special_date_id)
        audit.record(principal, "delete", "special_date", special_date.id, guest_id=guest_id,
                     changes=audit.diff(audit.snapshot(special_date, SPECIAL_DATE_FIELDS), {}))
        db.session.delete(special_date)
