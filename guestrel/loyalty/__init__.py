"""The loyalty programme: the chain's tiers with their benefits, each guest's tier, and the points
ledger."""
