"""What an emergency template saves: the time from filled fields to a program ready for
air, against rendering the same text whole on a cold cache.

For the built-in northern voice and the Piper stand-in (the medium network's compute): each
template is saved (its fixed parts synthesized), then filled with five different hamlets
and times; each fill is rendered through the template path (only the fields synthesized)
and, for comparison, the filled text whole in a fresh cache.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.standin import STANDIN_ID, standin_files
from bench.table import print_table, rows
from radio.airtime.templates import fill, filled_text, parse
from voices import Catalog, Reading, Renderer

VOICES = ("espeak-north-female", STANDIN_ID)
TEMPLATES = (
    "Thông báo khẩn: lũ quét tại thôn {thôn} lúc {giờ}. Bà con thôn {thôn} di chuyển ngay "
    "lên chỗ cao, không qua ngầm, tràn. Các hộ gần suối chú ý theo dõi nước lên.",
    "Cháy rừng tại khu vực {nơi}. Đề nghị lực lượng xung kích thôn {thôn} tập trung tại "
    "{nơi tập trung} lúc {giờ} để chữa cháy. Bà con không đốt lửa gần rừng.",
    "Bão số {số} sẽ ảnh hưởng đến xã từ {giờ} ngày {ngày}. Bà con chằng chống nhà cửa, "
    "thu hoạch lúa và hoa màu, không ra sông suối khi có mưa lớn.",
)
FILLS = (
    {
        "thôn": "Nà Héo",
        "giờ": "14h30",
        "nơi": "đồi Khuổi Mật",
        "nơi tập trung": "nhà văn hóa",
        "số": "3",
        "ngày": "12/9",
    },
    {
        "thôn": "Bản Cám",
        "giờ": "5h15",
        "nơi": "rừng Pác Nặm",
        "nơi tập trung": "trụ sở UBND",
        "số": "4",
        "ngày": "13/9",
    },
    {
        "thôn": "Nà Vài",
        "giờ": "22h",
        "nơi": "núi Phja Khao",
        "nơi tập trung": "trạm y tế",
        "số": "5",
        "ngày": "14/9",
    },
    {
        "thôn": "Pác Lạng",
        "giờ": "7h45",
        "nơi": "đồi thông",
        "nơi tập trung": "trường tiểu học",
        "số": "6",
        "ngày": "15/9",
    },
    {
        "thôn": "Bản Chang",
        "giờ": "16h",
        "nơi": "khe Nặm Cắt",
        "nơi tập trung": "chợ xã",
        "số": "7",
        "ngày": "16/9",
    },
)


def run(texts: list[str]) -> dict[str, object]:
    del texts  # the templates are the corpus
    rows = []
    for voice_id in VOICES:
        with tempfile.TemporaryDirectory() as tmp:
            rows.append(_voice(Path(tmp), voice_id))
    return {"voices": rows}


def _voice(tmp: Path, voice_id: str) -> dict[str, object]:
    catalog = Catalog(tmp)
    catalog.add(*standin_files(tmp / "standin"), voice_id=STANDIN_ID)
    reading = Reading.of(catalog, voice_id)
    renderer = Renderer.at(tmp / "cache", 1 << 30)
    # A running server has rendered before: its first render's one-time costs are paid.
    Renderer.at(tmp / "first", 1 << 30).render("Xin chào bà con.", reading)
    synthesis: list[float] = []
    warm: list[float] = []
    filled: list[float] = []
    whole: list[float] = []
    synthesized: list[int] = []
    for template in TEMPLATES:
        parsed = parse(template)
        started = time.perf_counter()
        renderer.warm(list(parsed.fixed), reading, keep_for=template)
        warm.append(time.perf_counter() - started)
        for values in FILLS:
            parts = fill(parsed, {name: values[name] for name in parsed.fields})
            started = time.perf_counter()
            program = renderer.render_parts(parts, reading)
            filled.append(time.perf_counter() - started)
            synthesized.append(sum(not s.hit for s in program.segments))
            synthesis.append(sum(s.synthesis_seconds for s in program.segments if not s.hit))
            cold = Renderer.at(tmp / f"cold-{len(whole)}", 1 << 30)
            started = time.perf_counter()
            cold.render(filled_text(parts), reading)
            whole.append(time.perf_counter() - started)
    return {
        "voice": voice_id,
        "save_s": statistics.median(warm),
        "fill_median_s": statistics.median(filled),
        "fill_max_s": max(filled),
        "segments_synthesized": statistics.median(synthesized),
        "synthesis_median_s": statistics.median(synthesis),
        "whole_median_s": statistics.median(whole),
    }


def report(figures: dict[str, object]) -> None:
    table = rows(figures, "voices")
    print(f"emergency templates: {len(TEMPLATES)} templates × {len(FILLS)} fills")
    print_table(
        [
            "voice",
            "save s",
            "fill→program median s",
            "max s",
            "segments synthesized",
            "their synthesis s",
            "whole text, cold cache s",
        ],
        [
            [
                r["voice"],
                r["save_s"],
                r["fill_median_s"],
                r["fill_max_s"],
                r["segments_synthesized"],
                r["synthesis_median_s"],
                r["whole_median_s"],
            ]
            for r in table
        ],
    )
