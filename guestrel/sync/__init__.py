"""Sync: connections (an adapter configured for a property, secrets encrypted) and the inbox that
stores every inbound payload and applies its events once."""
