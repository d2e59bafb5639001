"""What the station does with a CAP alert: the Vietnamese info block becomes a bulletin
read with the default voice, on the zones the alert's area covers, at the level its
severity and urgency give. An Update replaces the alert it names, a Cancel withdraws it
(pending airings and repeats stop; one on air plays to its end). Exercises and tests are
recorded and never air; expired alerts never air. Severities the station does not air on
its own wait for an operator. Each step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import announcements as flow
from radio.access.roles import Permission, may, require
from radio.airtime import bulletins
from radio.airtime.bulletins import Outgoing
from radio.airtime.timeline import Length
from radio.audit import audit
from radio.cap import areas, document
from radio.cap.document import Alert, Info
from radio.errors import Conflict, Invalid, not_found
from radio.models import CapAlert, Level, Repeat, User, Zone
from radio.settings import Settings
from radio.speech import Speech


@dataclass(frozen=True)
class Policy:
    """RADIO_CAP_AUTO (severities aired without an operator), RADIO_CAP_REPEAT_MINUTES (an
    emergency again every N minutes until it expires; 0: once) and the voice that reads."""

    auto: frozenset[str]
    repeat_minutes: int
    voice: str

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.cap_auto, settings.cap_repeat_minutes, settings.default_voice)


@dataclass(frozen=True)
class Station:
    """What airing needs: the speech engine, the clock's now and the programs' lengths."""

    speech: Speech
    now: datetime
    length: Length


def level_of(info: Info) -> Level:
    """Extreme, or Severe and Immediate: an emergency (cuts in at once); other Severe and
    Moderate: priority (first in the next slot); Minor and Unknown: normal (the inbox)."""
    if info.severity == "Extreme" or (info.severity == "Severe" and info.urgency == "Immediate"):
        return Level.EMERGENCY
    if info.severity in ("Severe", "Moderate"):
        return Level.PRIORITY
    return Level.NORMAL


def receive(
    db: Session, user: User, data: bytes, policy: Policy, station: Station
) -> tuple[CapAlert, bool]:
    """The alert's record and whether it is new: the same message again (its sender and
    identifier) is stored once and changes nothing."""
    require(user, Permission.ABOVE)
    alert = document.parse(data)
    held = db.scalar(
        select(CapAlert).where(
            CapAlert.sender == alert.sender, CapAlert.identifier == alert.identifier
        )
    )
    if held is not None:
        return held, False
    if alert.msg_type not in ("Alert", "Update", "Cancel"):
        raise Invalid(
            f"a {alert.msg_type} message is not for the air: send Alert, Update or Cancel",
            f"bản tin loại {alert.msg_type} không dùng để phát: hãy gửi Alert, Update hoặc Cancel",
        )
    earlier = _referenced(db, alert)
    if alert.msg_type == "Cancel":
        return _cancel(db, user, alert, earlier, station.now), True
    return _alert(db, user, alert, earlier, policy, station), True


def _cancel(
    db: Session, user: User, alert: Alert, earlier: list[CapAlert], now: datetime
) -> CapAlert:
    if not earlier:
        raise Invalid(
            "the Cancel names no alert this station holds (see its references)",
            "bản tin hủy không nhắc tới bản tin nào trạm đang giữ (xem references)",
        )
    row = _row(alert, user, None, "cancelled", now)
    db.add(row)
    db.flush()
    for old in earlier:
        withdraw(db, user, old, "cancelled")
    audit(db, user, "cap-cancel", f"cap:{row.id}", withdrawn=[o.id for o in earlier])
    return row


def _alert(
    db: Session,
    user: User,
    alert: Alert,
    earlier: list[CapAlert],
    policy: Policy,
    station: Station,
) -> CapAlert:
    info = _vietnamese(alert)
    if info.expires is not None and info.expires <= station.now:
        raise Invalid(
            f"the alert expired at {info.expires.isoformat()}: it will not air",
            f"bản tin đã hết hạn lúc {info.expires.isoformat()}: sẽ không phát",
        )
    zones = areas.covered(info.areas, db.scalars(select(Zone).order_by(Zone.id)))
    if not zones:
        described = "; ".join(a.desc for a in info.areas) or "none given"
        raise Invalid(
            f"the alert's area ({described}) covers none of this station's zones",
            f"vùng của bản tin ({described}) không trùng cụm loa nào của trạm",
        )
    row = _row(alert, user, info, "waiting", station.now)
    row.level, row.zone_ids = level_of(info), [z.id for z in zones]
    db.add(row)
    db.flush()
    for old in earlier:
        withdraw(db, user, old, "replaced")
    row.reason = _waits(alert, info, row.level, user, policy)
    if alert.status != "Actual":
        row.state = "not-actual"
    elif not row.reason:
        air(db, user, row, policy, station)
    audit(db, user, f"cap-{alert.msg_type.lower()}", f"cap:{row.id}", state=row.state)
    return row


def _vietnamese(alert: Alert) -> Info:
    info = alert.info()
    if info is None:
        raise Invalid(
            "the alert has no info block in Vietnamese (language vi-VN) to read",
            "bản tin không có phần nội dung tiếng Việt (language vi-VN) để đọc",
        )
    if not info.reading():
        raise Invalid(
            "the Vietnamese info has no headline, description or instruction to read",
            "phần tiếng Việt không có headline, description hay instruction để đọc",
        )
    return info


def _waits(alert: Alert, info: Info, level: Level, user: User, policy: Policy) -> str:
    """Why the alert waits for an operator rather than airing now ("" if it airs)."""
    if alert.status != "Actual":
        return f"status {alert.status}: recorded, never aired"
    if info.certainty == "Unlikely" or info.urgency == "Past":
        return f"certainty {info.certainty}, urgency {info.urgency}: an operator decides"
    if info.severity not in policy.auto:
        return f"severity {info.severity} is not aired without an operator (RADIO_CAP_AUTO)"
    if level == Level.EMERGENCY and not may(user, Permission.EMERGENCY):
        return "the account that sent it holds no emergency right: an operator decides"
    return ""


def approve(db: Session, user: User, alert_id: int, policy: Policy, station: Station) -> CapAlert:
    """An operator airs an alert that waited: with their rights (an emergency needs the
    emergency right), audited."""
    row = db.get(CapAlert, alert_id)
    if row is None:
        raise not_found("CAP alert", "bản tin CAP")
    if row.state != "waiting":
        raise Conflict(
            f"the alert is {row.state}, not waiting for an operator",
            f"bản tin đang ở trạng thái {row.state}, không chờ người vận hành",
        )
    air(db, user, row, policy, station)
    audit(db, user, "cap-air", f"cap:{row.id}", level=row.level)
    return row


def air(db: Session, user: User, row: CapAlert, policy: Policy, station: Station) -> None:
    """The alert as a bulletin from `user` to the communes of its zones, on those zones;
    an emergency is repeated until the alert expires, when the policy asks."""
    if row.status != "Actual":
        raise Conflict("an exercise or test never airs", "bản tin diễn tập hoặc thử không phát")
    if row.expires is not None and row.expires <= station.now:
        raise Conflict("the alert has expired", "bản tin đã hết hạn")
    zones = [z for z in (db.get(Zone, i) for i in row.zone_ids) if z is not None]
    level = row.level or Level.NORMAL
    info = _vietnamese(document.parse(row.xml.encode()))
    outgoing = Outgoing(
        title=(info.headline or info.event)[:200],
        level=level,
        communes=list(dict.fromkeys(z.commune.slug for z in zones)),
        text=info.reading(),
        voice=policy.voice,
        zones=[z.slug for z in zones],
    )
    bulletin = bulletins.send_text(db, user, outgoing, station.speech, station.now, station.length)
    row.bulletin, row.state, row.reason = bulletin, "sent", ""
    if level == Level.EMERGENCY and policy.repeat_minutes and row.expires is not None:
        for delivery in bulletin.deliveries:
            repeat = Repeat(
                announcement=delivery.announcement,
                program_hash=bulletin.program_hash,
                zone_ids=[z.id for z in zones if z.commune_id == delivery.commune_id],
                every_minutes=policy.repeat_minutes,
                next_at=station.now + timedelta(minutes=policy.repeat_minutes),
                until=row.expires,
                created_by_id=user.id,
            )
            db.add(repeat)
    db.flush()


def withdraw(db: Session, user: User, row: CapAlert, state: str) -> None:
    """The alert off the air (replaced or cancelled): its announcements archived in every
    commune, so pending airings and repeats stop."""
    row.state = state
    if row.bulletin is not None:
        for delivery in row.bulletin.deliveries:
            flow.archive(db, user, delivery.announcement)


def _referenced(db: Session, alert: Alert) -> list[CapAlert]:
    found = []
    for sender, identifier in alert.references:
        row = db.scalar(
            select(CapAlert).where(CapAlert.sender == sender, CapAlert.identifier == identifier)
        )
        if row is not None and row.state not in ("cancelled", "replaced"):
            found.append(row)
    return found


def _row(alert: Alert, user: User, info: Info | None, state: str, now: datetime) -> CapAlert:
    return CapAlert(
        sender=alert.sender[:200],
        identifier=alert.identifier[:200],
        sent=alert.sent,
        msg_type=alert.msg_type,
        status=alert.status,
        event=(info.event if info else "")[:200],
        severity=info.severity if info else "",
        urgency=info.urgency if info else "",
        certainty=info.certainty if info else "",
        expires=info.expires if info else None,
        state=state,
        zone_ids=[],
        xml=alert.xml,
        received_by_id=user.id,
        received_at=now,
    )
