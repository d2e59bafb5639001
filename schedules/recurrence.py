"""Slot occurrences: one-off datetimes, or times on weekdays within a date range, each
aired once or repeated ("3 times, 5 minutes apart", as notices are).

A commune thinks in local time ("every day at 06:00 and 17:00 from 15/3 to 25/3"), so
recurrences are expanded in Asia/Ho_Chi_Minh and converted to UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local_time(moment: datetime) -> datetime:
    """A stored (UTC) moment as people read it: Hà Nội time, rounded to the second (a
    program started 40 ms before its airtime started on time, not a second early)."""
    return (moment + timedelta(milliseconds=500)).astimezone(LOCAL_TZ).replace(microsecond=0)


def local_iso(moment: datetime | None) -> str | None:
    return local_time(moment).isoformat() if moment else None


ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
MAX_REPEATS = 10


class SlotSpecError(ValueError):
    """A slot that cannot occur as written; `vi` says it for the console."""

    def __init__(self, en: str, vi: str) -> None:
        super().__init__(en)
        self.vi = vi


@dataclass(frozen=True)
class SlotSpec:
    """When a slot airs. Each occurrence ("first") airs `repeats` times, `repeat_every`
    from the start of one to the start of the next (the caller adds the program's length
    to the pause people ask for)."""

    at: datetime | None = None
    times: tuple[time, ...] = ()
    weekdays: tuple[int, ...] = ALL_DAYS
    start_date: date | None = None
    end_date: date | None = None
    repeats: int = 1
    repeat_every: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if not 1 <= self.repeats <= MAX_REPEATS:
            raise SlotSpecError(
                f"an airing repeats 1 to {MAX_REPEATS} times",
                f"số lần phát lặp từ 1 đến {MAX_REPEATS}",
            )
        if self.repeats > 1 and self.repeat_every <= timedelta(0):
            raise SlotSpecError(
                "repeats need a time between them", "các lần phát lặp cần cách nhau một khoảng"
            )
        if self.at is not None:
            if self.times:
                raise SlotSpecError(
                    "give either a time (at) or a recurrence, not both",
                    "chỉ chọn một giờ phát hoặc một lịch lặp, không chọn cả hai",
                )
            if self.at.tzinfo is None:
                raise SlotSpecError("the airtime needs a time zone", "giờ phát thiếu múi giờ")
            return
        if not self.times:
            raise SlotSpecError(
                "a recurring slot needs at least one time of day",
                "lịch lặp cần ít nhất một giờ phát trong ngày",
            )
        if self.start_date is None or self.end_date is None:
            raise SlotSpecError(
                "a recurring slot needs a start and an end date",
                "lịch lặp cần ngày bắt đầu và ngày kết thúc",
            )
        if self.end_date < self.start_date:
            raise SlotSpecError(
                "the end date is before the start date", "ngày kết thúc trước ngày bắt đầu"
            )
        if not self.weekdays or any(d not in ALL_DAYS for d in self.weekdays):
            raise SlotSpecError(
                "weekdays are numbers 0 (Monday) to 6 (Sunday)",
                "thứ trong tuần là số từ 0 (thứ Hai) đến 6 (Chủ nhật)",
            )
        if (self.end_date - self.start_date).days > 366:
            raise SlotSpecError("a recurrence may span at most a year", "lịch lặp dài nhất một năm")


def occurrences(spec: SlotSpec, start: datetime, end: datetime) -> list[datetime]:
    """Every airtime in [start, end), repeats included, in UTC, sorted."""
    span = spec.repeat_every * (spec.repeats - 1)
    found = {t for first in firsts(spec, start - span, end) for t in airtimes_of(spec, first)}
    return sorted(t for t in found if start <= t < end)


def airtimes_of(spec: SlotSpec, first: datetime) -> list[datetime]:
    """An occurrence's airtimes: itself, then each repeat."""
    return [first + spec.repeat_every * k for k in range(spec.repeats)]


def firsts(spec: SlotSpec, start: datetime, end: datetime) -> list[datetime]:
    """Every occurrence in [start, end), not counting repeats, in UTC, sorted: what the
    scheduler makes airings for (all of an occurrence's repeats at once)."""
    if spec.at is not None:
        at = spec.at.astimezone(UTC)
        return [at] if start <= at < end else []
    assert spec.start_date is not None and spec.end_date is not None
    first = max(spec.start_date, start.astimezone(LOCAL_TZ).date())
    last = min(spec.end_date, end.astimezone(LOCAL_TZ).date())
    found = []
    day = first
    while day <= last:
        if day.weekday() in spec.weekdays:
            for t in spec.times:
                moment = datetime.combine(day, t, LOCAL_TZ).astimezone(UTC)
                if start <= moment < end:
                    found.append(moment)
        day += timedelta(days=1)
    return sorted(set(found))  # a time given twice is one occurrence, not two


def next_occurrence(spec: SlotSpec, after: datetime) -> datetime | None:
    """The first occurrence (not counting repeats) at or after `after`, or None when there
    is none left: how the scheduler knows when to look at a slot again without reading
    its whole history."""
    if spec.at is not None:
        at = spec.at.astimezone(UTC)
        return at if at >= after else None
    assert spec.start_date is not None and spec.end_date is not None
    day = max(spec.start_date, after.astimezone(LOCAL_TZ).date())
    while day <= spec.end_date:
        if day.weekday() in spec.weekdays:
            for t in sorted(spec.times):
                moment = datetime.combine(day, t, LOCAL_TZ).astimezone(UTC)
                if moment >= after:
                    return moment
        day += timedelta(days=1)
    return None


def last_occurrence(spec: SlotSpec) -> datetime:
    """The last airtime, its last repeat included."""
    span = spec.repeat_every * (spec.repeats - 1)
    if spec.at is not None:
        return spec.at.astimezone(UTC) + span
    assert spec.end_date is not None
    return datetime.combine(spec.end_date, max(spec.times), LOCAL_TZ).astimezone(UTC) + span
