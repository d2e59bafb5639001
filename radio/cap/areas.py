"""Which of the station's zones an alert's areas cover: a zone whose loudspeakers stand
inside one of the polygons or circles, and every zone of a commune one of the geocodes
names (its administrative code). A zone with no coordinates is reached by geocode only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import pairwise

from radio.cap.document import Area
from radio.models import Zone

EARTH_RADIUS_KM = 6371.0


def covered(areas: Iterable[Area], zones: Iterable[Zone]) -> list[Zone]:
    """The zones (not retired) any of the areas covers, in the order given."""
    areas = list(areas)
    return [z for z in zones if z.retired_at is None and any(_covers(a, z) for a in areas)]


def _covers(area: Area, zone: Zone) -> bool:
    code = zone.commune.geocode
    if code and any(value.strip() == code for _, value in area.geocodes):
        return True
    if zone.latitude is None or zone.longitude is None:
        return False
    point = (zone.latitude, zone.longitude)
    return any(inside(point, p) for p in area.polygons) or any(
        distance_km(point, (lat, lon)) <= radius for lat, lon, radius in area.circles
    )


def inside(point: tuple[float, float], polygon: list[tuple[float, float]]) -> bool:
    """Ray casting in the plane of latitude and longitude: fine at a province's scale."""
    y, x = point
    result = False
    for (y1, x1), (y2, x2) in pairwise(polygon):
        if (y1 > y) != (y2 > y):
            crossing = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < crossing:
                result = not result
    return result


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))
