"""Live speech over a WebSocket: the console's microphone to the zones' loudspeakers.

The exchange, in order:
1. the client opens `/api/live` signed in (the console's session cookie, or a script's
   `Authorization: Bearer` token, as `radio live` does) and sends one JSON message,
   `{"csrf": <the session's CSRF token, with the cookie only>, "zones": [<zone slugs>]}`;
2. the server answers `{"state": "on-air", "announcement": <id>}`, or an error
   (`{"error": {"vi": …, "en": …}}`, then it closes with code 4400, 4401 or 4403);
3. the client sends binary messages of mono 16-bit little-endian PCM at 22,050 Hz as it
   is spoken, and the text `stop` when done (or simply closes);
4. the server answers `{"state": "off-air", "program": <the recording's hash>,
   "seconds": …}` and closes (with an `error` instead of the program, and code 1011, if
   the recording could not be archived).
A speaker who sends nothing for QUIET_LINK_S (a phone that lost its link) is taken off
the air.
The speech ends on its own after `radio.live.MAX_LIVE_S`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocketState

from radio import live
from radio.access import csrf, sessions
from radio.access.deps import SESSION_COOKIE
from radio.alerts import Problem
from radio.errors import Forbidden, Invalid, Refusal, Unauthenticated
from radio.models import Program, User
from radio.onair import OnAir
from radio.onair.microphone import Microphone
from radio.services import Services
from radio.speech import program_row

log = logging.getLogger("radio.live")
router = APIRouter(prefix="/api", tags=["live"])

CLOSE_CODES = {Invalid: 4400, Unauthenticated: 4401, Forbidden: 4403}
QUIET_LINK_S = 5.0  # no audio from the speaker this long: the link is gone, off the air


@router.websocket("/live")
async def speak_live(socket: WebSocket) -> None:
    services: Services = socket.app.state.services
    onair: OnAir | None = socket.app.state.onair
    await socket.accept()
    try:
        hello = json.loads(await socket.receive_text())
        user, speech = await run_in_threadpool(_begin, services, onair, socket, hello)
    except Refusal as refused:
        await socket.send_json(refused.body())
        await socket.close(CLOSE_CODES.get(type(refused), 4400))
        return
    except (ValueError, KeyError, TypeError, WebSocketDisconnect):
        await _close_bad(socket)
        return
    assert onair is not None
    microphone = Microphone(onair.playout, speech, onair.playout.silence)
    await socket.send_json({"state": "on-air", "announcement": speech.announcement_id})
    await _listen(socket, microphone)
    try:
        digest = await run_in_threadpool(_finish, services, user, speech, microphone)
    except Exception as exc:  # off the air already; the recording could not be kept
        await _not_archived(socket, onair, speech, exc)
        return
    if socket.client_state == WebSocketState.CONNECTED:
        ended = {"state": "off-air", "program": digest, "seconds": round(microphone.seconds, 1)}
        await socket.send_json(ended)
        await socket.close()


async def _not_archived(
    socket: WebSocket, onair: OnAir, speech: live.OnAir, exc: Exception
) -> None:
    """The speech ended but its recording could not be kept (the database or the disk
    away): an alert, a log line, and the speaker told."""
    log.error("live speech %s: recording not archived", speech.announcement_id, exc_info=exc)
    problem = Problem(
        "live-not-archived",
        f"announcement:{speech.announcement_id}",
        f"Không lưu được bản ghi buổi phát trực tiếp #{speech.announcement_id}: {exc}",
        f"The recording of live speech #{speech.announcement_id} was not archived: {exc}",
    )
    onair.alarms.report(problem)
    if socket.client_state == WebSocketState.CONNECTED:
        await socket.send_json({"state": "off-air", "error": {"vi": problem.vi, "en": problem.en}})
        await socket.close(1011)


async def _listen(socket: WebSocket, microphone: Microphone) -> None:
    """Speech until `stop`, a closed socket, the longest a speech may last, or nothing
    heard for QUIET_LINK_S (a phone that lost its link without closing)."""
    ends = time.monotonic() + live.MAX_LIVE_S
    while (left := ends - time.monotonic()) > 0:
        try:
            message = await asyncio.wait_for(socket.receive(), min(left, QUIET_LINK_S))
        except (WebSocketDisconnect, RuntimeError, TimeoutError):
            return
        if message["type"] == "websocket.disconnect":
            return
        if message.get("bytes"):
            microphone.feed(message["bytes"])
        elif message.get("text") == "stop":
            return


def _begin(
    services: Services, onair: OnAir | None, socket: WebSocket, hello: dict[str, Any]
) -> tuple[User, live.OnAir]:
    with services.sessions.begin() as db:
        bearer = _bearer(socket)
        token = bearer or socket.cookies.get(SESSION_COOKIE)
        user = sessions.user_for(db, token, services.clock.now())
        if bearer is None and token is not None:  # a cookie: the page must prove its origin
            csrf.check(token, str(hello.get("csrf", "")))
        zones = [str(z) for z in hello["zones"]]
        if onair is None or not onair.leading:
            raise Invalid(
                "this process does not play out: speak live on the playout worker's console",
                "máy chủ này không phát sóng: hãy phát trực tiếp từ máy phát sóng",
            )
        speech = live.begin(db, user, zones, services.clock.now())
        db.expunge(user)
        return user, speech


def _finish(
    services: Services, user: User, speech: live.OnAir, microphone: Microphone
) -> str | None:
    said = microphone.stop()
    with services.sessions.begin() as db:
        program: Program | None = None
        if said is not None:
            program = program_row(db, services.speech.renderer.import_pcm(said))
        live.finish(db, db.merge(user), speech, program)
        return program.hash if program is not None else None


def _bearer(socket: WebSocket) -> str | None:
    header = socket.headers.get("authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


async def _close_bad(socket: WebSocket) -> None:
    refused = Invalid(
        'the first message is {"csrf": …, "zones": […]}',
        'tin nhắn đầu tiên phải là {"csrf": …, "zones": […]}',
    )
    if socket.client_state == WebSocketState.CONNECTED:
        await socket.send_json(refused.body())
        await socket.close(4400)
