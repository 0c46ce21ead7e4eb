"""What a check-in alert says, gathered once when the guest checks in and kept with the alert:
the guest and room, allergies first, the preferences flagged for check-in, the occasions during
the stay, the notes, how many stays this is, the pre-arrival tasks and the alert rules that
match. The tier is kept with its benefits as they were. Plain data (no translated text): each page renders it in its reader's language."""
import sqlalchemy as sa

from guestrel.auth.permissions import Principal
from guestrel.extensions import db
from guestrel.guests import occasions, preference_service
from guestrel.guests import service as guest_service
from guestrel.guests.models import PREFERENCE_PRIORITIES
from guestrel.loyalty import service as loyalty_service
from guestrel.stays.models import Stay
from guestrel.tasks import service as task_service

# Reading for the alert is the system's, for the stay's hotel: preferences kept for other hotels
# stay out of it.
READ_PERMISSIONS = frozenset({"guests:read", "guests:contact"})
COUNTED_STATUSES = ("in_house", "checked_out")
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(reversed(PREFERENCE_PRIORITIES))}


def _preference(preference) -> dict:
    return {"id": preference.id, "category_code": preference.category.code, "category": preference.category.name,
            "value": preference.value,
            "detail": preference.detail, "priority": preference.priority}


def _earlier_stays(stay: Stay) -> dict:
    """How many stays the guest had before this one: at this hotel, and in the whole chain."""
    rows = db.session.execute(
        sa.select(Stay.property_id, sa.func.count()).where(
            Stay.guest_id == stay.guest_id, Stay.id != stay.id, Stay.status.in_(COUNTED_STATUSES))
        .group_by(Stay.property_id)
    ).all()
    return {"hotel": sum(count for property_id, count in rows if property_id == stay.property_id),
            "chain": sum(count for _property_id, count in rows)}


def _guest_part(stay: Stay) -> dict:
    principal = Principal(permissions=READ_PERMISSIONS, property_ids=frozenset({stay.property_id}))
    guest = guest_service.get_guest(principal, stay.guest_id, audit_view=False)
    active = sorted(preference_service.list_preferences(principal, guest.id),
                    key=lambda preference: PRIORITY_RANK[preference.priority])
    allergies = [p for p in active if p.category.is_allergy or p.priority == "critical"]
    flagged = [p for p in active if p.alert_at_check_in and p not in allergies]
    special_dates = guest_service.list_special_dates(principal, guest.id)
    during = occasions.during_stay(guest, special_dates, stay.arrival, stay.departure)
    tier = loyalty_service.tier_of(guest.id)
    return {
        "guest": {"id": guest.id, "name": guest.display_name, "vip_code": guest.vip_code,
                  "member_number": guest.member_number, "language": guest.language,
                  "tier": {"code": tier.code, "name": tier.name, "benefits": list(tier.benefits)} if tier else None,
                  "nationality": guest.nationality, "notes": guest.notes},
        "allergies": [_preference(p) for p in allergies],
        "preferences": [_preference(p) for p in flagged],
        "occasions": [{"kind": o.kind, "label": o.label, "on": o.on.isoformat(), "recorded": o.recorded.isoformat()}
                      for o in during],
        "earlier_stays": _earlier_stays(stay),
    }


def gather(stay: Stay) -> dict:
    """The alert's content for `stay`, a guest or not (a reservation not yet linked to a
    profile still checks in, and the desk should know it has no profile)."""
    content = {
        "stay": {"id": stay.id, "pms_id": stay.pms_id, "room_number": stay.room_number,
                 "arrival": stay.arrival.isoformat(), "departure": stay.departure.isoformat(),
                 "adults": stay.adults, "children": stay.children},
        "guest": None, "allergies": [], "preferences": [], "occasions": [],
        "earlier_stays": {"hotel": 0, "chain": 0},
        "tasks": task_service.summary_for_stay(stay.id),
    }
    if stay.guest_id is not None:
        content |= _guest_part(stay)
    return content
