"""The loudspeaker map as GeoJSON (RFC 7946): each placed loudspeaker as a point with its
state now, each placed zone as a point, and each zone's outline (the convex hull of its
place and its loudspeakers', when they make an area). The console draws it; other
systems (the district's GIS) read the same document.

A loudspeaker's state: `playing` (its last heartbeat said so), `silent` (online while its
zone is on air, yet playing nothing: a fault to go and see), `online`, or `offline` since
it was last heard (or never heard from).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from radio.airtime.timeline import on_air_now
from radio.models import Receiver, Zone

Point = tuple[float, float]  # (longitude, latitude), as GeoJSON orders them


def state(receiver: Receiver, zone_on_air: bool, now: datetime) -> str:
    if not receiver.online(now):
        return "offline"
    if receiver.playing:
        return "playing"
    return "silent" if zone_on_air else "online"


def collection(
    db: Session, zones: Select[Zone], receivers: Select[Receiver], now: datetime
) -> dict[str, Any]:
    """The zones and loudspeakers the queries give (the user's own), as one collection."""
    features: list[dict[str, Any]] = []
    on_air: dict[int, str | None] = {}
    placed: dict[int, list[Point]] = {}
    slugs: dict[int, str] = {}
    for zone in db.scalars(zones):
        slugs[zone.id] = zone.slug
        airing = on_air_now(db, zone)
        on_air[zone.id] = airing.announcement.title if airing else None
        if zone.latitude is not None and zone.longitude is not None:
            spot = (zone.longitude, zone.latitude)
            placed.setdefault(zone.id, []).append(spot)
            features.append(_zone(zone, spot, on_air[zone.id]))
    for receiver in db.scalars(receivers):
        if receiver.latitude is None or receiver.longitude is None:
            continue
        if receiver.zone_id not in on_air:
            continue
        spot = (receiver.longitude, receiver.latitude)
        placed.setdefault(receiver.zone_id, []).append(spot)
        live = state(receiver, on_air[receiver.zone_id] is not None, now)
        features.append(_receiver(receiver, spot, live))
    for zone_id, spots in placed.items():
        ring = hull(spots)
        if len(ring) >= 3:
            features.append(_outline(slugs[zone_id], ring))
    return {"type": "FeatureCollection", "features": features}


def _point(key: str, spot: Point, properties: dict[str, Any]) -> dict[str, Any]:
    geometry = {"type": "Point", "coordinates": list(spot)}
    return {"type": "Feature", "id": key, "geometry": geometry, "properties": properties}


def _zone(zone: Zone, spot: Point, on_air: str | None) -> dict[str, Any]:
    return _point(
        f"zone:{zone.slug}",
        spot,
        {
            "kind": "zone",
            "zone": zone.slug,
            "name": zone.name,
            "commune": zone.commune.slug,
            "on_air": on_air,
        },
    )


def _receiver(receiver: Receiver, spot: Point, live: str) -> dict[str, Any]:
    seen = receiver.last_seen.isoformat() if receiver.last_seen else None
    return _point(
        f"receiver:{receiver.id}",
        spot,
        {
            "kind": "receiver",
            "id": receiver.id,
            "name": receiver.name,
            "zone": receiver.zone.slug,
            "state": live,
            "last_seen": seen,
            "offline_since": seen if live == "offline" else None,
            "playing": receiver.playing,
            "volume": receiver.volume,
        },
    )


def _outline(zone: str, ring: list[Point]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": f"outline:{zone}",
        "geometry": {"type": "Polygon", "coordinates": [[*map(list, ring), list(ring[0])]]},
        "properties": {"kind": "outline", "zone": zone},
    }


def hull(points: list[Point]) -> list[Point]:
    """The convex hull, counter-clockwise (GeoJSON's exterior rings), by the monotone
    chain; fewer than three distinct points give what there is."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: Point, a: Point, b: Point) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[Point] = []
    upper: list[Point] = []
    for p in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]
