"""CAP feeds the station reads on its own (RADIO_CAP_FEEDS): a disaster-management
authority's Atom or RSS index of CAP messages, or one CAP message at a fixed address. Every
`cap_poll_s` seconds each feed is fetched and each message in it taken as if it had been
pushed by the account RADIO_CAP_ACCOUNT; what came before is stored once and changes
nothing. A feed that cannot be reached is an alert until it answers again; a message the
station refuses (expired, another area) is logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

import httpx
from apscheduler.schedulers.background import BackgroundScheduler
from lxml import etree
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from radio.alerts import Alarms, Problem
from radio.cap import document, intake
from radio.cap.intake import Policy, Station
from radio.errors import Refusal
from radio.models import User
from radio.services import Services

log = logging.getLogger("radio.cap")
ATOM = "http://www.w3.org/2005/Atom"
TIMEOUT_S = 10.0


@dataclass
class CapFeeds:
    """Reads the feeds; `station` gives what airing needs at the moment of each poll, and
    `wake` tells this process's playout an emergency is waiting."""

    urls: tuple[str, ...]
    account: str
    every_s: float
    sessions: sessionmaker[Session]
    alarms: Alarms
    policy: Policy
    station: Callable[[], Station]
    wake: Callable[[], None] = lambda: None
    _seen: set[str] = field(default_factory=set)  # messages taken or refused: not again
    _jobs: BackgroundScheduler | None = None

    def start(self) -> None:
        self._jobs = BackgroundScheduler(timezone="UTC")
        self._jobs.add_job(
            self.poll, "interval", seconds=self.every_s, max_instances=1, coalesce=True
        )
        self._jobs.start()

    def stop(self) -> None:
        if self._jobs is not None:
            self._jobs.shutdown(wait=True)

    def poll(self) -> int:
        """One pass over every feed; the number of new messages taken."""
        taken = 0
        with httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as http:
            for url in self.urls:
                try:
                    messages = list(_messages(http, url, self._seen))
                except (httpx.HTTPError, Refusal) as e:
                    self._unreachable(url, e)
                    continue
                self.alarms.resolve("cap-feed-unreachable", f"cap-feed:{url}")
                taken += sum(self._take(where, data) for where, data in messages)
        self.alarms.flush()
        return taken

    def _take(self, where: str, data: bytes) -> bool:
        key = f"{where}#{hash(data)}"
        if key in self._seen:
            return False
        self._seen.add(where)
        try:
            with self.sessions.begin() as db:
                user = db.scalar(select(User).where(User.username == self.account))
                if user is None:
                    self._no_account()
                    return False
                row, new = intake.receive(db, user, data, self.policy, self.station())
                emergency = new and row.state == "sent" and row.level == "emergency"
        except Refusal as e:
            log.warning("CAP message %s refused: %s", where, e.en)
            new, emergency = False, False
        except IntegrityError:  # another process took the same message at the same moment
            new, emergency = False, False
        self._seen.add(key)
        if emergency:
            self.wake()
        return new

    def _unreachable(self, url: str, e: Exception) -> None:
        self.alarms.report(
            Problem(
                "cap-feed-unreachable",
                f"cap-feed:{url}",
                f"không đọc được nguồn cảnh báo CAP {url}: {e}",
                f"the CAP feed {url} cannot be read: {e}",
            )
        )

    def _no_account(self) -> None:
        self.alarms.report(
            Problem(
                "cap-account-missing",
                f"user:{self.account}",
                f"tài khoản RADIO_CAP_ACCOUNT {self.account!r} không tồn tại",
                f"the account RADIO_CAP_ACCOUNT names, {self.account!r}, does not exist",
            )
        )


def _fetch(http: httpx.Client, url: str) -> bytes:
    if not url.startswith(("http://", "https://")):
        raise httpx.InvalidURL(f"not an http(s) address: {url}")
    response = http.get(url, headers={"Accept": "application/cap+xml, application/atom+xml"})
    response.raise_for_status()
    if len(response.content) > 4 * document.MAX_BYTES:
        raise httpx.HTTPError(f"{url} sent more than {4 * document.MAX_BYTES} bytes")
    return response.content


def _messages(http: httpx.Client, url: str, seen: set[str]) -> Iterator[tuple[str, bytes]]:
    """(where, CAP message) for each message the feed at `url` holds or links to; a link
    taken before is not fetched again."""
    body = _fetch(http, url)
    root = document.element(body)
    if root.tag == f"{{{document.NS}}}alert":
        yield url, body
        return
    for entry in root.iter(f"{{{ATOM}}}entry", "item"):
        inline = entry.find(f".//{{{document.NS}}}alert")
        if inline is not None:
            yield f"{url}#{entry.findtext(f'{{{ATOM}}}id') or ''}", etree.tostring(inline)
            continue
        link = entry.find(f"{{{ATOM}}}link")
        href = link.get("href") if link is not None else entry.findtext("link")
        if href:
            where = urljoin(url, href.strip())
            if where not in seen:
                yield where, _fetch(http, where)


def from_services(services: Services, wake: Callable[[], None]) -> CapFeeds | None:
    """The feeds the settings name, read with the station's own services; None if none."""
    settings = services.settings
    if not settings.cap_feeds:
        return None
    return CapFeeds(
        urls=settings.cap_feeds,
        account=settings.cap_account,
        every_s=settings.cap_poll_s,
        sessions=services.sessions,
        alarms=services.scheduler.alarms,
        policy=Policy.of(settings),
        station=lambda: Station(services.speech, services.clock.now(), services.length),
        wake=wake,
    )
