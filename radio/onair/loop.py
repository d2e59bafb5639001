"""The on-air loop: periodic jobs on APScheduler around the frame-paced playout.

Jobs (each `max_instances=1`, coalesced, with a misfire grace):
- `emergencies` every 0.25 s: due emergencies straight to the channels, on a pass of their
  own, so they go on air even while the full pass is failing;
- `pass` every second: materialize, make ready, settle and hand over what is due;
- `asrun` every second: the channels' events into the as-run log, the alerts raised;
- `watch` every second: dead air, receivers gone quiet, missed and failed airings;
- `stalled` every second, in memory only: an alert when no full pass completed for 5 s;
- `icecast` every 5 s: a source for every zone when Icecast is configured;
- `lead` every second, with a `Leadership`: take or renew the playout lease. Only the
  leader runs the on-air jobs; a standby takes over (resuming what was on air where it
  would be now) when the leader's lease expires, and a leader that loses it stops;
- `revoked` every second: revoked or deleted receivers' open streams are ended;
- `programs` every 10 minutes, in every process: the audio nothing refers to is removed
  from this process's program store (`radio.retention`).
A job that fails is logged and alerted once until it succeeds again, and retried with
backoff; nothing a job raises ends the loop. The frame-accurate start of a program stays
in playout (`playout.Playout`), which the jobs only feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from playout import Event, Listener, Play, Playout, silence
from playout.icecast import IcecastTarget, push
from radio.airtime.scheduler import Scheduler, Tick
from radio.alerts import Problem
from radio.models import Receiver, Zone
from radio.onair.asrun import AsRunLog
from radio.onair.feeds import Feeds
from radio.onair.handover import Handed, claim, resume
from radio.onair.lease import RENEW_EVERY_S, Leadership
from radio.onair.listeners import Listeners
from radio.retention import SWEEP_EVERY_S, Retention
from radio.watch import Watch

log = logging.getLogger("radio.onair")
# A run skipped because the last one is still going is max_instances=1 doing its job, and
# job errors never reach APScheduler (each job catches, alerts and logs its own).
logging.getLogger("apscheduler").setLevel(logging.ERROR)
T = TypeVar("T")

EVERY_S = {
    "emergencies": 0.25,
    "pass": 1.0,
    "asrun": 1.0,
    "watch": 1.0,
    "stalled": 1.0,
    "revoked": 1.0,
    "lead": RENEW_EVERY_S,
    "programs": SWEEP_EVERY_S,
}
ON_AIR_JOBS = {"emergencies", "pass", "watch", "stalled", "icecast"}  # the leader's only
ICECAST_EVERY_S = 5.0
STALLED_AFTER_S = 5.0  # no full pass for this long: an alert
BACKOFF_MAX_S = {"emergencies": 1.0}  # others back off up to DEFAULT_BACKOFF_MAX_S
DEFAULT_BACKOFF_MAX_S = 4.0


class OnAir:
    def __init__(
        self,
        scheduler: Scheduler,
        icecast: IcecastTarget | None = None,
        watch: Watch | None = None,
        leadership: Leadership | None = None,
        retention: Retention | None = None,
    ) -> None:
        self.scheduler = scheduler
        renderer = scheduler.speech.renderer
        self.retention = retention or Retention(
            scheduler.sessions,
            renderer.programs,
            scheduler.clock,
            scheduler.alarms,
            renderer.cache.max_bytes,
        )
        self.leadership = leadership
        self.leading = leadership is None  # alone, it always plays out
        self.receivers = Listeners(self.playout_channel_drop)  # open streams, by receiver
        self.alarms = scheduler.alarms
        self.icecast = icecast
        self.watch = watch or Watch(scheduler.sessions)
        self.watch.alarms = self.watch.alarms or scheduler.alarms
        self.asrun = AsRunLog(scheduler.sessions)
        self.feeds = Feeds(self.alarms, self.asrun.remark)  # the relays on air
        self.playout = Playout(silence(), self._record)
        self._sources: dict[str, asyncio.Task[None]] = {}
        self._threads = ThreadPoolExecutor(8, thread_name_prefix="onair")
        self._jobs: AsyncIOScheduler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = asyncio.Event()
        self._busy = 0
        self._failures: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}
        self._last_pass = time.monotonic()
        self._settled = Tick()  # missed and failed airings, for the watch's alerts

    def wake(self) -> None:
        """Run the emergency job now rather than within a quarter second: an emergency was
        just made. Safe to call from any thread."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._kick)

    def _kick(self) -> None:
        if self._jobs is not None and self._jobs.running:
            with contextlib.suppress(Exception):
                self._jobs.modify_job("emergencies", next_run_time=datetime.now(UTC))

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """On air for as long as the context is open: an application's lifespan. With a
        lease to hold, the first try to lead is made before the server answers anyone, so
        a lone `radio serve` never redirects its first listeners to nobody."""
        self._loop = asyncio.get_running_loop()
        if self.leadership is not None:
            with contextlib.suppress(Exception):  # the database away: the lead job retries
                await self._lead()
        stop = asyncio.Event()
        task = asyncio.create_task(self.run(stop))
        try:
            yield
        finally:
            stop.set()
            await task

    async def run(self, stop: asyncio.Event) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), stop
        self._last_pass = time.monotonic()
        if self.leading and self.leadership is None:  # a leader resumed when it took over
            with contextlib.suppress(Exception):  # a database away at start: the jobs retry
                await self._resume()
        pacer = asyncio.create_task(self.playout.run(stop))
        self._jobs = self._start_jobs()
        try:
            await stop.wait()
        finally:
            self._jobs.shutdown(wait=False)
            while self._busy:
                await asyncio.sleep(0.05)
            with contextlib.suppress(Exception):
                await self._call(self.asrun.write)
            if self.leadership is not None and self.leading:
                with contextlib.suppress(Exception):
                    await self._call(self.leadership.release)
            await asyncio.gather(pacer, *self._sources.values())
            await self._call(self.feeds.stop)
            self._threads.shutdown(wait=False)

    def _start_jobs(self) -> AsyncIOScheduler:
        jobs = AsyncIOScheduler(timezone=UTC)
        steps: dict[str, Callable[[], Awaitable[None]]] = {
            "emergencies": self._emergencies,
            "pass": self._pass,
            "asrun": self._write_asrun,
            "watch": self._watch,
            "stalled": self._check_stalled,
            "revoked": self._hang_up_revoked,
            "programs": self._sweep_programs,
        }
        if self.leadership is not None:
            steps["lead"] = self._lead
        if self.icecast is not None:
            steps["icecast"] = self._push_new_zones
        now = datetime.now(UTC)
        for name, step in steps.items():
            jobs.add_job(
                self._guarded,
                "interval",
                args=(name, step),
                seconds=EVERY_S.get(name, ICECAST_EVERY_S),
                id=name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=1,
                next_run_time=now,
            )
        jobs.start()
        return jobs

    async def _guarded(self, name: str, step: Callable[[], Awaitable[None]]) -> None:
        """Run one job's step; a failure is an alert (once) and a retry with backoff."""
        if self._stop.is_set() or time.monotonic() < self._retry_at.get(name, 0.0):
            return
        if name in ON_AIR_JOBS and not self.leading:
            return
        self._busy += 1
        try:
            await step()
        except Exception as exc:
            self._job_failed(name, exc)
        else:
            if self._failures.pop(name, 0):
                self.alarms.resolve("onair-job-failed", f"job:{name}")
                if not any(self._failures.values()):
                    self.alarms.resolve("database-unavailable", "database")
            self._retry_at.pop(name, None)
        finally:
            self._busy -= 1

    def _job_failed(self, name: str, exc: Exception) -> None:
        failures = self._failures[name] = self._failures.get(name, 0) + 1
        delay = min(0.25 * 2 ** (failures - 1), BACKOFF_MAX_S.get(name, DEFAULT_BACKOFF_MAX_S))
        self._retry_at[name] = time.monotonic() + delay
        if isinstance(exc, DBAPIError):
            self.alarms.report(
                Problem(
                    "database-unavailable",
                    "database",
                    f"Mất kết nối cơ sở dữ liệu: {exc.__class__.__name__}",
                    f"The database is unavailable: {exc.__class__.__name__}",
                )
            )
        problem = Problem(
            "onair-job-failed",
            f"job:{name}",
            f"Phát sóng: tác vụ «{name}» bị lỗi, đang thử lại: {exc}",
            f"On air: the «{name}» job failed and is retrying: {exc}",
        )
        if self.alarms.report(problem):
            log.error("on-air job %s failed; retrying with backoff", name, exc_info=exc)

    async def _call(self, fn: Callable[..., T], *args: Any) -> T:
        assert self._loop is not None
        return await self._loop.run_in_executor(self._threads, fn, *args)

    def _now(self) -> datetime:
        return self.scheduler.clock.now()

    async def _sweep_programs(self) -> None:
        await self._call(self.retention.sweep)

    async def _emergencies(self) -> None:
        tick = await self._call(self.scheduler.tick_emergencies)
        await self._hand_over(tick)

    async def _pass(self) -> None:
        tick = await self._call(self.scheduler.tick)
        await self._hand_over(tick)
        self._last_pass = time.monotonic()
        self.alarms.resolve("onair-stalled", "onair")

    async def _hand_over(self, tick: Tick) -> None:
        self._settled.missed += tick.missed
        self._settled.failed += tick.failed
        handed: list[Handed] = await self._call(
            claim, self.scheduler.sessions, self._now(), tick.due
        )
        self._air(handed)

    def _air(self, handed: list[Handed]) -> None:
        """To the channels; a relay's live input also to its source's feed."""
        for zone, play in handed:
            self.playout.play(zone, play)
            if play.live is not None and play.source:
                self._feed(play)

    def _feed(self, play: Play) -> None:
        """A relay's source to its live input; if it cannot be started (no thread left),
        the standby fills its time and the others are handed over all the same."""
        try:
            self.feeds.attach(play)
        except Exception as exc:
            log.error("relay of %s could not start", play.source, exc_info=exc)
            self.alarms.report(
                Problem(
                    "relay-lost",
                    f"relay:{play.source}",
                    f"Không bắt đầu được tiếp sóng {play.source}: {exc}",
                    f"The relay of {play.source} could not start: {exc}",
                )
            )

    async def _write_asrun(self) -> None:
        await self._call(self.feeds.prune, time.time())  # ended relays' notes, then all
        await self._call(self.asrun.write)
        await self._call(self.alarms.flush)

    async def _watch(self) -> None:
        settled, self._settled = self._settled, Tick()
        try:
            await self._call(self.watch.check, self._now(), settled, self._sounding)
        except Exception:
            self._settled.missed[:0], self._settled.failed[:0] = settled.missed, settled.failed
            raise

    async def _check_stalled(self) -> None:
        """In memory only: it must work while the database does not."""
        idle = time.monotonic() - self._last_pass
        if idle > STALLED_AFTER_S:
            self.alarms.report(
                Problem(
                    "onair-stalled",
                    "onair",
                    f"Phát sóng: chưa hoàn tất lượt lập lịch nào trong {idle:.0f} giây",
                    f"On air: no scheduler pass has completed for {idle:.0f} s",
                )
            )

    async def _lead(self) -> None:
        """Take or renew the lease; take over or step down when that changes."""
        assert self.leadership is not None
        # The database away: a leader keeps playing what it has (claims need the database,
        # so nothing new starts) and renews the lease as its own when it is back, unless
        # a standby that could reach the database took it meanwhile; then it steps down.
        held = await self._call(self.leadership.hold)
        if held:
            if not self.leading:
                await self._take_over()
        elif self.leading:
            self._step_down("another process holds the lease")

    async def _take_over(self) -> None:
        """Lead from now: resume what was on air; a failover (another process held the
        lease) is an alert, a first start is not."""
        assert self.leadership is not None
        self.leading = True
        self._last_pass = time.monotonic()
        resumed = await self._resume()
        if not self.leadership.took_from:
            return
        before, self.leadership.took_from = self.leadership.took_from, ""
        self.alarms.resolve("playout-failover", "playout")
        self.alarms.report(
            Problem(
                "playout-failover",
                "playout",
                f"Phát sóng chuyển từ {before} sang {self.leadership.holder};"
                f" tiếp tục {resumed} chương trình",
                f"Playout taken over from {before} by {self.leadership.holder};"
                f" {resumed} program(s) resumed",
            )
        )

    def _step_down(self, why: str) -> None:
        log.warning("no longer leading playout: %s", why)
        self.leading = False
        self.playout.clear()
        self._threads.submit(self.feeds.stop)

    async def _resume(self) -> int:
        handed = await self._call(resume, self.scheduler.sessions, self._now())
        self._air(handed)
        return len(handed)

    async def _hang_up_revoked(self) -> None:
        connected = self.receivers.ids()
        if connected:
            for receiver_id in await self._call(self._revoked, connected):
                self.receivers.hang_up(receiver_id)

    def _revoked(self, ids: list[int]) -> set[int]:
        """Of these receivers, the ones revoked or deleted since they connected."""
        with self.scheduler.sessions() as db:
            allowed = set(
                db.scalars(
                    select(Receiver.id).where(Receiver.id.in_(ids), Receiver.revoked.is_(False))
                )
            )
        return set(ids) - allowed

    def playout_channel_drop(self, zone: str, listener: Listener) -> None:
        self.playout.channel(zone).drop(listener)

    def _sounding(self, zone: str) -> bool:
        channel = self.playout.channels.get(zone)
        return channel is not None and (channel.current is not None or bool(channel.queue))

    async def _push_new_zones(self) -> None:
        """With Icecast configured, every zone (new ones too) gets its source."""
        assert self.icecast is not None
        for zone in await self._call(self._zones):
            if zone not in self._sources:
                channel = self.playout.channel(zone)
                self._sources[zone] = asyncio.create_task(push(self.icecast, channel, self._stop))

    def _zones(self) -> list[str]:
        with self.scheduler.sessions() as db:
            return list(db.scalars(select(Zone.slug).where(Zone.retired_at.is_(None))))

    def _record(self, zone: str, event: Event) -> None:
        listeners = len(self.playout.channel(zone).listeners)
        self.asrun.note(event, self._now(), listeners)
