"""Pushing a zone's channel to an Icecast 2 server as a source, so that Icecast (and its
relays) fan the stream out to many more receivers than one process can feed.

The source speaks Icecast's HTTP PUT protocol (as libshout does): one long request whose
body is the MP3 stream, after a `100 Continue`. The title follows the channel through
Icecast's metadata admin call. A lost connection is retried, with backoff, forever:
the broadcast must come back by itself when Icecast does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from playout.channel import Channel
from voices.audio import format as broadcast

log = logging.getLogger("playout.icecast")

RETRY_S = (1.0, 2.0, 5.0, 10.0)  # waits after consecutive failures; the last repeats
_STALL_S = 5.0  # a listener queue that got nothing this long was dropped for lagging


class IcecastError(Exception):
    pass


@dataclass(frozen=True)
class IcecastTarget:
    """`http://source:PASSWORD@host:port`: where and as whom to push."""

    host: str
    port: int
    user: str
    password: str

    @classmethod
    def parse(cls, url: str) -> IcecastTarget:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname or parts.password is None:
            raise ValueError(
                f"an Icecast URL looks like http://source:PASSWORD@host:8000, got {url!r}"
            )
        return cls(parts.hostname, parts.port or 8000, parts.username or "source", parts.password)

    @property
    def authorization(self) -> str:
        pair = f"{self.user}:{self.password}".encode()
        return "Basic " + base64.b64encode(pair).decode()


async def push(target: IcecastTarget, channel: Channel, stop: asyncio.Event) -> None:
    """Keep the channel's stream on the mount `/<zone>.mp3` until `stop`."""
    failures = 0
    while not stop.is_set():
        try:
            await _push_once(target, channel, stop)
            failures = 0
        except (OSError, IcecastError, asyncio.IncompleteReadError) as exc:
            log.warning("icecast source for %s: %s; retrying", channel.zone, exc)
            wait = RETRY_S[min(failures, len(RETRY_S) - 1)]
            failures += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)


async def _push_once(target: IcecastTarget, channel: Channel, stop: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection(target.host, target.port)
    listener = channel.listen()
    title = None
    try:
        writer.write(_request(target, channel.zone))
        await writer.drain()
        status = (await reader.readline()).decode("latin-1").split()
        if len(status) < 2 or status[1] not in ("100", "200"):
            raise IcecastError(f"the server refused the source: {' '.join(status[1:])}")
        await reader.readuntil(b"\r\n\r\n")
        log.info("pushing %s to icecast %s:%d", channel.zone, target.host, target.port)
        while not stop.is_set():
            try:
                chunk = await asyncio.wait_for(listener.get(), _STALL_S)
            except TimeoutError:
                raise IcecastError("the push fell behind and was dropped") from None
            writer.write(chunk)
            await writer.drain()
            if channel.title != title:
                title = channel.title
                await _set_title(target, channel.zone, title or "Loa Xa")
    finally:
        channel.leave(listener)
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def _request(target: IcecastTarget, zone: str) -> bytes:
    lines = [
        f"PUT /{zone}.mp3 HTTP/1.1",
        f"Host: {target.host}:{target.port}",
        f"Authorization: {target.authorization}",
        "User-Agent: LoaXa",
        f"Content-Type: {broadcast.MEDIA_TYPE}",
        f"Ice-Name: Loa Xa - {zone}",
        "Ice-Public: 0",
        f"Ice-Audio-Info: {broadcast.stream_headers()['ice-audio-info']}",
        "Expect: 100-continue",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _set_title(target: IcecastTarget, zone: str, title: str) -> None:
    """Icecast's metadata update: the StreamTitle its listeners see."""
    query = f"mount=/{zone}.mp3&mode=updinfo&charset=UTF-8&song={quote(title)}"
    try:
        reader, writer = await asyncio.open_connection(target.host, target.port)
    except OSError as exc:
        log.warning("icecast title for %s not set: %s", zone, exc)
        return
    writer.write(
        (
            f"GET /admin/metadata?{query} HTTP/1.0\r\n"
            f"Authorization: {target.authorization}\r\nUser-Agent: LoaXa\r\n\r\n"
        ).encode()
    )
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        await writer.drain()
        await reader.read(4096)
    writer.close()
