"""The service itself: health (for supervisors and load balancers) and the synthesis
cache's figures."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from radio.access.deps import Db, Me, Svc
from radio.web.errors import problems
from radio.web.schemas import Moment
from voices.store.segments import CacheStats

router = APIRouter(prefix="/api", tags=["service"])


class HealthOut(BaseModel):
    status: str
    time: Moment  # the server's clock


@router.get("/health", responses=problems(503))
def health(db: Db, services: Svc) -> HealthOut:
    db.execute(select(1))
    return HealthOut(status="ok", time=services.clock.now())


@router.get("/cache/stats", responses=problems(401))
def cache_stats(user: Me, services: Svc) -> CacheStats:
    """Entries, hits and misses, evictions, and the synthesis time the cache saved."""
    return services.speech.renderer.cache.stats()
