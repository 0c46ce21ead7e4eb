"""The loyalty programme: the chain's tiers with their benefits, and each guest's tier."""
