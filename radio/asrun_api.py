"""What aired: the as-run log for the district's reports, and the watch's alerts."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Any

from fastapi import FastAPI, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from radio import communes
from radio.deps import Db, Me
from radio.models import Airing, Receipt
from schedules import LOCAL_TZ, local_iso


def add_asrun_routes(app: FastAPI) -> None:
    @app.get("/api/asrun.csv")
    def as_run(user: Me, db: Db, start: date, end: date, zone: str | None = None) -> Response:
        """What aired where and when, and how many receivers heard it, for the district."""
        begin = datetime.combine(start, time(0), LOCAL_TZ)
        until = datetime.combine(end, time(0), LOCAL_TZ) + timedelta(days=1)
        query = communes.airings(user).where(
            Airing.scheduled_at >= begin, Airing.scheduled_at < until
        )
        if zone is not None:
            query = query.where(Airing.zone_id == communes.zone(db, user, zone).id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "airing",
                "commune",
                "zone",
                "announcement",
                "title",
                "priority",
                "scheduled",
                "started",
                "ended",
                "status",
                "receivers_at_start",
                "program",
                "note",
                "receipts",
            ]
        )
        for a in db.scalars(query.order_by(Airing.scheduled_at, Airing.id)):
            writer.writerow(
                [
                    a.id,
                    a.zone.commune.slug,
                    a.zone.slug,
                    a.announcement_id,
                    a.announcement.title,
                    a.priority.value,
                    local_iso(a.scheduled_at),
                    local_iso(a.started_at),
                    local_iso(a.ended_at),
                    a.status.value,
                    a.listeners_at_start or 0,
                    a.program_hash or "",
                    a.note or "",
                    _receipts(db, a),
                ]
            )
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="asrun-{start}.csv"'},
        )

    @app.get("/api/alerts")
    def alerts(user: Me, db: Db, limit: int = 50) -> list[dict[str, Any]]:
        """The newest alerts of the dead-air and health watch."""
        query = communes.alerts(user).limit(min(max(limit, 1), 500))
        return [
            {"at": local_iso(a.at), "kind": a.kind, "target": a.target, "vi": a.vi, "en": a.en}
            for a in db.scalars(query)
        ]


def _receipts(db: Session, airing: Airing) -> str:
    """`Loa 1: local, completed; Loa 2: stream, cut`, and a loud flag when what a
    receiver played is not the program approved for the airing."""
    parts = []
    for r in db.scalars(select(Receipt).where(Receipt.airing_id == airing.id)):
        mismatch = "" if r.program_hash == airing.approved_audio else ", NOT THE APPROVED AUDIO"
        volume = f", {r.volume}%" if r.volume is not None else ""
        state = "completed" if r.completed else "cut"
        parts.append(f"{r.receiver.name}: {r.source}, {state}{volume}{mismatch}")
    return "; ".join(parts)
