"""`GET /stream/<zone>.mp3`: the zone's live channel as an Icecast-style MP3 stream.

Receivers authenticate with their token, as a bearer header or `?token=` (many IP
speakers take only a URL), and hear only their own zone. With `Icy-MetaData: 1` the stream
carries the current title every 8,192 bytes, as Icecast does. Where a separate worker
plays out, the API answers with a redirect to it instead (`redirect`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from playout import HANG_UP, Channel
from radio.access.deps import ThisReceiver, bearer
from radio.errors import Forbidden
from radio.onair import OnAir
from radio.web.errors import problems
from voices.audio import format as broadcast

ICY_METAINT = 8192
_IDLE_CHECK_S = 5.0

router = APIRouter(tags=["streams"])
redirect = APIRouter(tags=["streams"])

_STREAM = {
    200: {
        "content": {broadcast.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The zone's live channel, continuous MP3 in the broadcast format",
    },
    **problems(401, 403, 422),
}


@router.get(
    "/stream/{zone}.mp3",
    response_class=StreamingResponse,
    responses=_STREAM,
    operation_id="stream",
)
async def stream(zone: str, request: Request, receiver: ThisReceiver) -> StreamingResponse:
    if receiver.zone.slug != zone:
        raise Forbidden(
            "this receiver belongs to another zone", "thiết bị thu này thuộc khu vực khác"
        )
    onair: OnAir = request.app.state.onair
    channel = onair.playout.channel(zone)
    icy = request.headers.get("icy-metadata") == "1"
    headers = {
        "icy-name": f"Loa Xa - {zone}",
        "icy-pub": "0",
        "Cache-Control": "no-cache, no-store",
        **broadcast.stream_headers(),
    }
    if icy:
        headers["icy-metaint"] = str(ICY_METAINT)
    return StreamingResponse(_body(channel, icy), media_type=broadcast.MEDIA_TYPE, headers=headers)


@redirect.get(
    "/stream/{zone}.mp3",
    response_class=RedirectResponse,
    status_code=307,
    responses={307: {"description": "The worker that plays out serves the stream"}},
    operation_id="stream_elsewhere",
)
async def stream_elsewhere(zone: str, request: Request) -> RedirectResponse:
    """Streams are served by the worker: send receivers there. Clients drop credentials
    on a redirect to another origin, so a bearer token moves into the query string."""
    worker_url: str = request.app.state.worker_url
    query = dict(request.query_params)
    token = bearer(request)
    if token and "token" not in query:
        query["token"] = token
    target = f"{worker_url.rstrip('/')}/stream/{quote(zone)}.mp3"
    return RedirectResponse(f"{target}?{urlencode(query)}" if query else target, 307)


async def _body(channel: Channel, icy: bool) -> AsyncIterator[bytes]:
    listener = channel.listen()
    until_meta = ICY_METAINT
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(listener.get(), _IDLE_CHECK_S)
            except TimeoutError:
                if listener not in channel.listeners:
                    return  # dropped for not keeping up
                continue
            if chunk == HANG_UP:
                return  # the server is stopping
            if not icy:
                yield chunk
                continue
            while chunk:  # interleave the title block every ICY_METAINT bytes of audio
                part, chunk = chunk[:until_meta], chunk[until_meta:]
                yield part
                until_meta -= len(part)
                if until_meta == 0:
                    yield _metadata(channel.title)
                    until_meta = ICY_METAINT
    finally:
        channel.leave(listener)


def _metadata(title: str) -> bytes:
    text = f"StreamTitle='{title.replace(chr(39), ' ')}';".encode()[: 255 * 16]
    blocks = (len(text) + 15) // 16
    return bytes([blocks]) + text.ljust(blocks * 16, b"\0")
