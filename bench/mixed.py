"""Mixed programmes: a bilingual notice (chime, Vietnamese read by a voice, a Tày and a
Nùng recording of a minute each, pauses, chime) rendered cold, then again after one
Vietnamese sentence is edited: only that sentence is synthesized, the recordings are
decoded again and everything is joined, levelled and encoded once more.

For the built-in northern voice and the Piper stand-in; the recordings are made here by
the wheel's ffmpeg (M4A, as a phone records) and imported first (their import time is
reported on its own)."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.standin import STANDIN_ID, standin_files
from bench.table import print_table, rows
from voices import Catalog, Reading, Renderer
from voices.audio import ffmpeg
from voices.mixed import Bell, Part, Pause, Recorded, Spoken

VOICES = ("espeak-north-female", STANDIN_ID)
RUNS = 3
RECORDING_S = 60


def run(texts: list[str]) -> dict[str, object]:
    text = texts[0] if texts else "Kính thưa bà con. Thôn Nà Héo họp lúc 8 giờ sáng mai."
    out = []
    for voice_id in VOICES:
        with tempfile.TemporaryDirectory() as tmp:
            out.append(_voice(Path(tmp), voice_id, text))
    return {"voices": out, "characters": len(text), "recording_s": RECORDING_S}


def _voice(tmp: Path, voice_id: str, text: str) -> dict[str, object]:
    catalog = Catalog(tmp)
    catalog.add(*standin_files(tmp / "standin"), voice_id=STANDIN_ID)
    reading = Reading.of(catalog, voice_id)
    Renderer.at(tmp / "first", 1 << 30).render("Xin chào bà con.", reading)  # one-time costs
    cold, edited, imports, made = [], [], [], []
    for run in range(RUNS):
        renderer = Renderer.at(tmp / f"cache-{run}", 1 << 30, masters=False)
        started = time.perf_counter()
        tay, nung = (renderer.import_audio(_recording(tmp, hz)).hash for hz in (220, 330))
        imports.append((time.perf_counter() - started) / 2)
        started = time.perf_counter()
        renderer.render_mixed(_programme(text, tay, nung), reading)
        cold.append(time.perf_counter() - started)
        changed = text.replace(".", ", thưa bà con.", 1)  # the first sentence, edited
        started = time.perf_counter()
        program = renderer.render_mixed(_programme(changed, tay, nung), reading)
        edited.append(time.perf_counter() - started)
        made.append(sum(not s.hit for s in program.segments))
    return {
        "voice": voice_id,
        "import_s": statistics.median(imports),
        "cold_s": statistics.median(cold),
        "edited_s": statistics.median(edited),
        "segments": len(program.segments),
        "synthesized_after_edit": statistics.median(made),
        "duration_s": program.duration,
    }


def _programme(text: str, tay: str, nung: str) -> list[Part]:
    return [Bell(), Spoken(text), Pause(1.0), Recorded(tay), Pause(1.0), Recorded(nung), Bell()]


def _recording(tmp: Path, hz: int) -> bytes:
    """A minute of a warbling tone, as a phone's M4A."""
    path = tmp / f"{hz}.m4a"
    tone = f"sine=f={hz}:d={RECORDING_S}:r=44100,vibrato=f=4:d=0.3"
    command = [ffmpeg.executable(), "-v", "error", "-y", "-f", "lavfi", "-i", tone]
    subprocess.run([*command, "-c:a", "aac", "-b:a", "64k", str(path)], check=True)
    return path.read_bytes()


def report(figures: dict[str, object]) -> None:
    print(
        f"mixed programme: {figures['characters']} characters of Vietnamese and two "
        f"{figures['recording_s']} s recordings, median of {RUNS}"
    )
    print_table(
        [
            "voice",
            "import a recording s",
            "cold render s",
            "after editing one sentence s",
            "segments",
            "synthesized again",
            "programme s",
        ],
        [
            [
                r["voice"],
                r["import_s"],
                r["cold_s"],
                r["edited_s"],
                r["segments"],
                r["synthesized_after_edit"],
                r["duration_s"],
            ]
            for r in rows(figures, "voices")
        ],
    )
