"""What aired, said back in CAP 1.2 so the system that sent an alert can confirm it: for
each alert of ours that reached the air, an Ack message that references it and notes the
zones, the first airtime, the receivers that reported playing it and the program's hash.
The Acks come as an Atom feed, the usual way to publish several CAP messages at once.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from radio.cap.document import NS
from radio.models import Airing, AiringStatus, CapAlert, Delivery, Receipt
from schedules.recurrence import LOCAL_TZ

ATOM = "http://www.w3.org/2005/Atom"
SENDER = "loa-xa"
LIMIT = 200


def cap_time(moment: datetime) -> str:
    """As CAP writes times: local, to the second, with the offset ("+07:00")."""
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def feed(db: Session, since: datetime, now: datetime) -> bytes:
    """An Atom feed of Acks for the alerts received since `since` that have aired."""
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})  # type: ignore[dict-item]
    _add(root, ATOM, "id", "urn:loa-xa:cap:aired")
    _add(root, ATOM, "title", "Loa Xã: CAP alerts aired")
    _add(root, ATOM, "updated", cap_time(now))
    rows = db.scalars(
        select(CapAlert)
        .where(CapAlert.bulletin_id.is_not(None), CapAlert.received_at >= since)
        .order_by(CapAlert.id.desc())
        .limit(LIMIT)
    )
    for row in rows:
        ack = acknowledgement(db, row)
        if ack is not None:
            entry = etree.SubElement(root, f"{{{ATOM}}}entry")
            _add(entry, ATOM, "id", f"urn:loa-xa:cap:ack:{row.id}")
            _add(entry, ATOM, "title", f"Aired: {row.event or row.identifier}")
            _add(entry, ATOM, "updated", ack.findtext(f"{{{NS}}}sent") or "")
            content = etree.SubElement(entry, f"{{{ATOM}}}content", type="application/cap+xml")
            content.append(ack)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def acknowledgement(db: Session, row: CapAlert) -> etree._Element | None:
    """The Ack of one alert, or None while none of its airings has aired."""
    aired = list(
        db.scalars(
            select(Airing)
            .join(Delivery, Delivery.announcement_id == Airing.announcement_id)
            .where(Delivery.bulletin_id == row.bulletin_id, Airing.status == AiringStatus.AIRED)
            .order_by(Airing.started_at)
        )
    )
    if not aired:
        return None
    first = aired[0].started_at or aired[0].scheduled_at
    receivers = db.scalar(
        select(func.count(func.distinct(Receipt.receiver_id))).where(
            Receipt.airing_id.in_([a.id for a in aired])
        )
    )
    zones = ", ".join(sorted({a.zone.slug for a in aired}))
    note = (
        f"aired {len(aired)} time(s) on zones {zones}, first at {cap_time(first)}; "
        f"{receivers or 0} receiver(s) reported playing it; program sha256 {aired[0].program_hash}"
    )
    alert = etree.Element(f"{{{NS}}}alert", nsmap={None: NS})  # type: ignore[dict-item]
    for name, value in [
        ("identifier", f"loa-xa-ack-{row.id}"),
        ("sender", SENDER),
        ("sent", cap_time(first)),
        ("status", "Actual"),
        ("msgType", "Ack"),
        ("scope", "Public"),
        ("note", note),
        ("references", f"{row.sender},{row.identifier},{_sent_as_written(row)}"),
    ]:
        _add(alert, NS, name, value)
    return alert


def _sent_as_written(row: CapAlert) -> str:
    """CAP names a message by sender, identifier and `sent` exactly as its sender wrote it."""
    return etree.fromstring(row.xml.encode()).findtext(f"{{{NS}}}sent") or cap_time(row.sent)


def _add(parent: etree._Element, ns: str, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{ns}}}{name}").text = text
