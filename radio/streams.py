"""`GET /stream/<zone>.mp3`: the zone's live channel as an Icecast-style MP3 stream.

Receivers authenticate with their token, as a bearer header or `?token=` (many IP
speakers take only a URL), and hear only their own zone. With `Icy-MetaData: 1` the stream
carries the current title every 8,192 bytes, as Icecast does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from urllib.parse import quote, urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from playout import HANG_UP, Channel
from radio import auth
from radio.errors import ApiError
from radio.onair import OnAir

ICY_METAINT = 8192
_IDLE_CHECK_S = 5.0


def add_stream_route(app: FastAPI, onair: OnAir) -> None:
    @app.get("/stream/{zone}.mp3", response_model=None)
    async def stream(zone: str, request: Request, token: str | None = None) -> StreamingResponse:
        given = token or _bearer(request)
        if not given:
            raise ApiError(401, "a receiver token is needed", "cần mã của thiết bị thu")
        receiver_zone = await asyncio.to_thread(_receiver_zone, onair, given)
        if receiver_zone is None:
            raise ApiError(
                401,
                "unknown or revoked receiver token",
                "mã thiết bị thu không đúng hoặc đã bị thu hồi",
            )
        if receiver_zone != zone:
            raise ApiError(
                403, "this receiver belongs to another zone", "thiết bị thu này thuộc khu vực khác"
            )
        channel = onair.playout.channel(zone)
        icy = request.headers.get("icy-metadata") == "1"
        headers = {
            "icy-name": f"Loa Xa - {zone}",
            "icy-br": "48",
            "icy-sr": "22050",
            "icy-pub": "0",
            "Cache-Control": "no-cache, no-store",
        }
        if icy:
            headers["icy-metaint"] = str(ICY_METAINT)
        return StreamingResponse(_body(channel, icy), media_type="audio/mpeg", headers=headers)


def add_stream_redirect(app: FastAPI, worker_url: str) -> None:
    """Streams are served by the worker: send receivers there. Clients drop credentials
    on a redirect to another origin, so a bearer token moves into the query string."""

    @app.get("/stream/{zone}.mp3", response_model=None)
    async def stream(zone: str, request: Request) -> RedirectResponse:
        query = dict(request.query_params)
        bearer = _bearer(request)
        if bearer and "token" not in query:
            query["token"] = bearer
        target = f"{worker_url.rstrip('/')}/stream/{quote(zone)}.mp3"
        return RedirectResponse(f"{target}?{urlencode(query)}" if query else target, 307)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() or None if header.lower().startswith("bearer ") else None


def _receiver_zone(onair: OnAir, token: str) -> str | None:
    with onair.scheduler.sessions() as db:
        receiver = auth.receiver_for(db, token)
        return receiver.zone.slug if receiver else None


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
