"""The loudspeaker map for other systems: GeoJSON of the zones and loudspeakers the user
sees, each loudspeaker with its state now (radio.geo)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response

from radio import geo as places_map
from radio.access import scope
from radio.access.deps import Db, Me, Svc
from radio.models import Receiver
from radio.web.errors import problems

router = APIRouter(prefix="/api", tags=["map"], responses=problems(401, 503))
GEOJSON = {"type": "object", "description": "A GeoJSON FeatureCollection (RFC 7946)"}


@router.get(
    "/map.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {"schema": GEOJSON}}}},
)
def loudspeaker_map(user: Me, db: Db, services: Svc) -> Response:
    """Placed zones (points) and loudspeakers (points: playing, silent, online, or offline
    since when) and each zone's outline (the hull of its places)."""
    receivers = scope.receivers(user).where(Receiver.revoked.is_(False))
    document = places_map.collection(db, scope.zones(user), receivers, services.clock.now())
    return Response(json.dumps(document), media_type="application/geo+json")
