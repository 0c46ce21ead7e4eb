"""What the guest's profile page shows the front desk: first what matters at check-in, then the
preferences (those not confirmed for a long time asking "still true?"), the guest's stays at
every hotel of the chain and the history of changes to the profile.

Composed from the guests, stays and audit services with the reader's principal, so each keeps
its own rules (contact details, property scoping, rates and revenue), in a fixed number of
service calls whatever the number of preferences, stays or history entries.
"""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.audit import service as audit_service
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.guests import occasions, preference_service, service
from guestrel.guests.forms import GUEST_FIELD_LABELS, SPECIAL_DATE_LABELS
from guestrel.loyalty import points as loyalty_points
from guestrel.loyalty import service as loyalty_service
from guestrel.properties import service as properties_service
from guestrel.stays import service as stay_service

# A preference nobody confirmed (or recorded) for this long is asked about again: "still true?".
STALE_AFTER = timedelta(days=365)
UPCOMING_DAYS = 30
HISTORY_PAGE_SIZE = 20
POINTS_SHOWN = 10
PRIORITY_RANK = {"critical": 0, "high": 1, "normal": 2, "low": 3}

# The fields the history names, in the words of the profile's forms.
FIELD_LABELS = {
    **GUEST_FIELD_LABELS, "category": _l("Category"),
    "value": _l("Preference"), "detail": _l("Details"), "property_code": _l("Where"), "source": _l("Source"),
    "alert_at_check_in": _l("Alert at check-in"), "prepare_before_arrival": _l("Prepare before arrival"),
    "priority": _l("Priority"), "kind": _l("Kind"), "date": _l("Date"), "label": _l("Label"),
    "system": _l("System"), "external_id": _l("Id in that system"), "tier": _l("Loyalty tier"),
}
# Said by the line itself (confirmed, retired, merged) rather than listed as a change.
UNLISTED_FIELDS = {"last_confirmed_at", "retired_at", "merged_guest", "choices", "discarded", "moved"}
CONTACT_ENTITIES = {"special_date"}


def is_stale(preference, now: datetime) -> bool:
    return (preference.last_confirmed_at or preference.recorded_at) < now - STALE_AFTER


def can_read_history(principal: Principal) -> bool:
    return principal.can("guests:write") or principal.can("audit:read")


# -- at check-in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upcoming:
    occasion: occasions.Occasion
    in_days: int
    during_stay: bool


@dataclass
class AtCheckIn:
    # Allergies and other critical preferences, then those flagged "alert at check-in".
    allergies: list
    flagged: list
    # None when the reader may not see the guest's dates (guests:contact).
    occasions: list | None
    # The stay in house, else the next one booked, at any hotel; None without stays:read.
    stay: stay_service.ChainStay | None = None
    visits: int | None = None
    shows_stays: bool = False
    notes: str | None = None
    # The guest's loyalty tier (None: none) and points; shows_tier False without loyalty:read.
    tier: object = None
    points: int | None = None
    shows_tier: bool = False


def current_or_next(stays, today: date):
    in_house = [stay for stay in stays if stay.status == "in_house"]
    if in_house:
        return in_house[0]
    # A guest due yesterday whose PMS has not reported the check-in yet is still expected.
    booked = [stay for stay in stays if stay.status == "booked" and stay.departure > today]
    return min(booked, key=lambda stay: (stay.arrival, stay.id), default=None)


def _upcoming(guest, special_dates, stay, today: date) -> list[Upcoming]:
    """The occasions of the next 30 days and those during the current or next stay, soonest first."""
    found = {(o.kind, o.label, o.on): Upcoming(o, (o.on - today).days, False)
             for o in occasions.upcoming(guest, special_dates, today, UPCOMING_DAYS)}
    if stay is not None:
        for o in occasions.during_stay(guest, special_dates, stay.arrival, stay.departure):
            found[(o.kind, o.label, o.on)] = Upcoming(o, (o.on - today).days, True)
    return sorted(found.values(), key=lambda upcoming: upcoming.occasion.on)


def at_check_in(guest, active_preferences, special_dates, chain, *, can_contact: bool, today: date,
                tier=None, points: int | None = None, shows_tier: bool = False) -> AtCheckIn:
    allergies = [p for p in active_preferences if p.category.is_allergy or p.priority == "critical"]
    flagged = [p for p in active_preferences if p.alert_at_check_in and p not in allergies]
    stay = current_or_next(chain.stays, today) if chain is not None else None
    return AtCheckIn(
        allergies=allergies,
        flagged=flagged,
        occasions=_upcoming(guest, special_dates, stay, today) if can_contact else None,
        stay=stay,
        visits=chain.visits if chain is not None else None,
        shows_stays=chain is not None,
        notes=guest.notes if can_contact else None,
        tier=tier,
        points=points,
        shows_tier=shows_tier,
    )


# -- the history of changes -------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    item: audit_service.AuditItem
    text: str
    # (field label, before, after) for what an update changed.
    changes: list = field(default_factory=list)


@dataclass(frozen=True)
class History:
    lines: list
    next_before: int | None


def _value_text(name: str, value, category_labels: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name == "category":
        return category_labels.get(value, value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _named(changes: dict, name: str):
    """The value a create, delete or change recorded for `name`: the new one, else the old one."""
    before, after = changes.get(name, [None, None])
    return after if after is not None else before


def _subject(entry, names: dict) -> str:
    changes = entry.changes or {}
    if entry.entity_type == "preference":
        return _named(changes, "value") or names.get(("preference", entry.entity_id)) or f"#{entry.entity_id}"
    if entry.entity_type == "special_date":
        kind = _named(changes, "kind")
        label = _named(changes, "label") or (str(SPECIAL_DATE_LABELS[kind]) if kind in SPECIAL_DATE_LABELS else "")
        return label or names.get(("special_date", entry.entity_id)) or f"#{entry.entity_id}"
    if entry.entity_type == "guest_external_id":
        system, external_id = _named(changes, "system"), _named(changes, "external_id")
        return f"{system} {external_id}" if system else f"#{entry.entity_id}"
    return ""


def _sentence(entry, subject: str) -> str:
    changes = entry.changes or {}
    kind, action = entry.entity_type, entry.action
    if kind == "guest":
        if action == "merge":
            merged = changes.get("merged_guest", [None])[0]
            return _("Merged profile #%(id)s into this one", id=merged)
        return _("Created the profile") if action == "create" else _("Changed the profile")
    if kind == "preference":
        if action == "create":
            return _("Recorded the preference “%(value)s”", value=subject)
        if action == "retire":
            return _("Retired the preference “%(value)s”", value=subject)
        if set(changes) == {"last_confirmed_at"}:
            return _("Confirmed “%(value)s” is still true", value=subject)
        return _("Changed the preference “%(value)s”", value=subject)
    if kind == "loyalty_membership":
        return _("Changed the loyalty tier")
    if kind == "special_date":
        if action == "create":
            return _("Added the date “%(label)s”", label=subject)
        if action == "delete":
            return _("Deleted the date “%(label)s”", label=subject)
        return _("Changed the date “%(label)s”", label=subject)
    if action == "delete":
        return _("Removed the id %(id)s", id=subject)
    return _("Added the id %(id)s", id=subject)


def _line(item, names: dict, category_labels: dict, hidden: set) -> HistoryLine:
    entry = item.entry
    changes = []
    # A create or delete is named by its sentence; an update and a merge list what changed.
    if entry.action in ("update", "merge"):
        changes = [
            (str(FIELD_LABELS.get(name, name)), _value_text(name, values[0], category_labels),
             _value_text(name, values[1], category_labels))
            for name, values in sorted((entry.changes or {}).items())
            if name not in UNLISTED_FIELDS and name not in hidden
        ]
    return HistoryLine(item, _sentence(entry, _subject(entry, names)), changes)


def history(principal: Principal, guest, preferences, special_dates, categories, before: int | None = None) -> History:
    """A page of the profile's history, each entry told as a sentence, with what it changed.
    Contact details (and the dates) stay hidden from readers without guests:contact."""
    page = audit_service.profile_history(principal, guest.id, limit=HISTORY_PAGE_SIZE, before=before)
    names = {("preference", p.id): p.value for p in preferences}
    names.update({("special_date", d.id): d.label or str(SPECIAL_DATE_LABELS[d.kind]) for d in special_dates})
    category_labels = {c.code: preference_service.category_label(c) for c in categories}
    can_contact = service.can_see_contact(principal)
    hidden = set() if can_contact else set(service.CONTACT_FIELDS)
    lines = [_line(item, names, category_labels, hidden) for item in page.items
             if can_contact or item.entry.entity_type not in CONTACT_ENTITIES]
    return History(lines, page.next_before)


# -- the whole page ---------------------------------------------------------------------------


def history_page(principal: Principal, guest_id: int, before: int | None) -> tuple:
    """The guest and an older page of the profile's history."""
    guest = service.get_guest(principal, guest_id, audit_view=False)
    preferences = preference_service.list_preferences(principal, guest_id, include_retired=True)
    special_dates = service.list_special_dates(principal, guest_id) if service.can_see_contact(principal) else []
    categories = preference_service.list_categories(principal, include_inactive=True)
    return guest, history(principal, guest, preferences, special_dates, categories, before)


def profile(principal: Principal, guest_id: int, *, audit_view: bool) -> dict:
    """Everything the profile page shows the principal, as template context."""
    guest = service.get_guest(principal, guest_id, audit_view=audit_view)
    now = utcnow()
    today = datetime.now(get_timezone()).date()
    can_contact = service.can_see_contact(principal)
    can_write = principal.can("guests:write")
    preferences = preference_service.list_preferences(principal, guest_id, include_retired=True)
    active = sorted((p for p in preferences if p.is_active), key=lambda p: PRIORITY_RANK[p.priority])
    special_dates = service.list_special_dates(principal, guest_id) if can_contact else []
    chain = stay_service.chain_history(principal, guest_id) if principal.can("stays:read") else None
    shows_history = can_read_history(principal)
    # The quick capture offers the active categories; the history names old ones too.
    categories = preference_service.list_categories(principal, include_inactive=True) if shows_history else []
    shows_tier = principal.can("loyalty:read")
    tier = loyalty_service.tier_of(guest_id) if shows_tier else None
    ledger = loyalty_points.ledger(principal, guest_id, limit=POINTS_SHOWN, audit_view=False) if shows_tier else None
    return {
        "guest": guest,
        "can_contact": can_contact,
        "can_write": can_write,
        "active_preferences": active,
        "retired_preferences": [p for p in preferences if not p.is_active],
        "stale_ids": {p.id for p in active if is_stale(p, now)},
        "special_dates": special_dates,
        "at_check_in": at_check_in(guest, active, special_dates, chain, can_contact=can_contact, today=today,
                                   tier=tier, points=ledger.balance if ledger else None, shows_tier=shows_tier),
        "ledger": ledger,
        "chain": chain,
        "history": history(principal, guest, preferences, special_dates, categories) if shows_history else None,
        "categories": [c for c in categories if c.active],
        "hotels": properties_service.list_properties(principal) if can_write else [],
        "stay_status_labels": stay_service.STATUS_LABELS,
        "points_kind_labels": loyalty_points.KIND_LABELS,
    }
