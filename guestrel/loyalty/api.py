"""REST API for the loyalty tiers and a guest's tier: parse, call the service, dump."""
from guestrel.api_conventions import ETAG_HEADER, IF_MATCH, Blueprint, etag, expected_version
from guestrel.auth.permissions import current_principal, require
from guestrel.loyalty import points, service
from guestrel.loyalty.schemas import (
    LedgerQuerySchema,
    LedgerSchema,
    MembershipSchema,
    MembershipUpdateSchema,
    PointsCreateSchema,
    PointsRecordedSchema,
    TierCreateSchema,
    TierListSchema,
    TierSchema,
    TierUpdateSchema,
)

blp = Blueprint("loyalty", __name__, url_prefix="/api/v1", description="Loyalty tiers and the guests' tiers.")


@blp.route("/loyalty/tiers")
@require("loyalty:read")
@blp.response(200, TierListSchema)
@blp.errors()
def list_tiers():
    """List the chain's loyalty tiers, the best first"""
    return {"items": service.list_tiers(current_principal())}


@blp.route("/loyalty/tiers", methods=["POST"])
@require("loyalty:admin")
@blp.arguments(TierCreateSchema)
@blp.response(201, TierSchema, headers=ETAG_HEADER)
@blp.errors(409)
def create_tier(data):
    """Add a loyalty tier with its benefits (a client of the whole chain)"""
    tier = service.create_tier(current_principal(), data)
    return tier, 201, etag(tier.version)


@blp.route("/loyalty/tiers/<code>")
@require("loyalty:read")
@blp.response(200, TierSchema, headers=ETAG_HEADER)
@blp.errors(404)
def get_tier(code):
    """Read one loyalty tier"""
    tier = service.get_tier(current_principal(), code)
    return tier, 200, etag(tier.version)


@blp.route("/loyalty/tiers/<code>", methods=["PATCH"])
@require("loyalty:admin")
@blp.arguments(TierUpdateSchema)
@blp.response(200, TierSchema, headers=ETAG_HEADER)
@blp.doc(**IF_MATCH)
@blp.errors(404, 409, 412, 428)
def update_tier(data, code):
    """Change a loyalty tier: its name, rank or benefits

    Alerts already raised keep the tier as it was at their check-in.
    """
    version = expected_version(str(service.CHANGED))
    tier = service.update_tier(current_principal(), code, version, data)
    return tier, 200, etag(tier.version)


@blp.route("/guests/<int:guest_id>/membership")
@require("loyalty:read")
@blp.response(200, MembershipSchema)
@blp.errors(404)
def get_membership(guest_id):
    """Read a guest's loyalty tier and points balance"""
    return {"guest_id": guest_id, "tier": service.guest_tier(current_principal(), guest_id),
            "points": points.balance(guest_id)}


@blp.route("/guests/<int:guest_id>/membership", methods=["PUT"])
@require("loyalty:write")
@blp.arguments(MembershipUpdateSchema)
@blp.response(200, MembershipSchema)
@blp.errors(404, 409)
def set_membership(data, guest_id):
    """Place a guest in a loyalty tier, or in none

    Recorded in the guest's audit trail and sent to the PMSs that know the guest.
    """
    return {"guest_id": guest_id, "tier": service.set_guest_tier(current_principal(), guest_id, data["tier"]),
            "points": points.balance(guest_id)}


@blp.route("/guests/<int:guest_id>/points")
@require("loyalty:read")
@blp.arguments(LedgerQuerySchema, location="query")
@blp.response(200, LedgerSchema)
@blp.errors(404)
def list_points(query, guest_id):
    """Read a guest's points balance and entries, newest first

    A page at a time: pass `next_before` as `before` for the next.
    """
    return points.ledger(current_principal(), guest_id, limit=query["limit"], before=query.get("before"))


@blp.route("/guests/<int:guest_id>/points", methods=["POST"])
@require("loyalty:write")
@blp.arguments(PointsCreateSchema)
@blp.response(201, PointsRecordedSchema)
@blp.alt_response(200, schema=PointsRecordedSchema, description="The key was seen before: the stored entry")
@blp.errors(404, 409)
def record_points(data, guest_id):
    """Award, redeem or adjust a guest's points

    Entries are never changed or removed: a correction is another entry. A redemption or
    adjustment the balance cannot cover is refused (422). Send a new `idempotency_key` with each
    entry; a retry with the same key answers the stored entry (200) and books nothing, and the
    same key with another entry is refused (409).
    """
    recorded = points.record(current_principal(), guest_id, data)
    return {"entry": recorded.entry, "balance": recorded.balance}, 200 if recorded.replayed else 201
