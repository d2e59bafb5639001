"""The report for the level above: one airing made by the real on-air loop, the rest of a
month's as-run history written as the loop writes it (missed, failed, late, a receipt),
then the figures read back as JSON, CSV, XLSX and PDF and checked against each other."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pypdf
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from radio.models import Airing, AiringStatus, Receipt, Receiver, Zone
from radio.onair import OnAir
from radio.services import Services
from radio.web.app import create_app
from radio.web.server import serving
from schedules import ManualClock
from schedules.recurrence import LOCAL_TZ
from tests.apiclient import approved_slot, client, error, setup_zone
from tests.test_console import browser, shoot, sign_in

__all__ = ["browser"]  # the Chromium fixture, shared


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


@pytest.fixture
def month(services: tuple[Services, ManualClock], onair: OnAir) -> Iterator[tuple[str, float]]:
    """A station whose December holds: on na-heo one airing played by the loop; on ban-cam
    one aired two minutes late (its loudspeaker reported it), one missed, one failed."""
    with serving(create_app(services[0], onair)) as base:
        setup_zone(base)
        announcement, seconds = approved_slot(base, "2026-12-01T05:01:00+07:00")
        services[1].advance(timedelta(minutes=1, seconds=1))
        _aired(services[0], announcement)
        _history(services[0], announcement)
        yield base, seconds


def _aired(services: Services, announcement: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        with services.sessions() as db:
            done = db.scalar(
                select(Airing.id).where(
                    Airing.announcement_id == announcement, Airing.status == AiringStatus.AIRED
                )
            )
        if done is not None:
            return
        assert time.monotonic() < deadline, "the slot did not air"
        time.sleep(0.2)


def _history(services: Services, announcement: int) -> None:
    with services.sessions.begin() as db:
        zone = db.scalar(select(Zone).where(Zone.slug == "ban-cam"))
        assert zone is not None
        for each in db.scalars(select(Receiver)):  # installed before December
            each.created_at = at("2026-11-20T08:00:00")
        receiver = db.scalar(select(Receiver).where(Receiver.zone_id == zone.id))
        assert receiver is not None
        rows = [
            ("2026-12-03T06:00:00", "2026-12-03T06:02:00", AiringStatus.AIRED, None),
            ("2026-12-09T06:00:00", None, AiringStatus.MISSED, "missed: the server was down"),
            ("2026-12-10T06:00:00", None, AiringStatus.FAILED, "failed: program unreadable"),
        ]
        for scheduled, started, status, note in rows:
            airing = Airing(
                zone_id=zone.id,
                announcement_id=announcement,
                scheduled_at=at(scheduled),
                started_at=at(started) if started else None,
                ended_at=at(started) + timedelta(minutes=3) if started else None,
                status=status,
                note=note,
            )
            db.add(airing)
            db.flush()
            if started:
                db.add(
                    Receipt(
                        airing_id=airing.id,
                        receiver_id=receiver.id,
                        program_hash="x" * 64,
                        source="stream",
                        started_at=at(started),
                        completed=True,
                        reported_at=at(started) + timedelta(minutes=3),
                    )
                )


def test_a_months_figures_per_zone_and_week(month: tuple[str, float]) -> None:
    base, seconds = month
    report = client(base, "vanhanh").get("/api/reports", params={"month": "2026-12"})
    assert report.status_code == 200, report.text
    figures = report.json()
    assert (figures["first"], figures["last"]) == ("2026-12-01", "2026-12-31")
    zones = {z["zone"]: z for z in figures["zones"]}
    here, there = zones["na-heo"], zones["ban-cam"]
    assert (here["aired"], here["late"], here["missed"], here["failed"]) == (1, 0, 0, 0)
    assert here["programmes"] == {"text/normal": 1}
    assert here["minutes"] == pytest.approx(seconds / 60, abs=0.05)  # as long as it played
    assert here["availability"] == 0.0  # its loudspeaker never connected
    assert (there["aired"], there["late"], there["missed"], there["failed"]) == (1, 1, 1, 1)
    assert (there["minutes"], there["availability"]) == (3.0, 100.0)
    weeks = [(w["week_of"], w["minutes"]) for w in figures["weeks"]]
    assert weeks[:3] == [
        ("2026-11-30", round(3.0 + seconds / 60, 1)),
        ("2026-12-07", 0.0),
        ("2026-12-14", 0.0),
    ]
    assert len(weeks) == 5
    assert [(n["status"], n["reason"]) for n in figures["not_aired"]] == [
        ("missed", "missed: the server was down"),
        ("failed", "failed: program unreadable"),
    ]
    assert figures["bulletins"] == {"received": 0, "aired": 0, "late": 0}
    november = client(base, "vanhanh").get("/api/reports", params={"month": "2026-11"}).json()
    assert sum(z["aired"] for z in november["zones"]) == 0


def test_the_exports_hold_the_same_figures(month: tuple[str, float]) -> None:
    base, _ = month
    operator = client(base, "vanhanh")
    figures = operator.get("/api/reports", params={"month": "2026-12"}).json()
    answer = operator.get("/api/reports/export.csv", params={"month": "2026-12"})
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert (
        'filename="bao-cao-tat-ca-2026-12-01-2026-12-31.csv"'
        in answer.headers["content-disposition"]
    )
    assert answer.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Xã / Commune", "Cụm loa / Zone", "Tên / Name"]
    by_zone = {r[1]: r for r in rows[1:-1]}
    assert by_zone["ban-cam"][3:9] == ["1", "3.0", "1", "1", "1", "100.0"]
    assert rows[-1][0] == "Tổng / Total" and rows[-1][3] == "2"
    book = openpyxl.load_workbook(
        io.BytesIO(operator.get("/api/reports/export.xlsx", params={"month": "2026-12"}).content)
    )
    assert book.sheetnames == ["Tổng hợp", "Cụm loa", "Theo tuần", "Không phát"]
    assert [c.value for c in book["Không phát"]["E"]][1:] == ["missed", "failed"]
    assert book["Tổng hợp"]["B4"].value == figures["minutes"]
    document = operator.get("/api/reports/export.pdf", params={"month": "2026-12"})
    assert document.headers["content-type"] == "application/pdf"
    if folder := os.environ.get("RADIO_SCREENSHOTS"):  # the sample kept in the docs
        (Path(folder) / "report-sample.pdf").write_bytes(document.content)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(document.content)).pages)
    for expected in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "BÁO CÁO HOẠT ĐỘNG TRUYỀN THANH",
        "Từ ngày 01/12/2026 đến ngày 31/12/2026",
        "missed: the server was down",
        "NGƯỜI LẬP BÁO CÁO",
        "(Ký, ghi rõ họ tên)",
    ]:
        assert expected in text, expected


def test_a_commune_reads_only_its_own_and_bad_periods_are_refused(
    month: tuple[str, float],
) -> None:
    base, _ = month
    operator = client(base, "vanhanh")
    made = operator.post("/api/communes", json={"slug": "na-ri", "name": "Na Rì"})
    assert made.status_code == 201, made.text
    body = {"username": "cbnr", "password": "cbnr-mat-khau", "role": "officer", "commune": "na-ri"}
    assert operator.post("/api/users", json=body).status_code == 201
    theirs = client(base, "cbnr").get("/api/reports", params={"month": "2026-12"}).json()
    assert theirs["communes"] == ["Na Rì"] and theirs["zones"] == []
    error(client(base, "cbnr").get("/api/reports", params={"commune": "xa"}), 404)
    one = operator.get("/api/reports", params={"month": "2026-12", "commune": "na-ri"}).json()
    assert one["zones"] == []
    params = {"first": "2026-12-10", "last": "2026-12-01"}
    assert error(operator.get("/api/reports", params=params), 422)["field"] == "last"
    error(operator.get("/api/reports", params={"first": "2026-12-10"}), 422)
    error(operator.get("/api/reports", params={"month": "2026-13"}), 422)
    error(operator.get("/api/reports/export.doc"), 422)
    span = operator.get("/api/reports", params={"first": "2026-12-09", "last": "2026-12-10"})
    assert [n["status"] for n in span.json()["not_aired"]] == ["missed", "failed"]


def test_the_reports_page_shows_the_charts_and_offers_the_exports(
    browser: Browser, month: tuple[str, float]
) -> None:
    base, _ = month
    page = sign_in(browser, base, "vanhanh")
    page.goto(f"{base}/reports?month=2026-12")
    expect(page.get_by_role("heading", name="Báo cáo")).to_be_visible()
    expect(page.locator('#zones tr[data-zone="ban-cam"] td').nth(1)).to_have_text("1")
    expect(page.locator('#zones tr[data-zone="ban-cam"] td').nth(6)).to_have_text("100.0 %")
    weeks = page.get_by_role("img", name="Số phút phát mỗi tuần").locator("rect")
    expect(weeks).to_have_count(5)
    zones = page.get_by_role("img", name="Tỉ lệ loa hoạt động khi phát, theo cụm")
    expect(zones.locator("rect")).to_have_count(2)
    expect(page.locator("#not-aired tr")).to_have_count(2)
    with page.expect_download() as made:
        page.get_by_role("link", name="PDF").click()
    assert made.value.suggested_filename == "bao-cao-tat-ca-2026-12-01-2026-12-31.pdf"
    with open(made.value.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"
    shoot(page, "reports")


def test_names_from_users_never_become_formulas_or_break_a_workbook(
    month: tuple[str, float],
) -> None:
    base, _ = month
    operator = client(base, "vanhanh")
    name = '=HYPERLINK("http://x.example","bấm")\x01\x1f'
    renamed = operator.put("/api/communes/xa", json={"slug": "xa", "name": name})
    assert renamed.status_code == 200, renamed.text
    params = {"month": "2026-12"}
    book = openpyxl.load_workbook(
        io.BytesIO(operator.get("/api/reports/export.xlsx", params=params).content)
    )
    cell = book["Tổng hợp"]["B1"]
    assert (cell.data_type, cell.value) == ("s", '\'=HYPERLINK("http://x.example","bấm")')
    zone = {"slug": "tong", "name": "=SUM(1+1)", "commune": "xa"}
    assert operator.post("/api/zones", json=zone).status_code == 201
    text = operator.get("/api/reports/export.csv", params=params).content.decode("utf-8-sig")
    rows = {r[1]: r for r in csv.reader(io.StringIO(text))}
    assert rows["tong"][2] == "'=SUM(1+1)"
    assert operator.get("/api/reports/export.pdf", params=params).status_code == 200
