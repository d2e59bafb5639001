"""The data model and the scheduler on a real database (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from radio import announcements as flow
from radio.access.sessions import hash_password
from radio.airtime.scheduler import Scheduler, Timing
from radio.airtime.slots import conflicts
from radio.db import make_engine, sessions, upgrade
from radio.errors import Refusal
from radio.lexicons import Lexicons
from radio.models import (
    Airing,
    AiringStatus,
    Announcement,
    AuditEvent,
    Commune,
    Program,
    Revision,
    Role,
    Slot,
    Status,
    User,
    Zone,
)
from radio.speech import LexiconFile, Speech
from radio.web.errors import status_of
from schedules import LOCAL_TZ, ManualClock
from voices import Catalog, Renderer

TEXT = "Kính thưa bà con. Chiều nay thôn Nà Héo họp bàn phòng chống lũ lúc 14h00."


@pytest.fixture
def db(db_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    yield sessions(engine)
    engine.dispose()


@pytest.fixture
def speech(data_dir: Path, db: sessionmaker[Session]) -> Speech:
    lexicons = Lexicons(LexiconFile(data_dir / "lexicon.txt").current, db)
    return Speech(Catalog(data_dir), Renderer.at(data_dir / "cache", 10**9), lexicons)


def people(s: Session) -> tuple[User, User, Zone, Zone]:
    officer = User(username="canbo", password_hash=hash_password("mat-khau-1"), role=Role.OFFICER)
    reviewer = User(
        username="chutich", password_hash=hash_password("mat-khau-2"), role=Role.REVIEWER
    )
    commune = s.scalar(select(Commune))  # the one every installation starts with
    a = Zone(slug="na-heo", name="Thôn Nà Héo", commune=commune)
    b = Zone(slug="ban-cam", name="Thôn Bản Cám", commune=commune)
    s.add_all([officer, reviewer, a, b])
    s.flush()
    return officer, reviewer, a, b


def approved(
    s: Session,
    speech: Speech,
    officer: User,
    reviewer: User,
    title: str = "Họp thôn",
) -> Announcement:
    ann = flow.create(s, officer, flow.Draft(title, TEXT, "espeak-north-female"), speech)
    flow.submit(s, officer, ann)
    program = speech.render_revision(s, ann.current)
    flow.approve(s, reviewer, ann, program, flow.Heard(ann.current.number, program.hash))
    return ann


def daily(ann: Announcement, zones: list[Zone], first: date, days: int) -> Slot:
    return Slot(
        announcement=ann,
        zones=zones,
        times=["06:00", "17:00"],
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        start_date=first,
        end_date=first + timedelta(days=days - 1),
    )


def test_review_flow_binds_approval_to_the_revision_audio(
    db: sessionmaker[Session], speech: Speech
) -> None:
    with db.begin() as s:
        officer, reviewer, _, _ = people(s)
        ann = approved(s, speech, officer, reviewer)
        assert ann.status == Status.APPROVED
        first_hash = ann.approved_program_hash
        assert first_hash == ann.current.program_hash and len(first_hash or "") == 64
        flow.revise(
            s,
            officer,
            ann,
            flow.Draft("Họp thôn", TEXT + " Xin cảm ơn.", "espeak-north-female"),
            speech,
        )
        assert ann.status == Status.PENDING and ann.approved_program_hash is None
        assert [r.number for r in ann.revisions] == [1, 2]
        with pytest.raises(Refusal) as caught:
            flow.approve(s, officer, ann, s.get(Program, first_hash), flow.Heard(1, first_hash))  # type: ignore[arg-type]
        assert status_of(caught.value) == 403
        flow.reject(s, reviewer, ann, "Sai giờ họp")
        assert ann.status == Status.REJECTED and ann.reject_reason == "Sai giờ họp"
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["create", "submit", "approve", "revise", "reject"]


@pytest.mark.parametrize(
    ("text", "voice", "status"),
    [
        ("", "espeak-north-female", 422),
        ("x" * 20_001, "espeak-north-female", 413),
        ("Xin chào.", "no-such-voice", 422),
    ],
)
def test_bad_drafts_are_refused_in_both_languages(
    db: sessionmaker[Session], speech: Speech, text: str, voice: str, status: int
) -> None:
    with db.begin() as s:
        officer, _, _, _ = people(s)
        with pytest.raises(Refusal) as caught:
            flow.create(s, officer, flow.Draft("Tiêu đề", text, voice), speech)
        assert status_of(caught.value) == status and caught.value.vi and caught.value.en
        assert s.scalar(select(func.count()).select_from(Announcement)) == 0


def test_daily_slots_prerender_air_and_miss_with_a_controlled_clock(
    db: sessionmaker[Session], speech: Speech
) -> None:
    start = datetime(2026, 12, 1, 5, 0, tzinfo=LOCAL_TZ)
    clock = ManualClock(start)
    with db.begin() as s:
        officer, reviewer, a, b = people(s)
        ann = approved(s, speech, officer, reviewer)
        s.add(daily(ann, [a, b], date(2026, 12, 1), 7))
        ann_id = ann.id
    scheduler = Scheduler(db, clock, speech, Timing(horizon=timedelta(days=2)))
    first = scheduler.tick()
    assert first.created == 2 * 2 * 2  # two days ahead, two times, two zones
    assert first.due == [] and first.rendered == []

    clock.advance(timedelta(minutes=51))  # 05:51: the 06:00 airings are inside 10 minutes
    ready = scheduler.tick()
    assert len(ready.rendered) == 2 and ready.due == []
    with db() as s:
        hashes = {s.get(Airing, i).program_hash for i in ready.rendered}  # type: ignore[union-attr]
        assert hashes == {s.get(Announcement, ann_id).approved_program_hash}  # type: ignore[union-attr]

    clock.advance(timedelta(minutes=9, seconds=30))  # 06:00:30, within grace
    assert len(scheduler.tick().due) == 2

    clock.advance(timedelta(minutes=5))  # 06:05:30: nobody played them
    late = scheduler.tick()
    assert len(late.missed) == 2 and late.due == []

    restarted = Scheduler(db, clock, speech, Timing(horizon=timedelta(days=2)))
    assert restarted.tick().created == 0  # upcoming airings survived the restart intact
    with db() as s:
        counts = dict(s.execute(select(Airing.status, func.count()).group_by(Airing.status)).all())
        # 8 made at 05:00, 2 more (3 December, 06:00) once the horizon reached them
        assert counts == {AiringStatus.MISSED: 2, AiringStatus.SCHEDULED: 8}


def test_past_airings_are_marked_missed_after_downtime(
    db: sessionmaker[Session], speech: Speech
) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 5, 0, tzinfo=LOCAL_TZ))
    with db.begin() as s:
        officer, reviewer, a, _ = people(s)
        s.add(daily(approved(s, speech, officer, reviewer), [a], date(2026, 12, 1), 3))
    Scheduler(db, clock, speech).tick()
    clock.advance(timedelta(hours=14))  # server down from 05:00 to 19:00
    after = Scheduler(db, clock, speech).tick()
    assert len(after.missed) == 2 and after.due == []


def test_ticks_from_several_threads_make_each_airing_once(
    db: sessionmaker[Session], speech: Speech
) -> None:
    """The on-air loop ticks in its own thread while anything else in the process may
    tick too (a command, a test): neither may fail on the other's airings."""
    clock = ManualClock(datetime(2026, 12, 1, 5, 0, tzinfo=LOCAL_TZ))
    with db.begin() as s:
        officer, reviewer, a, b = people(s)
        s.add(daily(approved(s, speech, officer, reviewer), [a, b], date(2026, 12, 1), 30))
    scheduler = Scheduler(db, clock, speech, Timing(horizon=timedelta(days=30)))
    start = threading.Barrier(6)

    def tick() -> int:
        start.wait()
        return scheduler.tick().created

    with ThreadPoolExecutor(6) as pool:
        created = list(pool.map(lambda _: tick(), range(6)))
    assert sum(created) == 2 * 2 * 30  # two times a day, two zones, thirty days: each once
    with db() as s:
        assert s.scalar(select(func.count()).select_from(Airing)) == 2 * 2 * 30


def test_unapproved_audio_never_airs(db: sessionmaker[Session], speech: Speech) -> None:
    clock = ManualClock(datetime(2026, 12, 1, 5, 59, tzinfo=LOCAL_TZ))
    with db.begin() as s:
        officer, reviewer, a, _ = people(s)
        ann = approved(s, speech, officer, reviewer)
        s.add(daily(ann, [a], date(2026, 12, 1), 1))
        flow.revise(
            s,
            officer,
            ann,
            flow.Draft("Họp thôn", "Nội dung khác hẳn.", "espeak-north-female"),
            speech,
        )
    scheduler = Scheduler(db, clock, speech)
    scheduler.tick()
    clock.advance(timedelta(minutes=1))
    result = scheduler.tick()
    assert result.due == [] and len(result.failed) == 1
    with db() as s:
        airing = s.get(Airing, result.failed[0])
        assert airing is not None and airing.status == AiringStatus.FAILED
        assert airing.note == "not approved at airtime"


def test_overlapping_slots_on_a_zone_are_reported(
    db: sessionmaker[Session], speech: Speech
) -> None:
    with db.begin() as s:
        officer, reviewer, a, b = people(s)
        first = approved(s, speech, officer, reviewer, "Tiêm phòng")
        second = approved(s, speech, officer, reviewer, "Bầu cử")
        s.add(daily(first, [a], date(2026, 12, 1), 7))
        clash = Slot(
            announcement=second, zones=[a], at=datetime(2026, 12, 3, 17, 0, 2, tzinfo=LOCAL_TZ)
        )
        apart = Slot(
            announcement=second, zones=[a], at=datetime(2026, 12, 3, 17, 30, tzinfo=LOCAL_TZ)
        )
        other_zone = Slot(
            announcement=second, zones=[b], at=datetime(2026, 12, 3, 17, 0, tzinfo=LOCAL_TZ)
        )
        s.add_all([clash, apart, other_zone])
        s.flush()
        window = (datetime(2026, 11, 30, tzinfo=LOCAL_TZ), datetime(2026, 12, 10, tzinfo=LOCAL_TZ))
        pairs = conflicts(s, clash, *window, speech.expected_seconds)
        assert len(pairs) == 1
        ours, theirs = pairs[0]
        assert ours.ref[0] is clash  # type: ignore[index]
        assert theirs.ref[0].announcement.title == "Tiêm phòng"  # type: ignore[index]
        assert conflicts(s, apart, *window, speech.expected_seconds) == []
        assert conflicts(s, other_zone, *window, speech.expected_seconds) == []


def test_revision_and_program_rows_survive_a_new_session(
    db: sessionmaker[Session], speech: Speech
) -> None:
    with db.begin() as s:
        officer, reviewer, _, _ = people(s)
        ann_id = approved(s, speech, officer, reviewer).id
    with db() as s:
        ann = s.get(Announcement, ann_id)
        assert ann is not None and ann.current.text == TEXT
        revision = s.get(Revision, ann.approved_revision_id)
        assert revision is not None and revision.program is not None
        assert Path(revision.program.mp3_path).is_file()
        assert ann.created_at.tzinfo is not None  # aware UTC on every backend
