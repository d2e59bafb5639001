"""The states and kinds the model knows: roles, an announcement's status, priorities, what
a revision is made of, an airing's status, a bulletin's level."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a user does; `radio.access.roles` says what each may."""

    OFFICER = "officer"
    REVIEWER = "reviewer"
    OPERATOR = "operator"


class Status(enum.StrEnum):
    """Where an announcement is in its review: only an approved one airs."""

    DRAFT = "draft"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    ARCHIVED = "archived"


class Priority(enum.StrEnum):
    """Emergency cuts in at once; normal items play in their slots; filler when idle."""

    FILLER = "filler"
    NORMAL = "normal"
    EMERGENCY = "emergency"


class Source(enum.StrEnum):
    """What a revision's program is made of: its text read by a voice, a recording an
    officer uploaded or recorded (a language no voice speaks, say), fixed when it is made,
    or parts in order (radio.mixes: texts, recordings, pauses, chimes), or an outside
    station relayed for a length of time (radio.relays)."""

    TEXT = "text"
    RECORDING = "recording"
    MIXED = "mixed"
    RELAY = "relay"


class AiringStatus(enum.StrEnum):
    """How an airing ended up, for the as-run log; scheduled until it has aired or not."""

    SCHEDULED = "scheduled"
    AIRED = "aired"
    MISSED = "missed"
    PREEMPTED = "preempted"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Level(enum.StrEnum):
    """A bulletin's level from above (Circular 39/2020/TT-BTTTT)."""

    NORMAL = "normal"  # the commune schedules it
    PRIORITY = "priority"  # at the front of the commune's next slot
    EMERGENCY = "emergency"  # at once, on every zone
