"""Encrypting connection secrets at rest with Fernet (AES with an HMAC). The key comes from
GUESTREL_SECRETS_KEY, or from SECRET_KEY when that is unset; HKDF turns either into a Fernet key,
so the session-signing key is never used as it is for a second purpose."""
import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

HKDF_INFO = b"guestrel connection secrets v1"


class SecretsKeyError(RuntimeError):
    """The stored secrets were encrypted with another key (GUESTREL_SECRETS_KEY changed)."""


def _fernet() -> Fernet:
    material = current_app.config.get("GUESTREL_SECRETS_KEY") or current_app.config["SECRET_KEY"]
    if isinstance(material, str):
        material = material.encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(values: dict) -> bytes | None:
    if not values:
        return None
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode())


def decrypt(token: bytes | None) -> dict:
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token))
    except InvalidToken as error:
        raise SecretsKeyError("The connection's secrets cannot be decrypted with the configured key.") from error
