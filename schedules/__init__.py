"""Airtimes: when slots occur, which overlap, and what to do with a late one.

Pure logic on plain data: the application (radio/) stores slots and airings and asks this
package when they happen. Local time is Asia/Ho_Chi_Minh; everything returned is UTC.
"""

from schedules.clock import Clock, ManualClock, SystemClock
from schedules.recurrence import (
    LOCAL_TZ,
    SlotSpec,
    SlotSpecError,
    airtimes_of,
    firsts,
    local_iso,
    local_time,
    next_occurrence,
    occurrences,
)
from schedules.timeline import Interval, late_policy, overlaps

__all__ = [
    "LOCAL_TZ",
    "Clock",
    "Interval",
    "ManualClock",
    "SlotSpec",
    "SlotSpecError",
    "SystemClock",
    "airtimes_of",
    "firsts",
    "late_policy",
    "local_iso",
    "local_time",
    "next_occurrence",
    "occurrences",
    "overlaps",
]
