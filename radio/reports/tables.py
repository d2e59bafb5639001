"""The report's figures as tables: the zones' table as CSV (UTF-8 with a byte-order mark,
so that a spreadsheet opened by double-click reads Vietnamese right) and every table as a
sheet of one XLSX workbook. Headings are Vietnamese with the English after a slash.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from radio.reports.figures import Figures
from schedules.recurrence import LOCAL_TZ

Row = list[str | int | float | None]
ZONE_HEADINGS = [
    "Xã / Commune",
    "Cụm loa / Zone",
    "Tên / Name",
    "Số lần phát / Aired",
    "Số phút / Minutes",
    "Phát muộn / Late",
    "Bỏ lỡ / Missed",
    "Lỗi / Failed",
    "Loa hoạt động (%) / Receivers available (%)",
]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: str | int | float | None) -> str | int | float | None:
    """A cell as text a spreadsheet shows and never runs: names come from users, and one
    starting "=" would be a formula (OWASP's CSV injection), so it is quoted with "'";
    control characters a workbook cannot hold are dropped."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return f"'{value}" if value.startswith(FORMULA_START) else value


def kinds(figures: Figures) -> list[str]:
    """The programme types and priorities that aired, as columns ("text/normal")."""
    return sorted({k for z in figures.zones for k in z.programmes})


def zone_rows(figures: Figures) -> Iterator[Row]:
    columns = kinds(figures)
    yield [*ZONE_HEADINGS, *columns]
    for z in figures.zones:
        counts = [z.programmes.get(k, 0) for k in columns]
        yield [
            z.commune,
            z.zone,
            z.name,
            z.aired,
            z.minutes,
            z.late,
            z.missed,
            z.failed,
            z.availability,
            *counts,
        ]
    total = figures.zones
    yield [
        "Tổng / Total",
        "",
        "",
        sum(z.aired for z in total),
        figures.minutes,
        sum(z.late for z in total),
        sum(z.missed for z in total),
        sum(z.failed for z in total),
        None,
        *[sum(z.programmes.get(k, 0) for z in total) for k in columns],
    ]


def to_csv(figures: Figures) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in zone_rows(figures):
        writer.writerow(["" if v is None else safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def summary_rows(figures: Figures) -> Iterator[Row]:
    period = figures.period
    yield ["Xã / Communes", ", ".join(figures.communes)]
    yield ["Từ ngày / From", period.first.isoformat()]
    yield ["Đến ngày / To", period.last.isoformat()]
    yield ["Số phút đã phát / Minutes aired", figures.minutes]
    yield ["Bản tin cấp trên nhận / Bulletins received", figures.bulletins["received"]]
    yield ["Bản tin cấp trên đã phát / Bulletins aired", figures.bulletins["aired"]]
    yield ["Bản tin cấp trên phát muộn / Bulletins late", figures.bulletins["late"]]


def to_xlsx(figures: Figures) -> bytes:
    book = Workbook()
    sheets: list[tuple[str, list[Row]]] = [
        ("Tổng hợp", list(summary_rows(figures))),
        ("Cụm loa", list(zone_rows(figures))),
        ("Theo tuần", [["Tuần từ / Week of", "Số phút / Minutes"]]),
        ("Không phát", [["Lúc / At", "Xã", "Cụm loa", "Tin / Title", "Kết quả", "Lý do"]]),
    ]
    sheets[2][1].extend([monday.isoformat(), m] for monday, m in figures.weeks)
    sheets[3][1].extend(
        [
            n.at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M"),
            n.commune,
            n.zone,
            n.title,
            n.status,
            n.reason,
        ]
        for n in figures.not_aired
    )
    book.remove(book.active)  # type: ignore[arg-type]
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([safe(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
