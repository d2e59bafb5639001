"""Emergency broadcasts: at once on the chosen zones, optionally again every N minutes until
cancelled. Only users with the emergency right; every one is audited."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field

from radio import communes, emergencies
from radio.deps import Db, Me, Svc, commit_and_wake, program_json
from schedules import local_iso


class EmergencyIn(BaseModel):
    announcement_id: int
    zones: list[str] = Field(min_length=1)
    repeat_minutes: int | None = Field(default=None, ge=1, le=720)


def add_emergency_routes(app: FastAPI) -> None:
    @app.post("/api/emergency", status_code=201)
    def emergency(
        body: EmergencyIn, request: Request, user: Me, db: Db, services: Svc
    ) -> dict[str, Any]:
        emergencies.require_right(user)  # before any rendering
        announcement = communes.announcement(db, user, body.announcement_id)
        zones = [communes.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
        program = services.render(db, announcement.current)
        airings, repeat = emergencies.start(
            db, user, announcement, program.hash, zones, services.clock.now(), body.repeat_minutes
        )
        commit_and_wake(request, db)
        return {
            "airings": [a.id for a in airings],
            "program": program_json(program),
            "repeat": repeat.id if repeat else None,
        }

    @app.get("/api/emergency/repeats")
    def repeats(user: Me, db: Db) -> list[dict[str, Any]]:
        """Emergencies coming back every N minutes until cancelled."""
        return [
            {
                "id": r.id,
                "announcement_id": r.announcement_id,
                "title": r.announcement.title,
                "every_minutes": r.every_minutes,
                "next_at": local_iso(r.next_at),
            }
            for r in emergencies.active(db, user)
        ]

    @app.post("/api/emergency/repeats/{repeat_id}/cancel")
    def cancel_repeat(repeat_id: int, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        repeat = emergencies.cancel(db, user, repeat_id, services.clock.now())
        return {"id": repeat.id, "cancelled_at": local_iso(repeat.cancelled_at)}
