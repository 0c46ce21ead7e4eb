"""Every domain's tables, imported so they are all on db.metadata for migrations and tests."""
from guestrel.alerts.models import AlertRule, CheckInAlert, LiveEvent
from guestrel.audit.models import AuditEntry
from guestrel.auth.models import ApiClient, StaffUser
from guestrel.guests.models import (
    Guest,
    GuestExternalId,
    GuestMatchReview,
    GuestSearchTerm,
    Preference,
    PreferenceCategory,
    SpecialDate,
)
from guestrel.loyalty.models import LoyaltyMembership, LoyaltyTier, PointsEntry
from guestrel.properties.models import Property
from guestrel.stays.models import Stay
from guestrel.sync.models import Connection, InboxEvent, InboxMessage
from guestrel.tasks.models import PreArrivalTask

__all__ = [
    "AlertRule",
    "CheckInAlert",
    "LiveEvent",
    "ApiClient",
    "AuditEntry",
    "Connection",
    "Guest",
    "GuestExternalId",
    "GuestMatchReview",
    "GuestSearchTerm",
    "InboxEvent",
    "InboxMessage",
    "LoyaltyMembership",
    "LoyaltyTier",
    "PointsEntry",
    "PreArrivalTask",
    "Preference",
    "PreferenceCategory",
    "Property",
    "SpecialDate",
    "StaffUser",
    "Stay",
]
