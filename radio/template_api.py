"""Emergency templates over the API: save one (its fixed parts are synthesized then), list
them, and use one: fill its fields, and it is on the chosen zones at once, repeated every
N minutes if asked, until cancelled."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio import communes, emergencies, templates
from radio.auth import require
from radio.deps import Db, Me, Services, Svc, commit_and_wake, program_json
from radio.errors import ApiError, not_found
from radio.models import Priority, Role, Template, User
from voices import SynthesisParams, normalizer_for


class TemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    text: str
    voice: str
    rate: float = 1.0
    chime: bool = True


class TemplateUse(BaseModel):
    fields: dict[str, str]
    zones: list[str] = Field(min_length=1)
    repeat_minutes: int | None = Field(default=None, ge=1, le=720)


def add_template_routes(app: FastAPI) -> None:
    @app.get("/api/templates")
    def listed(user: Me, db: Db) -> list[dict[str, Any]]:
        return [_json(t) for t in db.scalars(communes.templates(user))]

    @app.post("/api/templates", status_code=201)
    def save(body: TemplateIn, user: Me, db: Db, services: Svc) -> dict[str, Any]:
        """Saved, and its fixed parts synthesized into the cache now, not in an emergency."""
        require(user, Role.OFFICER, Role.OPERATOR)
        flow.check(flow.Draft(body.name, body.text, body.voice, body.rate), services.catalog)
        parsed = templates.parse(body.text)
        template = Template(
            name=body.name.strip(),
            text=body.text,
            voice=body.voice,
            rate=body.rate,
            chime=body.chime,
            commune_id=user.commune_id,
            created_by_id=user.id,
        )
        db.add(template)
        db.flush()
        synthesized = _warm(services, template, list(parsed.fixed))
        flow.audit(db, user, "add-template", f"template:{template.id}")
        return {**_json(template), "synthesized": synthesized}

    @app.delete("/api/templates/{template_id}", status_code=204)
    def delete(template_id: int, user: Me, db: Db, services: Svc) -> None:
        require(user, Role.OFFICER, Role.OPERATOR)
        template = _template(db, user, template_id)
        if template.commune_id != user.commune_id and user.commune_id is not None:
            raise ApiError(
                403,
                "the level above's templates are the level above's to delete",
                "mẫu của cấp trên chỉ cấp trên được xóa",
            )
        flow.audit(db, user, "delete-template", _owner(template))
        services.renderer.cache.release(_owner(template))
        db.delete(template)

    @app.post("/api/templates/{template_id}/emergency", status_code=201)
    def use(
        template_id: int, body: TemplateUse, request: Request, user: Me, db: Db, services: Svc
    ) -> dict[str, Any]:
        """Filled and on air: only the fields are synthesized (the answer says how long
        that took), then it cuts into the zones like any emergency."""
        emergencies.require_right(user)
        template = _template(db, user, template_id)
        zones = [communes.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
        parts = templates.fill(templates.parse(template.text), body.fields)
        speech = flow.Speech(template.voice, template.rate, template.chime)
        started = time.perf_counter()
        rendered = flow.render_parts(
            parts, speech, services.catalog, services.renderer, services.lexicon()
        )
        took = time.perf_counter() - started
        program = flow.program_row(db, rendered)
        announcement = flow.made_elsewhere(
            db,
            user,
            template.name,
            templates.filled_text(parts),
            speech,
            program.hash,
            template_id=template.id,
            commune_id=user.commune_id,
            priority=Priority.EMERGENCY,
        )
        airings, repeat = emergencies.start(
            db, user, announcement, program.hash, zones, services.clock.now(), body.repeat_minutes
        )
        commit_and_wake(request, db)
        return {
            "announcement_id": announcement.id,
            "airings": [a.id for a in airings],
            "repeat": repeat.id if repeat else None,
            "program": program_json(program),
            "segments_synthesized": sum(not s.hit for s in rendered.segments),
            "synthesis_seconds": round(sum(s.synthesis_seconds for s in rendered.segments), 3),
            "render_seconds": round(took, 3),
        }


def _warm(services: Services, template: Template, fixed: list[str]) -> int:
    return services.renderer.warm(
        fixed,
        services.catalog.synthesizer(template.voice),
        SynthesisParams(rate=template.rate),
        normalizer_for(services.catalog.info(template.voice), services.lexicon()),
        keep_for=_owner(template),
    )


def _owner(template: Template) -> str:
    return f"template:{template.id}"


def _template(db: Session, user: User, template_id: int) -> Template:
    template = db.get(Template, template_id)
    if template is None or not (
        template.commune_id is None or communes.sees(user, template.commune_id)
    ):
        raise not_found("template", "mẫu thông báo")
    return template


def _json(template: Template) -> dict[str, Any]:
    return {
        "id": template.id,
        "name": template.name,
        "text": template.text,
        "voice": template.voice,
        "rate": template.rate,
        "chime": template.chime,
        "fields": list(templates.parse(template.text).fields),
    }
