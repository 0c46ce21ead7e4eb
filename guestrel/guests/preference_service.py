"""What guests like: preferences and their categories. The only code that writes those tables.

Operations follow guestrel.guests.service: principal plus plain data in, the exceptions of
guestrel.service_errors out. A preference scoped to a property is invisible to principals
that do not cover it; preferences are retired, never deleted.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import contains_eager, lazyload, load_only, selectinload

from guestrel.audit import service as audit
from guestrel.auth.models import ApiClient, StaffUser
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import normalise, signals
from guestrel.guests.models import (
    DEPARTMENTS,
    PREFERENCE_PRIORITIES,
    PREFERENCE_SOURCES,
    Preference,
    PreferenceCategory,
)
from guestrel.guests.operation import (
    boolean,
    choice,
    clean,
    integer,
    require,
    require_guest,
    require_property,
    text,
    transaction,
)
from guestrel.properties import service as properties_service
from guestrel.service_errors import ConflictError, DuplicateError, InvalidDataError, NotFoundError

# The default categories (migration 0002), named here so their names are translated. Their code
# and stored English name are fixed; admins reorder or deactivate them, or add categories.
CATEGORY_LABELS = {
    "food_and_drink": _l("Food and drink"),
    "room": _l("Room"),
    "bed_and_pillow": _l("Bed and pillow"),
    "floor_and_view": _l("Floor and view"),
    "temperature": _l("Temperature"),
    "amenities": _l("Amenities"),
    "dietary_and_allergy": _l("Dietary and allergy"),
    "service": _l("Service"),
    "communication": _l("Communication"),
    "other": _l("Other"),
}
DEPARTMENT_LABELS = {
    "housekeeping": _l("Housekeeping"),
    "food_and_beverage": _l("Food and beverage"),
    "front_desk": _l("Front desk"),
}
CATEGORY_FIELDS = ("code", "name", "sort_order", "is_allergy", "active", "department")
CATEGORY_CODE_CHARACTERS = set("abcdefghijklmnopqrstuvwxyz0123456789_")
SORT_ORDER_MAX = 100_000
PREFERENCE_CHANGED = _l(
    "This preference was changed by someone else since you read it. Read it again and redo your change."
)
PREFERENCE_FIELDS = (
    "category", "value", "detail", "property_code", "source", "alert_at_check_in",
    "prepare_before_arrival", "priority", "last_confirmed_at", "retired_at",
)


def department_label(department: str) -> str:
    return str(DEPARTMENT_LABELS[department])


def category_label(category: PreferenceCategory) -> str:
    """The category's name in the user's language: the translation for the default categories,
    the stored name for those an admin added."""
    label = CATEGORY_LABELS.get(category.code)
    return str(label) if label is not None else category.name


# -- categories -------------------------------------------------------------------------------


def _category_code(value) -> str:
    code = normalise.required_text(value, PreferenceCategory.__table__.c.code.type.length).lower()
    if not set(code) <= CATEGORY_CODE_CHARACTERS or not code[0].isalpha():
        raise normalise.FieldError(_("Use lower-case letters, digits and _, starting with a letter."))
    return code


def _category_cleaners() -> dict:
    return {
        "code": _category_code,
        "name": text(PreferenceCategory.__table__.c.name, required=True),
        "sort_order": integer(0, SORT_ORDER_MAX),
        "is_allergy": boolean,
        "active": boolean,
        "department": choice(DEPARTMENTS),
    }


def _code_taken(code: str) -> DuplicateError:
    return DuplicateError(_("Another category already has the code %(code)s.", code=code), field="code")


def list_categories(principal: Principal, *, include_inactive: bool = False) -> list[PreferenceCategory]:
    require(principal, "guests:read")
    query = sa.select(PreferenceCategory).order_by(PreferenceCategory.sort_order, PreferenceCategory.id)
    if not include_inactive:
        query = query.where(PreferenceCategory.active.is_(True))
    return db.session.scalars(query).all()


def _load_category(category_id: int) -> PreferenceCategory:
    category = db.session.get(PreferenceCategory, category_id)
    if category is None:
        raise NotFoundError(_("There is no such preference category."))
    return category


def get_category(principal: Principal, category_id: int) -> PreferenceCategory:
    require(principal, "guests:read")
    return _load_category(category_id)


def create_category(principal: Principal, data: dict) -> PreferenceCategory:
    """`data` holds code and name, optionally sort_order, is_allergy, active and department (who
    prepares its preferences before arrival; the front desk unless said)."""
    require(principal, "categories:admin")
    values = {"sort_order": 100, "is_allergy": False, "active": True, "department": "front_desk", **data}
    with transaction(duplicate_message=_("Another category already has this code.")):
        category = PreferenceCategory(**clean(values, _category_cleaners()))
        if category.code is None or category.name is None:
            raise InvalidDataError({field: [_("This field is required.")] for field in ("code", "name")
                                    if getattr(category, field) is None})
        if db.session.scalar(sa.select(PreferenceCategory.id).where(PreferenceCategory.code == category.code)):
            raise _code_taken(category.code)
        db.session.add(category)
        db.session.flush()
        audit.record(principal, "create", "preference_category", category.id,
                     changes=audit.diff({}, audit.snapshot(category, CATEGORY_FIELDS)))
    return category


def _refuse_renaming_default(category: PreferenceCategory, values: dict):
    """A default category is shown by its translated label: a new name or code would be lost."""
    if category.code not in CATEGORY_LABELS:
        return
    message = _("A default category keeps its code and name. Add a new category instead.")
    errors = {field: [message] for field in ("code", "name")
              if field in values and values[field] != getattr(category, field)}
    if errors:
        raise InvalidDataError(errors)


def update_category(principal: Principal, category_id: int, changes: dict) -> PreferenceCategory:
    """Rename, reorder, (de)activate a category, or give its pre-arrival tasks to another
    department. Categories are deactivated, never deleted: old preferences keep theirs. Making
    a category an allergy one makes its preferences critical."""
    require(principal, "categories:admin")
    with transaction(duplicate_message=_("Another category already has this code.")):
        category = _load_category(category_id)
        values = clean(dict(changes), _category_cleaners())
        _refuse_renaming_default(category, values)
        if values.get("code", category.code) != category.code and db.session.scalar(
            sa.select(PreferenceCategory.id).where(PreferenceCategory.code == values["code"])
        ):
            raise _code_taken(values["code"])
        before = audit.snapshot(category, CATEGORY_FIELDS)
        for field, value in values.items():
            setattr(category, field, value)
        diff = audit.diff(before, audit.snapshot(category, CATEGORY_FIELDS))
        if diff.get("is_allergy") == [False, True]:
            db.session.execute(
                sa.update(Preference)
                .where(Preference.category_id == category.id, Preference.priority != "critical")
                .values(priority="critical", version=Preference.version + 1)
                .execution_options(synchronize_session=False)
            )
        if diff:
            audit.record(principal, "update", "preference_category", category.id, changes=diff)
    return category


# -- preferences ------------------------------------------------------------------------------


def _visible_preferences(principal: Principal) -> sa.Select:
    """Preferences with what their output shows loaded, limited to the principal's properties."""
    query = (
        sa.select(Preference)
        .join(Preference.category)
        .options(
            contains_eager(Preference.category),
            selectinload(Preference.recorded_by_staff).options(
                load_only(StaffUser.name), lazyload(StaffUser.properties)
            ),
            selectinload(Preference.recorded_by_client).options(
                load_only(ApiClient.name), lazyload(ApiClient.properties)
            ),
        )
    )
    if principal.property_ids is not None:
        query = query.where(sa.or_(
            Preference.property_id.is_(None), Preference.property_id.in_(principal.property_ids)
        ))
    return query


def _load_preference(principal: Principal, guest_id: int, preference_id: int) -> Preference:
    preference = db.session.scalar(_visible_preferences(principal).where(
        Preference.id == preference_id, Preference.guest_id == guest_id
    ))
    if preference is None:
        raise NotFoundError(_("This guest has no such preference."))
    return preference


def _category_by_code(value, current: PreferenceCategory | None = None) -> PreferenceCategory:
    code = (value or "").strip().lower() if isinstance(value, str) else None
    if current is not None and code == current.code:
        return current
    category = db.session.scalar(sa.select(PreferenceCategory).where(
        PreferenceCategory.code == code, PreferenceCategory.active.is_(True)
    )) if code else None
    if category is None:
        raise normalise.FieldError(_("Choose one of the preference categories."))
    return category


def _property_by_code(value):
    code = normalise.text(value, 16)
    if code is None:
        return None
    try:
        return properties_service.get_by_codes([code])[0]
    except NotFoundError as error:
        raise normalise.FieldError(_("There is no hotel with the code %(code)s.", code=code.upper())) from error


def _preference_cleaners(current: PreferenceCategory | None = None) -> dict:
    columns = Preference.__table__.c
    return {
        "category": lambda value: _category_by_code(value, current),
        "value": text(columns.value, required=True),
        "detail": text(columns.detail),
        "property_code": _property_by_code,
        "source": choice(PREFERENCE_SOURCES),
        "alert_at_check_in": boolean,
        "prepare_before_arrival": boolean,
        "priority": choice(PREFERENCE_PRIORITIES),
    }


def _apply(preference: Preference, values: dict):
    for field, value in values.items():
        setattr(preference, "scope_property" if field == "property_code" else field, value)
    # Nobody may miss an allergy, whatever priority the caller chose.
    if preference.category.is_allergy:
        preference.priority = "critical"


def _snapshot(preference: Preference) -> dict:
    fields = [field for field in PREFERENCE_FIELDS if field not in ("category", "property_code")]
    values = audit.snapshot(preference, fields)
    values["category"] = preference.category.code
    values["property_code"] = preference.scope_property.code if preference.scope_property else None
    return values


def _scope_id(preference: Preference) -> int | None:
    return preference.scope_property.id if preference.scope_property else None


def list_preferences(principal: Principal, guest_id: int, *, include_retired: bool = False) -> list[Preference]:
    """The guest's preferences the principal may see, by category."""
    require(principal, "guests:read")
    require_guest(guest_id)
    query = _visible_preferences(principal).where(Preference.guest_id == guest_id)
    if not include_retired:
        query = query.where(Preference.retired_at.is_(None))
    return db.session.scalars(query.order_by(PreferenceCategory.sort_order, Preference.id)).all()


def get_preference(principal: Principal, guest_id: int, preference_id: int) -> Preference:
    require(principal, "guests:read")
    return _load_preference(principal, guest_id, preference_id)


def add_preference(principal: Principal, guest_id: int, data: dict) -> Preference:
    """Remember something the guest likes. `data`: category (a code) and value, optionally
    detail, property_code (None: the whole chain), source, alert_at_check_in,
    prepare_before_arrival, priority. Who recorded it comes from the principal."""
    require(principal, "guests:write")
    values = {
        "property_code": None,
        "source": "staff" if principal.staff_id is not None else "pms",
        "alert_at_check_in": False,
        "prepare_before_arrival": False,
        "priority": "normal",
        **data,
    }
    with transaction():
        require_guest(guest_id)
        values = clean(values, _preference_cleaners())
        missing = [field for field in ("category", "value") if field not in values]
        if missing:
            raise InvalidDataError({field: [_("This field is required.")] for field in missing})
        require_property(principal, values["property_code"].id if values["property_code"] else None)
        preference = Preference(
            guest_id=guest_id,
            recorded_by_staff_id=principal.staff_id,
            recorded_by_client_id=principal.api_client_id,
            recorded_at=utcnow(),
        )
        _apply(preference, values)
        db.session.add(preference)
        db.session.flush()
        audit.record(principal, "create", "preference", preference.id, guest_id=guest_id,
                     property_id=_scope_id(preference), changes=audit.diff({}, _snapshot(preference)))
        signals.announce(signals.guest_profile_changed, guest_id=guest_id)
    return _load_preference(principal, guest_id, preference.id)


def update_preference(
    principal: Principal, guest_id: int, preference_id: int, expected_version: int, changes: dict
) -> Preference:
    """Change a preference still at expected_version. Retired preferences stay as they were."""
    require(principal, "guests:write")
    with transaction(conflict_message=str(PREFERENCE_CHANGED)):
        preference = _load_preference(principal, guest_id, preference_id)
        if preference.version != expected_version:
            raise ConflictError(str(PREFERENCE_CHANGED))
        if preference.retired_at is not None:
            raise InvalidDataError.general(_("This preference is retired. Record a new one instead."))
        values = clean(dict(changes), _preference_cleaners(preference.category))
        if "property_code" in values:
            require_property(principal, values["property_code"].id if values["property_code"] else None)
        before = _snapshot(preference)
        _apply(preference, values)
        diff = audit.diff(before, _snapshot(preference))
        if diff:
            audit.record(principal, "update", "preference", preference.id, guest_id=guest_id,
                         property_id=_scope_id(preference), changes=diff)
            signals.announce(signals.guest_profile_changed, guest_id=guest_id)
    return _load_preference(principal, guest_id, preference_id)


def confirm_preference(principal: Principal, guest_id: int, preference_id: int) -> Preference:
    """The guest confirmed it still holds: staff trust a recently confirmed preference more."""
    require(principal, "guests:write")
    with transaction(conflict_message=str(PREFERENCE_CHANGED)):
        preference = _load_preference(principal, guest_id, preference_id)
        if preference.retired_at is not None:
            raise InvalidDataError.general(_("This preference is retired. Record a new one instead."))
        before = _snapshot(preference)
        preference.last_confirmed_at = utcnow()
        audit.record(principal, "update", "preference", preference.id, guest_id=guest_id,
                     property_id=_scope_id(preference), changes=audit.diff(before, _snapshot(preference)))
    return _load_preference(principal, guest_id, preference_id)


def retire_preference(principal: Principal, guest_id: int, preference_id: int) -> Preference:
    """The preference no longer holds. It stays in the guest's history; retiring twice changes nothing."""
    require(principal, "guests:write")
    with transaction(conflict_message=str(PREFERENCE_CHANGED)):
        preference = _load_preference(principal, guest_id, preference_id)
        if preference.retired_at is None:
            before = _snapshot(preference)
            preference.retired_at = utcnow()
            audit.record(principal, "retire", "preference", preference.id, guest_id=guest_id,
                         property_id=_scope_id(preference), changes=audit.diff(before, _snapshot(preference)))
            signals.announce(signals.guest_profile_changed, guest_id=guest_id)
    return _load_preference(principal, guest_id, preference_id)
