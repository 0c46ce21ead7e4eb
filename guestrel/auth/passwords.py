"""Password hashing with Argon2id, the memory-hard KDF recommended by OWASP."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# A real hash to verify against when the account does not exist, so a login for an unknown
# e-mail takes as long as one for a known e-mail.
_UNKNOWN_ACCOUNT_PASSWORD = "guestrel-no-such-account"


def _hasher() -> PasswordHasher:
    if current_app.config.get("GUESTREL_ARGON2_FAST"):
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if password_hash is None:
        hasher.verify(hasher.hash(_UNKNOWN_ACCOUNT_PASSWORD), _UNKNOWN_ACCOUNT_PASSWORD)
        return False
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
