"""Who may do what. Staff get permissions from their role, API clients from their scopes; both
are seen by the rest of the code as a Principal with permissions and a set of properties."""
from dataclasses import dataclass
from functools import wraps

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_smorest import abort

# Permissions double as API scopes: an API client holds exactly the scopes it was given.
PERMISSIONS = {
    "guests:read": _l("Read guest profiles, preferences and special dates"),
    "guests:contact": _l("See guests' contact details, dates and notes"),
    "guests:write": _l("Create and change guest profiles, preferences and special dates"),
    "properties:read": _l("Read the chain's properties"),
    "properties:write": _l("Create and change properties"),
    "staff:admin": _l("Manage staff accounts"),
    "clients:admin": _l("Manage API clients"),
    "categories:admin": _l("Manage preference categories"),
    "audit:read": _l("Read the audit trail"),
    "stays:read": _l("Read reservations and stays, with their rates and revenue"),
    "stays:write": _l("Record reservations, check-ins, check-outs, cancellations and no-shows"),
    "integrations:admin": _l("Manage connections to PMSs, channels and other systems"),
    "guests:merge": _l("Review possible duplicate guests and merge two profiles into one"),
    "arrivals:read": _l("See the arrivals, in-house and departures boards: names, rooms, dates, what to prepare"),
    "tasks:read": _l("See pre-arrival tasks"),
    "tasks:write": _l("Mark pre-arrival tasks done"),
    "alerts:read": _l("See check-in alerts, live on the front-desk pages"),
    "alerts:write": _l("Acknowledge check-in alerts"),
    "alerts:admin": _l("Manage alert rules"),
    "loyalty:read": _l("See guests' loyalty tiers and their benefits"),
    "loyalty:write": _l("Place a guest in a loyalty tier"),
    "loyalty:admin": _l("Define the loyalty tiers and their benefits"),
}
SCOPES = tuple(PERMISSIONS)

# Reading a guest through the API always includes contact details: an integration that may
# read guests needs them to match and sync profiles.
SCOPE_IMPLIES = {
    "guests:read": {"guests:contact"},
    "guests:write": {"guests:read", "guests:contact"},
    # A PMS that pushes stays reads back the stay it wrote.
    "stays:write": {"stays:read"},
    "guests:merge": {"guests:read", "guests:contact", "guests:write"},
    "tasks:write": {"tasks:read"},
    "alerts:write": {"alerts:read"},
    "loyalty:write": {"loyalty:read"},
    "loyalty:admin": {"loyalty:read"},
}

ROLE_PERMISSIONS = {
    # Housekeeping prepares rooms: it sees what a guest likes, not how to reach them. Stays carry
    # rates and revenue, which it does not need: the rooms and dates to prepare come to it on
    # the arrivals board.
    # The tier tells it which amenities a room gets.
    "housekeeping": {"guests:read", "properties:read", "arrivals:read", "tasks:read", "tasks:write", "loyalty:read"},
    "front_desk": {
        "guests:read", "guests:contact", "guests:write", "properties:read", "stays:read", "stays:write",
        "arrivals:read", "tasks:read", "tasks:write", "alerts:read", "alerts:write", "loyalty:read",
    },
    # Marketing reads stay history (how often, how much) to build segments; it records none.
    "marketing": {"guests:read", "guests:contact", "properties:read", "stays:read", "loyalty:read"},
    # Merging moves a guest's whole history; a manager decides which of two profiles survives.
    "manager": {
        "guests:read", "guests:contact", "guests:write", "guests:merge", "properties:read", "audit:read",
        "stays:read", "stays:write", "arrivals:read", "tasks:read", "tasks:write", "alerts:read", "alerts:write",
        "alerts:admin", "loyalty:read", "loyalty:write",
    },
    "admin": set(PERMISSIONS),
}


@dataclass(frozen=True)
class Principal:
    """The staff member or API client a request acts for."""

    permissions: frozenset
    # None: every property of the chain.
    property_ids: frozenset | None
    staff_id: int | None = None
    api_client_id: int | None = None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def covers_property(self, property_id: int | None) -> bool:
        """Chain-wide data (property None) is everyone's; property data only its own staff's."""
        if property_id is None or self.property_ids is None:
            return True
        return property_id in self.property_ids

    @classmethod
    def for_staff(cls, staff):
        permissions = ROLE_PERMISSIONS[staff.role]
        chain_wide = staff.role == "admin"
        return cls(
            permissions=frozenset(permissions),
            property_ids=None if chain_wide else frozenset(p.id for p in staff.properties),
            staff_id=staff.id,
        )

    @classmethod
    def for_api_client(cls, client):
        permissions = set(client.scopes)
        for scope in client.scopes:
            permissions |= SCOPE_IMPLIES.get(scope, set())
        return cls(
            permissions=frozenset(permissions),
            property_ids=frozenset(p.id for p in client.properties) if client.properties else None,
            api_client_id=client.id,
        )


def current_principal() -> Principal | None:
    principal = g.get("principal")
    # The API is CSRF-exempt, so it must never act on a browser's session cookie.
    if principal is None and not request.path.startswith("/api/") and current_user.is_authenticated:
        principal = g.principal = Principal.for_staff(current_user)
    return principal


def require(permission: str):
    """Decorator for views and API handlers: 401 without a principal, 403 without the permission.
    The messages are for API callers; browser pages show their own (see guestrel.errors)."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                abort(
                    401,
                    message="Send a valid, unrevoked API key as 'Authorization: Bearer <key>'.",
                    headers={"WWW-Authenticate": 'Bearer realm="guestrel"'},
                )
            if not principal.can(permission):
                abort(403, message=f"This needs the '{permission}' permission, which you do not have.")
            return func(*args, **kwargs)

        return wrapper

    return decorator
