"""`GET /stream/<zone>.mp3`: the zone's live channel as an Icecast-style MP3 stream.

Receivers authenticate with their token, as a bearer header or `?token=` (many IP
speakers take only a URL), and hear only their own zone. With `Icy-MetaData: 1` the stream
carries the current title every 8,192 bytes, as Icecast does. Where a separate worker
plays out, the API answers with a redirect to it instead (`redirect`).

Under our server (`radio.web.server`) the stream takes its connection over and the
channel writes to it directly; under another ASGI server it is a streaming response fed
by a queue, slower but the same bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from playout import HANG_UP, Channel, StreamListener
from playout.listeners import ICY_METAINT, metadata
from radio.access.deps import ThisReceiver, bearer
from radio.errors import Forbidden, Unavailable
from radio.onair import OnAir
from radio.onair.lease import leader_url
from radio.web.connections import TAKE_OVER, TakeOver
from radio.web.errors import problems
from voices.audio import format as broadcast

_IDLE_CHECK_S = 5.0

router = APIRouter(tags=["streams"])
redirect = APIRouter(tags=["streams"])

_STREAM: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {broadcast.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
        "description": "The zone's live channel, continuous MP3 in the broadcast format",
    },
    307: {"description": "This process is a standby: the playout leader serves the stream"},
    **problems(401, 403, 422, 503),
}


@router.get(
    "/stream/{zone}.mp3",
    response_class=StreamingResponse,
    responses=_STREAM,
    operation_id="stream",
)
async def stream(zone: str, request: Request, receiver: ThisReceiver) -> Response:
    """The zone's live channel; from a standby playout process, a redirect to the leader."""
    if receiver.zone.slug != zone:
        raise Forbidden(
            "this receiver belongs to another zone", "thiết bị thu này thuộc khu vực khác"
        )
    onair: OnAir = request.app.state.onair
    if not onair.leading:  # a standby: the leader serves the streams
        return _to_leader(zone, request, await _leader(request))
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
    if TAKE_OVER in request.scope:
        return Live(channel, icy, onair, receiver.id, headers)
    body = _body(channel, icy, onair, receiver.id)
    return StreamingResponse(body, media_type=broadcast.MEDIA_TYPE, headers=headers)


class Live(Response):
    """The stream on its own connection: answered here, then written by the channel."""

    def __init__(
        self, channel: Channel, icy: bool, onair: OnAir, receiver: int, headers: dict[str, str]
    ) -> None:
        super().__init__(media_type=broadcast.MEDIA_TYPE, headers=headers)
        # a body until the connection closes: no length (Response adds "0" for no content)
        self.raw_headers = [h for h in self.raw_headers if h[0] != b"content-length"]
        self.channel, self.icy, self.onair, self.receiver = channel, icy, onair, receiver

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        take_over: TakeOver = scope[TAKE_OVER]
        listener: StreamListener | None = None

        def lost() -> None:
            if listener is not None:
                self.channel.leave(listener)
                self.onair.receivers.left(self.receiver, self.channel.zone, listener)

        transport = take_over(self.raw_headers, lost)
        if transport is None:
            return  # the receiver went away before its answer
        listener = StreamListener(transport, self.icy)
        self.channel.add(listener)
        self.onair.receivers.joined(self.receiver, self.channel.zone, listener)


@redirect.get(
    "/stream/{zone}.mp3",
    response_class=RedirectResponse,
    status_code=307,
    responses={
        307: {"description": "The worker that plays out serves the stream"},
        **problems(503),
    },
    operation_id="stream_elsewhere",
)
async def stream_elsewhere(zone: str, request: Request) -> RedirectResponse:
    """Streams are served by the worker that leads playout (or the configured worker
    while none does): send receivers there."""
    leader = await _leader(request)
    return _to_leader(zone, request, leader or request.app.state.worker_url)


async def _leader(request: Request) -> str | None:
    services = request.app.state.services

    def ask() -> str | None:
        with services.sessions() as db:
            return leader_url(db)

    return await asyncio.to_thread(ask)


def _to_leader(zone: str, request: Request, url: str | None) -> RedirectResponse:
    """Clients drop credentials on a redirect to another origin, so a bearer token moves
    into the query string."""
    if not url:
        raise Unavailable(
            "no process plays out at the moment; try again in a few seconds",
            "hiện chưa có tiến trình phát sóng; hãy thử lại sau vài giây",
        )
    worker_url = url
    query = dict(request.query_params)
    token = bearer(request)
    if token and "token" not in query:
        query["token"] = token
    target = f"{worker_url.rstrip('/')}/stream/{quote(zone)}.mp3"
    return RedirectResponse(f"{target}?{urlencode(query)}" if query else target, 307)


async def _body(channel: Channel, icy: bool, onair: OnAir, receiver: int) -> AsyncIterator[bytes]:
    listener = channel.listen()
    onair.receivers.joined(receiver, channel.zone, listener)
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
                    yield metadata(channel.title)
                    until_meta = ICY_METAINT
    finally:
        channel.leave(listener)
        onair.receivers.left(receiver, channel.zone, listener)
