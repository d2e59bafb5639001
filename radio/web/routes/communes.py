"""Communes and their zones (hamlets), with each zone's volume and quiet hours."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from radio.access import scope
from radio.access.deps import Db, Me, Operator, Svc
from radio.access.roles import Permission, require
from radio.audit import audit
from radio.errors import Conflict, Invalid
from radio.models import Commune, Zone
from radio.places import retire_zone
from radio.web.errors import problems
from radio.web.schemas import CommuneOut, Out, Place, Slug

router = APIRouter(prefix="/api", tags=["communes"], responses=problems(401, 422, 503))

_SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class NewZone(Place):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    commune: str | None = None


class ZoneOut(Out):
    slug: str
    name: str
    commune: Slug
    latitude: float | None = None
    longitude: float | None = None


class NewCommune(BaseModel):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    # the administrative code (mã đơn vị hành chính) that CAP alerts' geocodes name
    geocode: str | None = Field(default=None, pattern=r"^[0-9A-Za-z.-]{1,32}$")


class ZoneVolume(BaseModel):
    volume: int = Field(ge=0, le=100)
    quiet_from: str | None = Field(default=None, pattern=_HHMM)
    quiet_until: str | None = Field(default=None, pattern=_HHMM)
    quiet_volume: int | None = Field(default=None, ge=0, le=100)


class ZoneVolumeOut(ZoneVolume):
    zone: str


@router.get("/communes")
def list_communes(user: Me, db: Db) -> list[CommuneOut]:
    return [CommuneOut.model_validate(c) for c in db.scalars(scope.communes(user))]


@router.post("/communes", status_code=201, responses=problems(403, 409))
def add_commune(body: NewCommune, user: Operator, db: Db) -> CommuneOut:
    require(user, Permission.ABOVE)
    if db.scalar(select(Commune).where(Commune.slug == body.slug)):
        raise Conflict(f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
    commune = Commune(slug=body.slug, name=body.name, geocode=body.geocode)
    db.add(commune)
    audit(db, user, "add-commune", f"commune:{body.slug}", name=body.name)
    return CommuneOut.model_validate(commune)


@router.put("/communes/{slug}", responses=problems(403, 404, 409))
def rename_commune(slug: str, body: NewCommune, user: Operator, db: Db) -> CommuneOut:
    """Rename a commune (its slug may change too)."""
    commune = scope.commune(db, user, slug)
    same = select(Commune).where(Commune.slug == body.slug, Commune.id != commune.id)
    if db.scalar(same):
        raise Conflict(f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
    commune.slug, commune.name, commune.geocode = body.slug, body.name, body.geocode
    audit(
        db,
        user,
        "rename-commune",
        f"commune:{slug}",
        slug=body.slug,
        name=body.name,
        geocode=body.geocode,
    )
    return CommuneOut.model_validate(commune)


@router.get("/zones")
def list_zones(user: Me, db: Db) -> list[ZoneOut]:
    return [ZoneOut.model_validate(z) for z in db.scalars(scope.zones(user))]


@router.post("/zones", status_code=201, responses=problems(403, 409))
def add_zone(body: NewZone, user: Operator, db: Db) -> ZoneOut:
    if db.scalar(select(Zone).where(Zone.slug == body.slug)):
        raise Conflict(f"zone {body.slug!r} exists", f"khu vực '{body.slug}' đã có")
    commune = scope.for_new(db, user, body.commune or None)
    body.check()
    zone = Zone(slug=body.slug, name=body.name, commune=commune)
    zone.latitude, zone.longitude = body.latitude, body.longitude
    db.add(zone)
    db.flush()
    return ZoneOut.model_validate(zone)


@router.put("/zones/{slug}/place", responses=problems(403, 404))
def place_zone(slug: str, body: Place, user: Operator, db: Db) -> ZoneOut:
    """Set (or, with both null, clear) where the zone's loudspeakers stand."""
    zone = scope.zone(db, user, slug)
    body.check()
    zone.latitude, zone.longitude = body.latitude, body.longitude
    audit(db, user, "place-zone", f"zone:{slug}", latitude=body.latitude, longitude=body.longitude)
    return ZoneOut.model_validate(zone)


@router.delete("/zones/{slug}", status_code=204, responses=problems(403))
def delete_zone(slug: str, user: Operator, db: Db, services: Svc) -> None:
    """Deleted if it never aired anything; else retired, its history kept (as-run rows,
    receipts), its receivers revoked and its pending airings cancelled."""
    retire_zone(db, user, scope.zone(db, user, slug), services.clock.now())


@router.put("/zones/{slug}/volume", responses=problems(403))
def zone_volume(slug: str, body: ZoneVolume, user: Operator, db: Db) -> ZoneVolumeOut:
    """The zone's volume and its quiet hours; receivers get it with their next
    heartbeat."""
    if (body.quiet_from is None) != (body.quiet_until is None):
        raise Invalid(
            "quiet hours need both a start and an end",
            "giờ yên tĩnh cần cả giờ bắt đầu và giờ kết thúc",
            field="quiet_until",
        )
    zone = scope.zone(db, user, slug)
    zone.volume, zone.quiet_volume = body.volume, body.quiet_volume
    zone.quiet_from, zone.quiet_until = body.quiet_from, body.quiet_until
    audit(db, user, "volume", f"zone:{slug}", **body.model_dump())
    return ZoneVolumeOut(zone=slug, **body.model_dump())
