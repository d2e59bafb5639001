"""The figures the level above asks a commune for, over a period (a month, or any range of
days): per zone, programmes aired by type and priority, minutes aired, late, missed and
failed airings; receivers' availability (of the receivers a zone had, the share that
reported playing each airing); bulletins from above received, aired and late; minutes per
week; and each airing that did not air, with its reason. Read from the as-run rows and the
receivers' receipts: what happened, not what was planned.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.models import (
    Airing,
    AiringStatus,
    Commune,
    Delivery,
    Program,
    Receipt,
    Receiver,
    Zone,
)
from schedules.recurrence import LOCAL_TZ

LATE = timedelta(seconds=60)  # started this long after its time: late
NOT_AIRED = (AiringStatus.MISSED, AiringStatus.FAILED, AiringStatus.PREEMPTED)


@dataclass(frozen=True)
class Period:
    """Whole local days, `first` to `last` inclusive."""

    first: date
    last: date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1))

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL_TZ)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL_TZ)


@dataclass
class ZoneFigures:
    commune: str
    zone: str
    name: str
    programmes: Counter[str] = field(default_factory=Counter)  # "text/normal": 3
    minutes: float = 0.0
    aired: int = 0
    late: int = 0
    missed: int = 0
    failed: int = 0
    expected_plays: int = 0  # receivers the zone had, summed over its aired airings
    reported_plays: int = 0  # of those, the ones that reported playing it

    @property
    def availability(self) -> float | None:
        """% of the zone's receivers that played its airings (None: no receivers)."""
        if not self.expected_plays:
            return None
        return round(100.0 * self.reported_plays / self.expected_plays, 1)


@dataclass(frozen=True)
class NotAired:
    at: datetime
    commune: str
    zone: str
    title: str
    status: str
    reason: str


@dataclass
class Figures:
    period: Period
    communes: list[str]  # names
    zones: list[ZoneFigures]
    weeks: list[tuple[date, float]]  # Monday, minutes aired that week
    bulletins: dict[str, int]  # received, aired, late
    not_aired: list[NotAired]

    @property
    def minutes(self) -> float:
        return round(sum(z.minutes for z in self.zones), 1)


def kind(airing: Airing) -> str:
    """What was aired: a bulletin from above, live speech, or the revision's source."""
    if airing.announcement.bulletin_id is not None:
        return "bulletin"
    if (airing.note or "").startswith("live:"):
        return "live"
    return airing.announcement.current.source.value


def collect(db: Session, period: Period, commune_id: int | None) -> Figures:
    """The figures for one commune, or for every commune (`commune_id` None)."""
    communes = select(Commune).order_by(Commune.id)
    if commune_id is not None:
        communes = communes.where(Commune.id == commune_id)
    chosen = list(db.scalars(communes))
    zones = list(
        db.scalars(
            select(Zone).where(Zone.commune_id.in_([c.id for c in chosen])).order_by(Zone.id)
        )
    )
    by_zone = {z.id: ZoneFigures(z.commune.slug, z.slug, z.name) for z in zones}
    weeks: dict[date, float] = {}
    not_aired: list[NotAired] = []
    airings = db.scalars(
        select(Airing)
        .where(
            Airing.zone_id.in_(list(by_zone)),
            Airing.scheduled_at >= period.start,
            Airing.scheduled_at < period.end,
        )
        .order_by(Airing.scheduled_at, Airing.id)
    )
    for airing in airings:
        figures = by_zone[airing.zone_id]
        if airing.status == AiringStatus.AIRED:
            minutes = _count_aired(db, figures, airing)
            local = (airing.started_at or airing.scheduled_at).astimezone(LOCAL_TZ).date()
            monday = local - timedelta(days=local.weekday())
            weeks[monday] = weeks.get(monday, 0.0) + minutes
        elif airing.status in NOT_AIRED:
            _count_not_aired(figures, airing, not_aired)
    return Figures(
        period=period,
        communes=[c.name for c in chosen],
        zones=list(by_zone.values()),
        weeks=_every_week(period, weeks),
        bulletins=_bulletins(db, period, [c.id for c in chosen]),
        not_aired=not_aired,
    )


def aired_minutes(db: Session, airing: Airing) -> float:
    """An airing that aired played its whole program; with no program on record (live
    speech not yet archived), the time between its start and end."""
    program = db.get(Program, airing.program_hash) if airing.program_hash else None
    if program is not None:
        return program.duration / 60
    started = airing.started_at or airing.scheduled_at
    return ((airing.ended_at or started) - started).total_seconds() / 60


def _count_aired(db: Session, figures: ZoneFigures, airing: Airing) -> float:
    started = airing.started_at or airing.scheduled_at
    minutes = aired_minutes(db, airing)
    figures.aired += 1
    figures.minutes = round(figures.minutes + minutes, 2)
    figures.programmes[f"{kind(airing)}/{airing.priority.value}"] += 1
    if started - airing.scheduled_at > LATE:
        figures.late += 1
    receivers = db.scalar(
        select(func.count(Receiver.id)).where(
            Receiver.zone_id == airing.zone_id, Receiver.created_at <= started
        )
    )
    played = db.scalar(select(func.count(Receipt.id)).where(Receipt.airing_id == airing.id))
    figures.expected_plays += receivers or 0
    figures.reported_plays += min(played or 0, receivers or 0)
    return minutes


def _count_not_aired(figures: ZoneFigures, airing: Airing, out: list[NotAired]) -> None:
    if airing.status == AiringStatus.FAILED:
        figures.failed += 1
    else:
        figures.missed += 1
    out.append(
        NotAired(
            at=airing.scheduled_at,
            commune=figures.commune,
            zone=figures.zone,
            title=airing.announcement.title,
            status=airing.status.value,
            reason=airing.note or "",
        )
    )


def _every_week(period: Period, minutes: dict[date, float]) -> list[tuple[date, float]]:
    monday = period.first - timedelta(days=period.first.weekday())
    weeks = []
    while monday <= period.last:
        weeks.append((monday, round(minutes.get(monday, 0.0), 1)))
        monday += timedelta(days=7)
    return weeks


def _bulletins(db: Session, period: Period, commune_ids: list[int]) -> dict[str, int]:
    deliveries = list(
        db.scalars(
            select(Delivery).where(
                Delivery.commune_id.in_(commune_ids),
                Delivery.delivered_at >= period.start,
                Delivery.delivered_at < period.end,
            )
        )
    )
    counts = {"received": len(deliveries), "aired": 0, "late": 0}
    for delivery in deliveries:
        aired = list(
            db.scalars(
                select(Airing).where(
                    Airing.announcement_id == delivery.announcement_id,
                    Airing.status == AiringStatus.AIRED,
                )
            )
        )
        if aired:
            counts["aired"] += 1
        if any((a.started_at or a.scheduled_at) - a.scheduled_at > LATE for a in aired):
            counts["late"] += 1
    return counts
