"""On air: the scheduler's due airings played into their zones' channels, and what the
channels report (started, ended, preempted) written to the as-run log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from playout import Event, Play, Playout, silence, split_frames
from playout.icecast import IcecastTarget, push
from radio.airtime.scheduler import Scheduler
from radio.models import Airing, AiringStatus, Priority, Program, Zone
from radio.watch import Watch
from voices.audio.format import FRAME_SECONDS
from voices.store.integrity import Damaged, read_intact

log = logging.getLogger("radio.onair")
EMERGENCY_WATCH_S = 0.25


class OnAir:
    def __init__(
        self,
        scheduler: Scheduler,
        icecast: IcecastTarget | None = None,
        watch: Watch | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.icecast = icecast
        self.watch = watch or Watch(scheduler.sessions)
        self._sources: dict[str, asyncio.Task[None]] = {}
        self.playout = Playout(silence(), self._record)
        self._pending: list[tuple[Event, datetime, int]] = []
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def wake(self) -> None:
        """Tick now rather than at the next second: an emergency was just made. Safe to call
        from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """On air for as long as the context is open: an application's lifespan."""
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop))
        try:
            yield
        finally:
            stop.set()
            self.wake()
            await task

    async def run(self, stop: asyncio.Event, every_s: float = 1.0) -> None:
        self._loop = asyncio.get_running_loop()
        for zone, play in await asyncio.to_thread(self._resume):
            self.playout.play(zone, play)
        pacer = asyncio.create_task(self.playout.run(stop))
        try:
            while not stop.is_set():
                try:
                    await self._tick()
                    await self._push_new_zones(stop)
                except Exception:
                    log.exception("on-air tick failed; retrying")
                await self._pause(every_s)
        finally:
            await asyncio.gather(pacer, *self._sources.values())

    async def _pause(self, every_s: float) -> None:
        """Wait for the next tick, but cut it short when an emergency waits: made by this
        process's API (which wakes us) or by another process (seen in the database)."""
        deadline = time.monotonic() + every_s
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(left, EMERGENCY_WATCH_S))
            if self._wake.is_set() or await asyncio.to_thread(self._emergency_waiting):
                break
        self._wake.clear()

    def _emergency_waiting(self) -> bool:
        with self.scheduler.sessions() as db:
            return (
                db.scalar(
                    select(Airing.id)
                    .where(
                        Airing.priority == Priority.EMERGENCY,
                        Airing.status == AiringStatus.SCHEDULED,
                        Airing.started_at.is_(None),
                    )
                    .limit(1)
                )
                is not None
            )

    async def _tick(self) -> None:
        events, self._pending = self._pending, []
        if events:
            await asyncio.to_thread(self._log, events)
        tick = await asyncio.to_thread(self.scheduler.tick)
        for zone, play in await asyncio.to_thread(self._claim, tick.due):
            self.playout.play(zone, play)
        await asyncio.to_thread(self.watch.check, self.scheduler.clock.now(), tick, self._sounding)

    def _sounding(self, zone: str) -> bool:
        channel = self.playout.channels.get(zone)
        return channel is not None and (channel.current is not None or bool(channel.queue))

    async def _push_new_zones(self, stop: asyncio.Event) -> None:
        """With Icecast configured, every zone (new ones too) gets its source."""
        if self.icecast is None:
            return
        for zone in await asyncio.to_thread(self._zones):
            if zone not in self._sources:
                channel = self.playout.channel(zone)
                self._sources[zone] = asyncio.create_task(push(self.icecast, channel, stop))

    def _zones(self) -> list[str]:
        with self.scheduler.sessions() as db:
            return list(db.scalars(select(Zone.slug)))

    def _record(self, zone: str, event: Event) -> None:
        listeners = len(self.playout.channel(zone).listeners)
        self._pending.append((event, self.scheduler.clock.now(), listeners))

    def _claim(self, airing_ids: list[int]) -> list[tuple[str, Play]]:
        """Load due airings' programs and mark them handed over, so no tick plays one twice."""
        plays = []
        with self.scheduler.sessions.begin() as db:
            for airing_id in airing_ids:
                airing = db.get(Airing, airing_id)
                program = db.get(Program, airing.program_hash) if airing else None
                if airing is None or program is None:
                    continue
                try:
                    zone, play = _play(airing, program)
                except (Damaged, OSError):
                    airing.status, airing.ended_at = AiringStatus.FAILED, airing.scheduled_at
                    airing.note = "its audio was damaged or missing at airtime: not aired"
                    continue
                airing.started_at = airing.scheduled_at  # claimed: no tick hands it out again
                ahead = (airing.scheduled_at - self.scheduler.clock.now()).total_seconds()
                play.not_before = time.time() + ahead
                plays.append((zone, play))
        return plays

    def _resume(self) -> list[tuple[str, Play]]:
        """Programs that were on air when the worker stopped: continue each where it would
        be now, and note the interruption in the as-run log."""
        plays = []
        now = self.scheduler.clock.now()
        with self.scheduler.sessions.begin() as db:
            interrupted = db.scalars(
                select(Airing).where(
                    Airing.status == AiringStatus.SCHEDULED,
                    Airing.started_at.is_not(None),
                    Airing.ended_at.is_(None),
                )
            )
            for airing in interrupted:
                program = db.get(Program, airing.program_hash) if airing.program_hash else None
                assert airing.started_at is not None
                elapsed = (now - airing.started_at).total_seconds()
                if program is None or elapsed >= program.duration:
                    airing.status, airing.ended_at = AiringStatus.FAILED, now
                    airing.note = "interrupted by a restart; it would have ended while down"
                    continue
                position = max(0, int(elapsed / FRAME_SECONDS))
                try:
                    zone, play = _play(airing, program, position)
                except (Damaged, OSError):
                    airing.status, airing.ended_at = AiringStatus.FAILED, now
                    airing.note = "interrupted by a restart; its audio was damaged: not aired"
                    continue
                if elapsed < 0:  # handed over just before its time: it simply starts on time
                    play.not_before = time.time() - elapsed
                else:
                    airing.note = f"interrupted by a restart; resumed {elapsed:.1f} s into it"
                plays.append((zone, play))
        return plays

    def _log(self, events: list[tuple[Event, datetime, int]]) -> None:
        with self.scheduler.sessions.begin() as db:
            for event, at, listeners in events:
                airing = db.get(Airing, event.airing_id)
                if airing is None:
                    continue
                if event.kind == "started":
                    airing.started_at = at
                    airing.listeners_at_start = listeners
                elif event.kind == "ended":
                    airing.ended_at = at
                    airing.status = AiringStatus.AIRED
                elif event.kind == "preempted":
                    airing.note = "preempted by an emergency; restarted after it"


def _play(airing: Airing, program: Program, position: int = 0) -> tuple[str, Play]:
    """The zone and what its channel plays for an airing, from the program's MP3 file,
    checked against its hash: only the approved audio ever goes on air."""
    frames = split_frames(read_intact(Path(program.mp3_path), program.hash))
    emergency = airing.priority == Priority.EMERGENCY
    return airing.zone.slug, Play(
        airing.id, airing.announcement.title, frames, emergency=emergency, position=position
    )
