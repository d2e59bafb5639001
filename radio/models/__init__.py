"""The data model: who works here, what they announce, where and when it airs.

Times are stored in UTC (timezone-aware) and shown in Asia/Ho_Chi_Minh. Approval binds to
one revision and the content hash of its rendered program: only that audio can air.
"""

from radio.models.airtime import Airing, Alert, Receipt, Repeat, Slot, slot_zones
from radio.models.base import Base, UTCDateTime, utcnow
from radio.models.bulletins import Bulletin, Delivery
from radio.models.cap import CapAlert
from radio.models.content import Announcement, Program, Revision, Template
from radio.models.federation import (
    FederationLink,
    FederationMessage,
    FederationNonce,
    FederationReceived,
)
from radio.models.kinds import AiringStatus, Level, Priority, Role, Source, Status
from radio.models.lexicon import LexiconEntry
from radio.models.people import AuditEvent, Credential, User
from radio.models.places import RECEIVER_ONLINE, Commune, Lease, Receiver, Zone
from radio.models.relays import RelaySource

__all__ = [
    "RECEIVER_ONLINE",
    "Airing",
    "AiringStatus",
    "Alert",
    "Announcement",
    "AuditEvent",
    "Base",
    "Bulletin",
    "CapAlert",
    "Commune",
    "Credential",
    "Delivery",
    "FederationLink",
    "FederationMessage",
    "FederationNonce",
    "FederationReceived",
    "Lease",
    "Level",
    "LexiconEntry",
    "Priority",
    "Program",
    "Receipt",
    "Receiver",
    "RelaySource",
    "Repeat",
    "Revision",
    "Role",
    "Slot",
    "Source",
    "Status",
    "Template",
    "UTCDateTime",
    "User",
    "Zone",
    "slot_zones",
    "utcnow",
]
