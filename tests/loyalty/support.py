"""The demo chain's tiers for the loyalty tests: Silver, Gold and Platinum."""
from guestrel.auth.service import OPERATOR
from guestrel.loyalty import service as loyalty_service

GOLD_BENEFITS = ["Late check-out until 14:00", "Welcome fruit in the room"]
PLATINUM_BENEFITS = ["Late check-out until 16:00", "Club lounge access", "Upgrade when available"]


def chain_tiers():
    return (
        loyalty_service.create_tier(OPERATOR, {"code": "SILVER", "name": "Silver", "rank": 10, "benefits": []}),
        loyalty_service.create_tier(OPERATOR, {"code": "GOLD", "name": "Gold", "rank": 20, "benefits": GOLD_BENEFITS}),
        loyalty_service.create_tier(OPERATOR, {"code": "PLATINUM", "name": "Platinum", "rank": 30,
                                               "benefits": PLATINUM_BENEFITS}),
    )


def place(guest_id: int, code: str | None):
    return loyalty_service.set_guest_tier(OPERATOR, guest_id, code)
