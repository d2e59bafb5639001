"""The monthly report to the province as a printable PDF, laid out as Vietnamese official
reports are: the station's name and the national motto at the head, the place and date,
the title and period, the figures with two charts, what did not air, and signature lines.
Its font (DejaVu Sans, shipped beside this module) holds every Vietnamese letter.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from radio.reports.figures import Figures
from radio.reports.tables import summary_rows
from schedules.recurrence import LOCAL_TZ

FONTS = Path(__file__).with_name("fonts")
FONT = "DejaVu"
MAX_NOT_AIRED = 40  # rows listed; the XLSX holds them all


def render(figures: Figures, station: str, place: str, today: date) -> bytes:
    """`station` heads the page ("UBND xã Vi Hương"); `place` goes before the date."""
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 15, 15)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _heading(pdf, station, place, today)
    _title(pdf, figures)
    _section(pdf, "I. Tổng hợp")
    for label, value in summary_rows(figures):
        pdf.set_font(FONT, "", 10)
        pdf.cell(110, 6, str(label).split(" / ")[0])
        pdf.cell(0, 6, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _section(pdf, "II. Theo cụm loa")
    _zones(pdf, figures)
    _section(pdf, "III. Biểu đồ")
    weeks = [(f"{d.day:02d}/{d.month:02d}", m) for d, m in figures.weeks]
    _bars(pdf, "Số phút phát mỗi tuần", weeks, unit="phút")
    zones = [(z.zone, z.availability or 0.0) for z in figures.zones]
    _bars(pdf, "Tỉ lệ loa hoạt động khi phát (%)", zones, unit="%", top=100.0)
    _section(pdf, "IV. Các lần không phát được")
    _not_aired(pdf, figures)
    _signatures(pdf)
    return bytes(pdf.output())


def _heading(pdf: FPDF, station: str, place: str, today: date) -> None:
    pdf.set_font(FONT, "B", 10)
    top = pdf.get_y()
    pdf.multi_cell(75, 5, f"{station.upper()}\nĐÀI TRUYỀN THANH", align="C")
    pdf.set_xy(95, top)
    pdf.multi_cell(
        100, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", align="C"
    )
    pdf.set_font(FONT, "", 10)
    pdf.set_x(95)
    when = f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}"
    when = f"{place}, {when}" if place else when.capitalize()
    pdf.cell(100, 8, when, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _title(pdf: FPDF, figures: Figures) -> None:
    period = figures.period
    pdf.ln(4)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, "BÁO CÁO HOẠT ĐỘNG TRUYỀN THANH", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 11)
    span = f"Từ ngày {period.first:%d/%m/%Y} đến ngày {period.last:%d/%m/%Y}"
    pdf.cell(0, 7, span, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 6, ", ".join(figures.communes), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _section(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _zones(pdf: FPDF, figures: Figures) -> None:
    pdf.set_font(FONT, "", 8)
    headings = ["Cụm loa", "Lần phát", "Phút", "Muộn", "Bỏ lỡ", "Lỗi", "Loa hoạt động"]
    with pdf.table(col_widths=(50, 20, 20, 16, 16, 16, 30), text_align="CENTER") as table:
        table.row(headings)
        for z in figures.zones:
            available = "—" if z.availability is None else f"{z.availability:.1f} %"
            values = [z.aired, f"{z.minutes:.1f}", z.late, z.missed, z.failed, available]
            table.row([z.name, *[str(v) for v in values]])


def _bars(
    pdf: FPDF, caption: str, values: list[tuple[str, float]], unit: str, top: float = 0.0
) -> None:
    """A bar chart drawn with the PDF's own lines: crisp at any zoom, no image library."""
    height, width = 38.0, 170.0
    if pdf.get_y() + height + 22 > pdf.h - 18:
        pdf.add_page()
    pdf.set_font(FONT, "B", 9)
    pdf.cell(0, 6, caption, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    x0, y0 = pdf.l_margin, pdf.get_y() + height + 6  # room for the top bar's figure
    peak = max([top, *[v for _, v in values]]) or 1.0
    slot = width / max(len(values), 1)
    pdf.set_font(FONT, "", 7)
    pdf.line(x0, y0, x0 + width, y0)
    for i, (label, value) in enumerate(values):
        bar = height * value / peak
        pdf.set_fill_color(46, 125, 50)
        pdf.rect(x0 + i * slot + slot * 0.2, y0 - bar, slot * 0.6, bar, style="F")
        pdf.set_xy(x0 + i * slot, y0 - bar - 4)
        pdf.cell(slot, 4, f"{value:g}", align="C")
        pdf.set_xy(x0 + i * slot, y0 + 1)
        pdf.cell(slot, 4, label[:14], align="C")
    pdf.set_fill_color(255, 255, 255)  # tables after it fill with the current colour
    pdf.set_xy(x0, y0 + 6)
    pdf.cell(0, 4, f"({unit})", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _not_aired(pdf: FPDF, figures: Figures) -> None:
    pdf.set_font(FONT, "", 8)
    if not figures.not_aired:
        pdf.cell(0, 6, "Không có.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with pdf.table(col_widths=(28, 28, 50, 18, 50)) as table:
        table.row(["Lúc", "Cụm loa", "Tin", "Kết quả", "Lý do"])
        for n in figures.not_aired[:MAX_NOT_AIRED]:
            at = n.at.astimezone(LOCAL_TZ).strftime("%d/%m %H:%M")
            table.row([at, n.zone, n.title, n.status, n.reason[:80]])
    hidden = len(figures.not_aired) - MAX_NOT_AIRED
    if hidden > 0:
        pdf.cell(0, 6, f"... và {hidden} lần khác (xem tệp XLSX).")
        pdf.ln(6)


def _signatures(pdf: FPDF) -> None:
    if pdf.get_y() + 40 > pdf.h - 18:
        pdf.add_page()
    pdf.ln(8)
    top = pdf.get_y()
    for x, who in [(18.0, "NGƯỜI LẬP BÁO CÁO"), (110.0, "TRƯỞNG ĐÀI TRUYỀN THANH")]:
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(80, 6, who, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 9)
        pdf.cell(80, 5, "(Ký, ghi rõ họ tên)", align="C")
