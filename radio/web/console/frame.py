"""What every console page shares: rendering a template in the reader's language with the
navigation their permissions allow, and sending a visitor without a session to the login
page and back."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates

from radio.access import sessions
from radio.access.csrf import csrf_for
from radio.access.deps import SESSION_COOKIE, Db, Svc, session_token
from radio.access.roles import Permission, may
from radio.errors import Unauthenticated
from radio.languages import LANGUAGES
from radio.languages import name as language_name
from radio.models import Revision, Source, User
from radio.services import Services
from radio.web.console.i18n import LANGS, translator
from schedules import local_time
from voices import Catalog, VoiceError

HERE = Path(__file__).parent
jinja = Jinja2Templates(directory=HERE / "templates")
LANG_COOKIE = "loaxa_lang"

# (path, label key, the permission that shows it; none: everyone signed in)
NAV: list[tuple[str, str, Permission | None]] = [
    ("/", "dashboard", None),
    ("/compose", "compose", Permission.COMPOSE),
    ("/review", "review", Permission.REVIEW),
    ("/announcements", "announcements", None),
    ("/asrun", "asrun", None),
    ("/receivers", "receivers", None),
    ("/map", "map_page", None),
    ("/voices", "voices", None),
    ("/relay", "relay_page", None),
    ("/live", "live_page", Permission.LIVE),
    ("/bulletins", "bulletins", None),
    ("/cap", "cap_page", Permission.ABOVE),
    ("/federation", "federation_page", None),
    ("/reports", "reports", None),
    ("/emergency", "emergency_page", None),
    ("/admin", "admin", Permission.OPERATE),
]


class SignIn(Exception):
    """The page needs a signed-in user; carries where to come back to."""

    def __init__(self, target: str) -> None:
        self.target = target


def page(
    request: Request,
    template: str,
    user: User | None,
    media_type: str = "text/html; charset=utf-8",
    **context: Any,
) -> Response:
    """Render a page in the reader's language; `?lang=` switches it and is remembered."""
    asked = request.query_params.get("lang")
    lang = asked if asked in LANGS else request.cookies.get(LANG_COOKIE, "vi")
    lang = lang if lang in LANGS else "vi"
    token = session_token(request)
    services: Services = request.app.state.services
    response = jinja.TemplateResponse(
        request,
        template,
        {
            "t": translator(lang),
            "lang": lang,
            "user": user,
            "csrf": csrf_for(token) if token and user else "",
            "nav": [
                (path, key)
                for path, key, needs in NAV
                if user is not None and (needs is None or may(user, needs))
            ],
            "path": request.url.path,
            "local": _local,
            "voice_name": _voice_name(services.catalog),
            "made_of": _made_of(_voice_name(services.catalog), translator(lang)),
            "languages": LANGUAGES,
            **context,
        },
        media_type=media_type,
    )
    if asked in LANGS:
        response.set_cookie(LANG_COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return response


def signed_in(request: Request, db: Db, services: Svc) -> User:
    """The user of the session cookie, or off to the login page (saying so when the
    session has expired) and back here after."""
    token = request.cookies.get(SESSION_COOKIE)
    try:
        return sessions.user_for(db, token, services.clock.now())
    except Unauthenticated:
        back = quote(str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""))
        expired = "&expired=1" if token else ""
        raise SignIn(f"/login?next={back}{expired}") from None


Viewer = Annotated[User, Depends(signed_in)]


def _voice_name(catalog: Catalog) -> Callable[[str], str]:
    """A voice's name as people know it ("Giọng nữ miền Bắc (eSpeak)"); its id when the
    voice is no longer installed. Looked up once per voice and page: the catalog reads
    the voices directory."""

    @functools.cache
    def name(voice_id: str) -> str:
        try:
            return catalog.info(voice_id).name
        except VoiceError:
            return voice_id

    return name


def _made_of(
    voice_name: Callable[[str], str], t: Callable[[str], str]
) -> Callable[[Revision], str]:
    """What a revision's audio is made of, in a line: the voice and its rate, "a
    recording" and its language, or the station it relays."""

    def made_of(revision: Revision) -> str:
        if revision.source == Source.RELAY:
            return f"{t('relay')} · {revision.text}"  # the source's name
        if revision.recorded:
            return f"{t('recording')} · {language_name(revision.language)}"
        spoken = f"{voice_name(revision.voice)} · {revision.rate}×"
        if revision.source != Source.MIXED:
            return spoken
        heard = ", ".join(language_name(code) for code in revision.languages)
        return f"{spoken} · {t('mixed')}: {heard}"

    return made_of


def _local(moment: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    return local_time(moment).strftime(fmt) if moment else ""
