"""The loyalty tiers and each guest's tier: the only code that writes loyalty_tiers and
loyalty_memberships.

The chain defines its tiers and their benefits (loyalty:admin, staff of the whole chain);
managers place a guest in a tier (loyalty:write); the boards, the check-in alert and the
profile show a guest's tier with its benefits (loyalty:read). A guest's tier change is recorded
in the guest's audit trail and sent to the PMSs that know the guest (guest_profile_changed).
"""
import re

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from guestrel.audit import service as audit
from guestrel.auth.permissions import Principal
from guestrel.database import utcnow
from guestrel.extensions import db
from guestrel.guests import normalise, signals
from guestrel.guests.operation import clean, integer, require, require_guest, text, transaction
from guestrel.loyalty.models import LoyaltyMembership, LoyaltyTier
from guestrel.service_errors import ConflictError, InvalidDataError, NotFoundError, PermissionDeniedError

FIELDS = ("code", "name", "rank", "benefits")
CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]{0,19}")
RANK_MAX = 1000
BENEFITS_MAX = 20
BENEFIT_LENGTH = 200
CHANGED = _l("This tier was changed by someone else since you read it. Read it again and redo your change.")
TAKEN = _l("Another tier has this code or this rank already.")


def _code(value) -> str:
    cleaned = value.strip().upper() if isinstance(value, str) else ""
    if not CODE.fullmatch(cleaned):
        raise normalise.FieldError(_("Use up to 20 letters, digits, hyphens or underscores, such as PLATINUM."))
    return cleaned


def _benefits(value) -> list[str]:
    """A list of texts, or one text with a benefit per line (the browser's form)."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise normalise.FieldError(_("Give the benefits as a list of texts."))
    benefits = [item.strip() for item in value if item.strip()]
    if len(benefits) > BENEFITS_MAX:
        raise normalise.FieldError(_("Give at most %(max)d benefits.", max=BENEFITS_MAX))
    if any(len(item) > BENEFIT_LENGTH for item in benefits):
        raise normalise.FieldError(_("A benefit has at most %(max)d characters.", max=BENEFIT_LENGTH))
    return benefits


CLEANERS = {"code": _code, "name": text(LoyaltyTier.name, required=True), "rank": integer(0, RANK_MAX),
            "benefits": _benefits}


def _require_chain_admin(principal: Principal):
    require(principal, "loyalty:admin")
    if principal.property_ids is not None:
        raise PermissionDeniedError(_("Only staff of the whole chain may change the loyalty tiers."))


def list_tiers(principal: Principal) -> list[LoyaltyTier]:
    """The chain's tiers, the best first."""
    require(principal, "loyalty:read")
    return db.session.scalars(sa.select(LoyaltyTier).order_by(LoyaltyTier.rank.desc())).all()


def _by_code(code) -> LoyaltyTier | None:
    """The tier with this code, as written in any case."""
    return db.session.scalar(sa.select(LoyaltyTier).where(LoyaltyTier.code == str(code).strip().upper()))


def get_tier(principal: Principal, code: str) -> LoyaltyTier:
    require(principal, "loyalty:read")
    tier = _by_code(code)
    if tier is None:
        raise NotFoundError(_("There is no loyalty tier with the code %(code)s.", code=code))
    return tier


def create_tier(principal: Principal, data: dict) -> LoyaltyTier:
    """A new tier: code, name, rank (the higher, the better), benefits."""
    _require_chain_admin(principal)
    missing = [name for name in ("code", "name", "rank") if data.get(name) in (None, "")]
    if missing:
        raise InvalidDataError({name: [_("This field is required.")] for name in missing})
    values = clean({name: data[name] for name in FIELDS if name in data}, CLEANERS)
    with transaction(duplicate_message=TAKEN):
        tier = LoyaltyTier(**{"benefits": [], **values})
        db.session.add(tier)
        db.session.flush()
        audit.record(principal, "create", "loyalty_tier", tier.id, changes=audit.diff({}, audit.snapshot(tier, FIELDS)))
    return tier


def update_tier(principal: Principal, code: str, version: int, changes: dict) -> LoyaltyTier:
    """Change the tier, still at `version` as the caller read it (ConflictError otherwise). The
    alerts already raised keep the tier as it was at their check-in."""
    _require_chain_admin(principal)
    values = clean({name: changes[name] for name in FIELDS if name in changes}, CLEANERS)
    with transaction(conflict_message=CHANGED, duplicate_message=TAKEN):
        tier = get_tier(principal, code)
        if tier.version != version:
            raise ConflictError(CHANGED)
        before = audit.snapshot(tier, FIELDS)
        for name, value in values.items():
            setattr(tier, name, value)
        diff = audit.diff(before, audit.snapshot(tier, FIELDS))
        if diff:
            db.session.flush()
            audit.record(principal, "update", "loyalty_tier", tier.id, changes=diff)
    return tier


def tier_codes() -> set[str]:
    """The codes of the chain's tiers, for the other domains that name one (alert rules)."""
    return set(db.session.scalars(sa.select(LoyaltyTier.code)))


def tiers_of(guest_ids) -> dict[int, LoyaltyTier]:
    """The tier of each of the guests that has one, in one query: for pages and other domains,
    which check their own permissions."""
    if not guest_ids:
        return {}
    rows = db.session.execute(
        sa.select(LoyaltyMembership.guest_id, LoyaltyTier).join(LoyaltyTier, LoyaltyTier.id == LoyaltyMembership.tier_id)
        .where(LoyaltyMembership.guest_id.in_(list(guest_ids)))
    ).all()
    return {guest_id: tier for guest_id, tier in rows}


def tier_of(guest_id: int) -> LoyaltyTier | None:
    return tiers_of([guest_id]).get(guest_id)


def guest_tier(principal: Principal, guest_id: int) -> LoyaltyTier | None:
    """The guest's tier; reading it is recorded as seeing the guest's membership."""
    require(principal, "loyalty:read")
    with transaction():
        require_guest(guest_id)
        audit.record(principal, "view", "loyalty_membership", guest_id, guest_id=guest_id)
    return tier_of(guest_id)


def set_guest_tier(principal: Principal, guest_id: int, tier_code: str | None) -> LoyaltyTier | None:
    """Place the guest in the tier `tier_code`, or in none (None)."""
    require(principal, "loyalty:write")
    with transaction(duplicate_message=_("Someone else set this guest's tier at the same moment. Try again.")):
        require_guest(guest_id)
        tier = None
        if tier_code not in (None, ""):
            tier = _by_code(tier_code)
            if tier is None:
                raise InvalidDataError({"tier": [_("There is no loyalty tier with the code %(code)s.", code=tier_code)]})
        membership = db.session.get(LoyaltyMembership, guest_id, with_for_update=True)
        before = membership.tier.code if membership is not None else None
        if tier is None and membership is not None:
            db.session.delete(membership)
        elif tier is not None and membership is None:
            db.session.add(LoyaltyMembership(guest_id=guest_id, tier_id=tier.id))
        elif tier is not None and membership.tier_id != tier.id:
            membership.tier_id, membership.tier_since = tier.id, utcnow()
        after = tier.code if tier is not None else None
        if before != after:
            db.session.flush()
            audit.record(principal, "update", "loyalty_membership", guest_id, guest_id=guest_id,
                         changes={"tier": [before, after]})
            signals.announce(signals.guest_profile_changed, guest_id=guest_id)
    return tier


def carry_over_merged(survivor_id: int, merged_id: int):
    """Inside a merge: the survivor keeps the better of the two tiers."""
    merged = db.session.get(LoyaltyMembership, merged_id)
    if merged is None:
        return
    survivor = db.session.get(LoyaltyMembership, survivor_id)
    if survivor is None:
        db.session.add(LoyaltyMembership(guest_id=survivor_id, tier_id=merged.tier_id, tier_since=merged.tier_since))
    elif merged.tier.rank > survivor.tier.rank:
        survivor.tier_id, survivor.tier_since = merged.tier_id, merged.tier_since
    db.session.delete(merged)
    db.session.flush()
