"""Communes and their zones (hamlets), with each zone's volume and quiet hours."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field
from sqlalchemy import select

from radio import announcements as flow
from radio import auth, communes
from radio.deps import Db, Me
from radio.errors import ApiError, not_found
from radio.models import Commune, Role, Zone

_SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
_HHMM = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


class NewZone(BaseModel):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)
    commune: str | None = None


class NewCommune(BaseModel):
    slug: str = Field(pattern=_SLUG)
    name: str = Field(min_length=1, max_length=200)


class ZoneVolume(BaseModel):
    volume: int = Field(ge=0, le=100)
    quiet_from: str | None = Field(default=None, pattern=_HHMM)
    quiet_until: str | None = Field(default=None, pattern=_HHMM)
    quiet_volume: int | None = Field(default=None, ge=0, le=100)


def add_commune_routes(app: FastAPI) -> None:
    @app.get("/api/communes")
    def list_communes(user: Me, db: Db) -> list[dict[str, Any]]:
        return [communes.commune_json(c) for c in db.scalars(communes.communes(user))]

    @app.post("/api/communes", status_code=201)
    def add_commune(body: NewCommune, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        communes.require_above(user)
        if db.scalar(select(Commune).where(Commune.slug == body.slug)):
            raise ApiError(409, f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
        commune = Commune(slug=body.slug, name=body.name)
        db.add(commune)
        flow.audit(db, user, "add-commune", f"commune:{body.slug}", name=body.name)
        return communes.commune_json(commune)

    @app.put("/api/communes/{slug}")
    def rename_commune(slug: str, body: NewCommune, user: Me, db: Db) -> dict[str, Any]:
        """Rename a commune (its slug may change too)."""
        auth.require(user, Role.OPERATOR)
        commune = communes.by_slug(db, slug)
        if not communes.sees(user, commune.id):
            raise not_found("commune", "xã")
        same = select(Commune).where(Commune.slug == body.slug, Commune.id != commune.id)
        if db.scalar(same):
            raise ApiError(409, f"commune {body.slug!r} exists", f"xã '{body.slug}' đã có")
        commune.slug, commune.name = body.slug, body.name
        flow.audit(db, user, "rename-commune", f"commune:{slug}", slug=body.slug, name=body.name)
        return communes.commune_json(commune)

    @app.get("/api/zones")
    def zones(user: Me, db: Db) -> list[dict[str, Any]]:
        return [
            {"slug": z.slug, "name": z.name, "commune": z.commune.slug}
            for z in db.scalars(communes.zones(user))
        ]

    @app.post("/api/zones", status_code=201)
    def add_zone(body: NewZone, user: Me, db: Db) -> dict[str, Any]:
        auth.require(user, Role.OPERATOR)
        if db.scalar(select(Zone).where(Zone.slug == body.slug)):
            raise ApiError(409, f"zone {body.slug!r} exists", f"khu vực '{body.slug}' đã có")
        commune = communes.for_new(db, user, body.commune or None)
        db.add(Zone(slug=body.slug, name=body.name, commune=commune))
        return {"slug": body.slug, "name": body.name, "commune": commune.slug}

    @app.delete("/api/zones/{slug}", status_code=204)
    def delete_zone(slug: str, user: Me, db: Db) -> None:
        auth.require(user, Role.OPERATOR)
        db.delete(communes.zone(db, user, slug))

    @app.put("/api/zones/{slug}/volume")
    def zone_volume(slug: str, body: ZoneVolume, user: Me, db: Db) -> dict[str, Any]:
        """The zone's volume and its quiet hours; receivers get it with their next
        heartbeat."""
        auth.require(user, Role.OPERATOR)
        if (body.quiet_from is None) != (body.quiet_until is None):
            raise ApiError(
                422,
                "quiet hours need both a start and an end",
                "giờ yên tĩnh cần cả giờ bắt đầu và giờ kết thúc",
                field="quiet_until",
            )
        zone = communes.zone(db, user, slug)
        zone.volume, zone.quiet_volume = body.volume, body.quiet_volume
        zone.quiet_from, zone.quiet_until = body.quiet_from, body.quiet_until
        flow.audit(db, user, "volume", f"zone:{slug}", **body.model_dump())
        return {"zone": slug, **body.model_dump()}
