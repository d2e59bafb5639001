"""Emergency templates over the API: save one (its fixed parts are synthesized then), list
them, and use one: fill its fields, and it is on the chosen zones at once, repeated every
N minutes if asked, until cancelled."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, computed_field

from radio.access import scope
from radio.access.deps import Composer, Db, EmergencyHolder, Me, Svc
from radio.airtime import templates
from radio.models import Template
from radio.web.errors import problems
from radio.web.schemas import Out, ProgramOut
from radio.web.wake import commit_and_wake

router = APIRouter(prefix="/api", tags=["templates"], responses=problems(401, 422, 503))


class TemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    text: str  # fields in braces: «Lũ quét tại thôn {thôn} lúc {giờ}.»
    voice: str
    rate: float = 1.0
    chime: bool = True


class TemplateOut(Out):
    id: int
    name: str
    text: str
    voice: str
    rate: float
    chime: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fields(self) -> list[str]:
        """The fields to fill, in the order they come."""
        return list(templates.parse(self.text).fields)


class SavedTemplateOut(TemplateOut):
    synthesized: int  # segments synthesized now, so that an emergency need not


class TemplateUse(BaseModel):
    fields: dict[str, str]
    zones: list[str] = Field(min_length=1)
    repeat_minutes: int | None = Field(default=None, ge=1, le=720)


class TemplateEmergencyOut(BaseModel):
    announcement_id: int
    airings: list[int]
    repeat: int | None
    program: ProgramOut
    segments_synthesized: int  # only the fields'
    synthesis_seconds: float
    render_seconds: float


@router.get("/templates")
def list_templates(user: Me, db: Db) -> list[TemplateOut]:
    return [TemplateOut.model_validate(t) for t in db.scalars(scope.templates(user))]


@router.post("/templates", status_code=201, responses=problems(403, 413))
def save_template(body: TemplateIn, user: Composer, db: Db, services: Svc) -> SavedTemplateOut:
    """Saved, and its fixed parts synthesized into the cache now, not in an emergency."""
    template = Template(
        name=body.name, text=body.text, voice=body.voice, rate=body.rate, chime=body.chime
    )
    synthesized = templates.save(db, user, template, services.speech)
    saved = TemplateOut.model_validate(template).model_dump(exclude={"fields"})
    return SavedTemplateOut(**saved, synthesized=synthesized)


@router.delete("/templates/{template_id}", status_code=204, responses=problems(403, 404))
def delete_template(template_id: int, user: Composer, db: Db, services: Svc) -> None:
    templates.delete(db, user, scope.template(db, user, template_id), services.speech)


@router.post("/templates/{template_id}/emergency", status_code=201, responses=problems(403, 404))
def use_template(
    template_id: int,
    body: TemplateUse,
    request: Request,
    user: EmergencyHolder,
    db: Db,
    services: Svc,
) -> TemplateEmergencyOut:
    """Filled and on air: only the fields are synthesized (the answer says how long
    that took), then it cuts into the zones like any emergency."""
    template = scope.template(db, user, template_id)
    zones = [scope.zone(db, user, slug) for slug in dict.fromkeys(body.zones)]
    now = services.clock.now()
    used = templates.use(
        db, user, template, body.fields, zones, now, body.repeat_minutes, services.speech
    )
    commit_and_wake(request, db)
    segments = used.rendered.segments
    return TemplateEmergencyOut(
        announcement_id=used.announcement.id,
        airings=[a.id for a in used.airings],
        repeat=used.repeat.id if used.repeat else None,
        program=ProgramOut.model_validate(used.program),
        segments_synthesized=sum(not s.hit for s in segments),
        synthesis_seconds=round(sum(s.synthesis_seconds for s in segments), 3),
        render_seconds=round(used.render_seconds, 3),
    )
