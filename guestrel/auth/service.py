"""Staff accounts and API clients: the only code that writes their tables."""
import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app

from guestrel.auth.models import ApiClient, StaffUser
from guestrel.auth.passwords import hash_password, needs_rehash, verify_password
from guestrel.database import utcnow
from guestrel.extensions import db

API_KEY_PREFIX = "grl"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_session_token() -> str:
    return secrets.token_hex(16)


def authenticate_staff(email: str, password: str) -> StaffUser | None:
    staff = db.session.execute(
        db.select(StaffUser).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()
    if not verify_password(staff.password_hash if staff else None, password):
        return None
    if not staff.active:
        return None
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = utcnow()
    db.session.commit()
    return staff


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


class AuthError(ValueError):
    """A request the auth service refuses; the message is safe to show the user."""


def properties_by_code(codes) -> list:
    from guestrel.properties import service as properties_service

    return properties_service.get_by_codes(codes)


def create_staff(*, email, name, password, role, properties=(), locale=None) -> StaffUser:
    email = normalise_email(email)
    if db.session.execute(db.select(StaffUser.id).filter_by(email=email)).first():
        raise AuthError(f"A staff member with the e-mail {email} already exists.")
    staff = StaffUser(
        email=email,
        name=name,
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        session_token=new_session_token(),
        properties=list(properties),
    )
    db.session.add(staff)
    db.session.flush()
    return staff


def create_api_client(*, name, scopes, properties=(), created_by_id=None) -> tuple[ApiClient, str]:
    """The new client and its key. The key is returned this once and never stored."""
    key, prefix, key_hash = generate_api_key()
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=key_hash,
        scopes=sorted(set(scopes)),
        properties=list(properties),
        created_by_id=created_by_id,
    )
    db.session.add(client)
    db.session.flush()
    return client, key
