"""The chain's properties: the only code that writes their table."""
from guestrel.extensions import db
from guestrel.properties.models import Property


class PropertyError(ValueError):
    """A request the properties service refuses; the message is safe to show the user."""


def get_by_codes(codes) -> list[Property]:
    codes = [code.strip().upper() for code in codes]
    if not codes:
        return []
    found = db.session.execute(db.select(Property).where(Property.code.in_(codes))).scalars().all()
    missing = sorted(set(codes) - {p.code for p in found})
    if missing:
        raise PropertyError(f"Unknown property code: {', '.join(missing)}")
    return sorted(found, key=lambda p: p.code)
