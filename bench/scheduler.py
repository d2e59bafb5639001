"""What one scheduler pass costs on a station with a year of history.

For 1, 10 and 100 communes (SQLite, the embedded default): each commune has 3 zones and 4
daily slots on all of them for the whole of 2026, and a year's as-run history (every
airing up to yesterday, aired). One approved program, rendered for real, is what every
slot airs. Figures:
- `first`: the first pass after the slots were made (it materializes two days ahead);
- `pass`: a steady pass (median of 20, one a second of scheduled time): the cost every
  second while nothing is due; the goal is 50 ms at 100 communes;
- `ready`: the pass that makes the next ten minutes' airings ready and hands them over.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bench.scratch import operator as station_operator
from bench.table import print_table, rows
from radio import announcements as flow
from radio.models import Airing, AiringStatus, Commune, Slot, Zone, slot_zones
from radio.services import Services, build
from radio.settings import Settings
from schedules import LOCAL_TZ, ManualClock

COMMUNES = (1, 10, 100)
ZONES_PER_COMMUNE = 3
TIMES = ("06:00", "11:00", "17:00", "20:00")
YEAR_START, NOW = date(2026, 1, 1), datetime(2026, 12, 1, 5, 0, tzinfo=LOCAL_TZ)
STEADY_PASSES = 20


def run(texts: list[str]) -> dict[str, object]:
    del texts
    measured = []
    for communes in COMMUNES:
        with tempfile.TemporaryDirectory() as tmp:
            measured.append(_measure(Path(tmp), communes))
    return {"rows": measured}


def _measure(home: Path, communes: int) -> dict[str, object]:
    clock = ManualClock(NOW)
    settings = Settings(home, "espeak-north-female", "", 1 << 30, f"sqlite:///{home / 'r.db'}")
    services = build(settings, clock)
    try:
        history = _station(services, communes)
        started = time.perf_counter()
        services.scheduler.tick()
        first = time.perf_counter() - started
        steady = []
        for _ in range(STEADY_PASSES):
            clock.advance(timedelta(seconds=1))
            started = time.perf_counter()
            services.scheduler.tick()
            steady.append(time.perf_counter() - started)
        clock.advance(NOW.replace(minute=51) - clock.now())  # 06:00 is ten minutes ahead
        started = time.perf_counter()
        ready = services.scheduler.tick()
        ready_s = time.perf_counter() - started
        clock.advance(NOW.replace(minute=59, second=58) - clock.now())  # within the handover
        started = time.perf_counter()
        handed = services.scheduler.tick()
        handover_s = time.perf_counter() - started
    finally:
        services.close()
    return {
        "communes": communes,
        "slots": communes * len(TIMES),
        "history_airings": history,
        "first_pass_ms": round(first * 1000, 1),
        "pass_ms": round(statistics.median(steady) * 1000, 2),
        "pass_worst_ms": round(max(steady) * 1000, 2),
        "ready_ms": round(ready_s * 1000, 1),
        "made_ready": len(ready.rendered),
        "handover_ms": round(handover_s * 1000, 1),
        "handed_over": len(handed.due),
    }


def _station(services: Services, communes: int) -> int:
    """Communes, zones, slots and a year of aired history; the number of history rows."""
    with services.sessions.begin() as db:
        operator = station_operator()
        db.add(operator)
        db.flush()
        draft = flow.Draft(
            "Bản tin", "Kính thưa bà con. Xã thông báo lịch họp.", "espeak-north-female"
        )
        announcement = flow.create(db, operator, draft, services.speech)
        flow.submit(db, operator, announcement)
        program = services.speech.render_revision(db, announcement.current)
        heard = flow.Heard(announcement.current.number, program.hash)
        flow.approve(db, operator, announcement, program, heard)
        ann_id, program_hash, user_id = announcement.id, program.hash, operator.id
        first = db.scalar(select(Commune))
        assert first is not None
        for number in range(communes):
            commune = first if number == 0 else Commune(slug=f"xa-{number}", name=f"Xã {number}")
            db.add(commune)
            db.flush()
            zones = [
                Zone(slug=f"c{number}-z{z}", name=f"Thôn {z}", commune_id=commune.id)
                for z in range(ZONES_PER_COMMUNE)
            ]
            db.add_all(zones)
            db.flush()
            _slots(db, [z.id for z in zones], ann_id, program_hash, user_id)
    with services.sessions() as db:
        return len(db.scalars(select(Airing.id)).all())


def _slots(db: Session, zone_ids: list[int], ann: int, program: str, user: int) -> None:
    for time_of_day in TIMES:
        slot = Slot(
            announcement_id=ann,
            times=[time_of_day],
            weekdays=[0, 1, 2, 3, 4, 5, 6],
            start_date=YEAR_START,
            end_date=date(2026, 12, 31),
            created_by_id=user,
        )
        db.add(slot)
        db.flush()
        db.execute(insert(slot_zones), [{"slot_id": slot.id, "zone_id": z} for z in zone_ids])
        hour, minute = (int(p) for p in time_of_day.split(":"))
        history = []
        day = YEAR_START
        while day < NOW.date():
            at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)
            at_utc = at.astimezone(UTC)
            for zone in zone_ids:
                history.append(
                    {
                        "slot_id": slot.id,
                        "zone_id": zone,
                        "announcement_id": ann,
                        "program_hash": program,
                        "scheduled_at": at_utc,
                        "started_at": at_utc,
                        "ended_at": at_utc + timedelta(seconds=5),
                        "status": AiringStatus.AIRED,
                    }
                )
            day += timedelta(days=1)
        db.execute(insert(Airing), history)


def report(figures: dict[str, object]) -> None:
    print("One scheduler pass (SQLite) on a year of history; goal: pass ≤ 50 ms at 100 communes")
    print_table(
        [
            "communes",
            "slots",
            "history",
            "first pass ms",
            "pass ms",
            "worst ms",
            "ready ms (n)",
            "handover ms (n)",
        ],
        [
            [
                r["communes"],
                r["slots"],
                r["history_airings"],
                r["first_pass_ms"],
                r["pass_ms"],
                r["pass_worst_ms"],
                f"{r['ready_ms']} ({r['made_ready']})",
                f"{r['handover_ms']} ({r['handed_over']})",
            ]
            for r in rows(figures, "rows")
        ],
    )
