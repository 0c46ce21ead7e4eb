"""Staff accounts and API clients: the only code that writes their tables.

Operations that take a `principal` check it against the properties, roles and scopes involved
and write an audit entry. `create_staff` and `create_api_client` also accept no principal, for
internal callers such as test fixtures and seeding: then nothing is checked or audited.
A refusal is an InvalidDataError (a value) or a PermissionDeniedError (properties, roles or
scopes beyond the principal's own) of guestrel.service_errors.
"""
import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from guestrel.audit import service as audit
from guestrel.auth.models import ROLES, ApiClient, StaffUser, api_client_properties, staff_properties
from guestrel.auth.passwords import hash_password, needs_rehash, verify_password
from guestrel.auth.permissions import PERMISSIONS, Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.properties import service as properties_service
from guestrel.service_errors import InvalidDataError, NotFoundError, PermissionDeniedError

API_KEY_PREFIX = "grl"
MIN_PASSWORD_LENGTH = 10
NAME_MAX_LENGTH = 200
EMAIL_MAX_LENGTH = 254
# Deliverability is not checked: staff e-mails are sign-in names, and may be on internal domains.
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
# What the audit trail shows for a password change: that it happened, never a hash.
PASSWORD_CHANGED = "(changed)"
STAFF_FIELDS = ("name", "role", "properties", "locale", "active", "password")

# The operator at the server's command line: every permission, the whole chain, no account.
OPERATOR = Principal(permissions=frozenset(PERMISSIONS), property_ids=None)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


# Signing in


def authenticate_staff(email: str, password: str) -> StaffUser | None:
    """The active staff member with this e-mail and password, else None, whatever was wrong."""
    staff = db.session.execute(
        db.select(StaffUser).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()
    if not verify_password(staff.password_hash if staff else None, password) or not staff.active:
        return None
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
        db.session.commit()
    return staff


def record_login(staff: StaffUser):
    staff.last_login_at = utcnow()
    audit.record(Principal.for_staff(staff), "login", "staff", staff.id)
    db.session.commit()


def change_own_password(staff: StaffUser, current_password: str, new_password: str):
    """Ends the staff member's other sessions: the caller signs the current one in again."""
    if not verify_password(staff.password_hash, current_password):
        raise InvalidDataError({"current_password": [_("The current password is wrong.")]})
    _check_password(new_password, "new_password")
    _set_password(staff, new_password)
    audit.record(
        Principal.for_staff(staff), "update", "staff", staff.id,
        changes={"password": [PASSWORD_CHANGED, PASSWORD_CHANGED]},
    )
    db.session.commit()


def set_own_locale(staff: StaffUser, locale: str | None):
    """None or "": follow the browser's language."""
    staff.locale = _checked_locale(locale)
    db.session.commit()


# Checks shared by staff and API clients


def _check_password(password: str, field="password"):
    if len(password or "") < MIN_PASSWORD_LENGTH:
        message = _("The password must have at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)
        raise InvalidDataError({field: [message]})


def _set_password(staff: StaffUser, password: str):
    staff.password_hash = hash_password(password)
    staff.session_token = new_session_token()


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidDataError({"name": [_("Enter a name.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidDataError({"name": [_("Use at most %(max)d characters.", max=NAME_MAX_LENGTH)]})
    return name


def _checked_email(email: str) -> str:
    email = normalise_email(email or "")
    if len(email) > EMAIL_MAX_LENGTH or not EMAIL_PATTERN.fullmatch(email):
        raise InvalidDataError({"email": [_("Enter an e-mail address such as name@hotel.com.")]})
    return email


def _checked_locale(locale: str | None) -> str | None:
    if not locale:
        return None
    if locale not in current_app.config["GUESTREL_LANGUAGES"]:
        raise InvalidDataError({"locale": [_("Unknown language: %(locale)s.", locale=locale)]})
    return locale


def _check_properties_in_scope(principal: Principal, properties, message: str):
    """A principal bound to some hotels only hands out access to those hotels, never chain-wide
    access (no properties) that it does not have itself."""
    if principal.property_ids is None:
        return
    if not properties or any(p.id not in principal.property_ids for p in properties):
        raise PermissionDeniedError(message)


def properties_by_code(codes) -> list:
    try:
        return properties_service.get_by_codes(codes)
    except NotFoundError as error:
        # An unknown code is a wrong value in the list given, not a missing record: 422, not 404.
        raise InvalidDataError({"properties": [error.message]}) from error


def _codes(properties) -> list[str]:
    return [p.code for p in properties]


# Staff


def _staff_snapshot(staff: StaffUser) -> dict:
    snapshot = audit.snapshot(staff, ("email", "name", "role", "locale", "active"))
    snapshot["properties"] = _codes(staff.properties)
    return snapshot


def _check_role(role: str):
    if role not in ROLES:
        raise InvalidDataError({"role": [_("Unknown role: %(role)s.", role=role)]})


def _check_staff_scope(principal: Principal, role: str, properties):
    if principal.property_ids is not None and role == "admin":
        raise PermissionDeniedError(_("Only chain-wide accounts may manage administrators."))
    _check_properties_in_scope(principal, properties, _("You may only manage staff of your own properties."))


def _duplicate_email(email: str) -> InvalidDataError:
    # A DuplicateError would answer 409; the staff API answers a taken e-mail with 422, like the
    # other refused values of the form.
    return InvalidDataError({"email": [_("A staff member with the e-mail %(email)s already exists.", email=email)]})


def create_staff(*, email, name, password, role, properties=(), locale=None, principal=None) -> StaffUser:
    email = _checked_email(email)
    properties = list(properties)
    name = _checked_name(name)
    _check_role(role)
    locale = _checked_locale(locale)
    _check_password(password)
    if principal is not None:
        _check_staff_scope(principal, role, properties)
    if db.session.execute(db.select(StaffUser.id).filter_by(email=email)).first():
        raise _duplicate_email(email)
    staff = StaffUser(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        active=True,
        session_token=new_session_token(),
        properties=properties,
    )
    db.session.add(staff)
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request took the e-mail between our check and our insert.
        db.session.rollback()
        raise _duplicate_email(email) from error
    if principal is not None:
        audit.record(principal, "create", "staff", staff.id, changes=audit.diff({}, _staff_snapshot(staff)))
    db.session.commit()
    return staff


def update_staff(principal: Principal, staff: StaffUser, changes: dict) -> StaffUser:
    """`changes` holds any of STAFF_FIELDS; properties as Property rows, password None or "" for
    no change. A new password, a new role or disabling ends the staff member's sessions."""
    unknown = set(changes) - set(STAFF_FIELDS)
    if unknown:
        raise InvalidDataError({field: [_("This field cannot be changed.")] for field in sorted(unknown)})
    values = dict(changes)
    if "name" in values:
        values["name"] = _checked_name(values["name"])
    if "role" in values:
        _check_role(values["role"])
    if "locale" in values:
        values["locale"] = _checked_locale(values["locale"])
    if values.get("password"):
        _check_password(values["password"])
    _check_staff_scope(principal, staff.role, staff.properties)
    _check_staff_scope(principal, values.get("role", staff.role), values.get("properties", staff.properties))
    if principal.staff_id == staff.id:
        if values.get("role", staff.role) != staff.role:
            raise InvalidDataError({"role": [_("You cannot change your own role.")]})
        if values.get("active", staff.active) is False:
            raise InvalidDataError({"active": [_("You cannot disable your own account.")]})

    before = _staff_snapshot(staff)
    for field in ("name", "role", "locale", "active", "properties"):
        if field in values:
            setattr(staff, field, values[field])
    after = _staff_snapshot(staff)
    difference = audit.diff(before, after)
    ends_sessions = before["role"] != after["role"] or before["active"] != after["active"]
    if values.get("password"):
        staff.password_hash = hash_password(values["password"])
        difference["password"] = [PASSWORD_CHANGED, PASSWORD_CHANGED]
        ends_sessions = True
    if ends_sessions:
        staff.session_token = new_session_token()
    if difference:
        audit.record(principal, "update", "staff", staff.id, changes=difference)
    db.session.commit()
    return staff


def _visible_staff(principal: Principal):
    query = db.select(StaffUser)
    if principal.property_ids is not None:
        works_here = db.select(staff_properties.c.staff_id).where(
            staff_properties.c.property_id.in_(principal.property_ids)
        )
        query = query.where(StaffUser.id.in_(works_here))
    return query


def list_staff(principal: Principal) -> list[StaffUser]:
    query = _visible_staff(principal).order_by(StaffUser.name, StaffUser.id)
    return list(db.session.execute(query).scalars())


def staff_page(principal: Principal, *, limit: int, after: int | None = None) -> tuple[list[StaffUser], int | None]:
    """`limit` staff by id after the id `after`, and the id to continue after (None at the end)."""
    query = _visible_staff(principal).order_by(StaffUser.id).limit(limit + 1)
    if after is not None:
        query = query.where(StaffUser.id > after)
    rows = list(db.session.execute(query).scalars())
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def get_staff(principal: Principal, staff_id: int) -> StaffUser | None:
    """None also for staff the principal may not see: the two are never told apart."""
    query = _visible_staff(principal).where(StaffUser.id == staff_id)
    return db.session.execute(query).scalar_one_or_none()


# API clients


def _hash_key(key: str) -> str:
    # API keys are 256-bit random values: a fast hash is safe for them, unlike passwords.
    return hashlib.sha256(key.encode()).hexdigest()


def generate_api_key() -> tuple[str, str, str]:
    """A new key, its public prefix (to find the client) and the hash stored for it."""
    prefix = secrets.token_hex(4)
    key = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    return key, prefix, _hash_key(key)


def authenticate_api_key(key: str) -> ApiClient | None:
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    client = db.session.execute(db.select(ApiClient).filter_by(key_prefix=parts[1])).scalar_one_or_none()
    if client is None or client.is_revoked:
        return None
    if not hmac.compare_digest(client.key_hash, _hash_key(key)):
        return None
    _touch(client)
    return client


def _touch(client: ApiClient):
    now = utcnow()
    interval = timedelta(seconds=current_app.config["GUESTREL_API_CLIENT_TOUCH_SECONDS"])
    if client.last_used_at is None or now - client.last_used_at >= interval:
        # A plain UPDATE: no read-modify-write of the client row, no clash with an admin editing it.
        db.session.execute(db.update(ApiClient).where(ApiClient.id == client.id).values(last_used_at=now))
        db.session.commit()


def _check_scopes(principal: Principal | None, scopes):
    if not scopes:
        raise InvalidDataError({"scopes": [_("Choose at least one scope.")]})
    unknown = sorted(set(scopes) - set(PERMISSIONS))
    if unknown:
        raise InvalidDataError({"scopes": [_("Unknown scope: %(scopes)s.", scopes=", ".join(unknown))]})
    if principal is not None and not set(scopes) <= principal.permissions:
        raise PermissionDeniedError(_("You may only give scopes you hold yourself."))


def create_api_client(*, name, scopes, properties=(), created_by_id=None, principal=None) -> tuple[ApiClient, str]:
    """The new client and its key. The key is returned this once and never stored."""
    name = _checked_name(name)
    properties = list(properties)
    _check_scopes(principal, scopes)
    if principal is not None:
        _check_properties_in_scope(
            principal, properties, _("You may only create API clients for your own properties.")
        )
        created_by_id = created_by_id or principal.staff_id
    key, prefix, key_hash = generate_api_key()
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=key_hash,
        scopes=sorted(set(scopes)),
        properties=properties,
        created_by_id=created_by_id,
    )
    db.session.add(client)
    db.session.flush()
    if principal is not None:
        snapshot = {"name": client.name, "scopes": client.scopes, "properties": _codes(properties)}
        audit.record(principal, "create", "api_client", client.id, changes=audit.diff({}, snapshot))
    db.session.commit()
    return client, key


def revoke_api_client(principal: Principal, client: ApiClient) -> ApiClient:
    """The key stops working at once. Revoking a revoked client changes nothing."""
    _check_properties_in_scope(
        principal, client.properties, _("You may only revoke API clients of your own properties.")
    )
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        audit.record(principal, "revoke", "api_client", client.id)
        db.session.commit()
    return client


def _visible_clients(principal: Principal):
    query = db.select(ApiClient).options(selectinload(ApiClient.created_by))
    if principal.property_ids is not None:
        serves_here = db.select(api_client_properties.c.api_client_id).where(
            api_client_properties.c.property_id.in_(principal.property_ids)
        )
        query = query.where(ApiClient.id.in_(serves_here))
    return query


def list_api_clients(principal: Principal) -> list[ApiClient]:
    """Active clients first, then revoked ones; newest first within each."""
    query = _visible_clients(principal).order_by(ApiClient.revoked_at.is_not(None), ApiClient.id.desc())
    return list(db.session.execute(query).scalars())


def api_client_page(principal: Principal, *, limit: int, after: int | None = None) -> tuple[list[ApiClient], int | None]:
    """`limit` clients by id after the id `after`, and the id to continue after (None at the end)."""
    query = _visible_clients(principal).order_by(ApiClient.id).limit(limit + 1)
    if after is not None:
        query = query.where(ApiClient.id > after)
    rows = list(db.session.execute(query).scalars())
    return rows[:limit], rows[limit - 1].id if len(rows) > limit else None


def get_api_client(principal: Principal, client_id: int) -> ApiClient | None:
    """None also for clients the principal may not see: the two are never told apart."""
    query = _visible_clients(principal).where(ApiClient.id == client_id)
    return db.session.execute(query).scalar_one_or_none()
