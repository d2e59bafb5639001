"""The service itself: health (for supervisors and load balancers) and the synthesis
cache's figures."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from radio.access.deps import Db, Me, Svc
from radio.web.errors import problems
from radio.web.schemas import Moment

router = APIRouter(prefix="/api", tags=["service"])


class HealthOut(BaseModel):
    status: str
    time: Moment  # the server's clock


class CacheStatsOut(BaseModel):
    entries: int
    bytes: int
    max_bytes: int
    hits: int
    misses: int
    evictions: int
    corrupt: int
    synthesis_seconds: float  # time spent synthesizing segments
    seconds_saved: float  # synthesis time the cache saved
    hit_rate: float


@router.get("/health", responses=problems(503))
def health(db: Db, services: Svc) -> HealthOut:
    db.execute(select(1))
    return HealthOut(status="ok", time=services.clock.now())


@router.get("/cache/stats", responses=problems(401))
def cache_stats(user: Me, services: Svc) -> CacheStatsOut:
    stats = services.speech.renderer.cache.stats()
    return CacheStatsOut(**asdict(stats), hit_rate=stats.hit_rate)
