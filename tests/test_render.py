"""The render pipeline and its caches, on real voices, real files and real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.standin import STANDIN_ID
from tests.audio_checks import decode_mp3, reference_loudness_lufs, reference_true_peak_dbtp
from tests.clirun import radio
from voices import (
    Assembly,
    Catalog,
    EmptyTextError,
    Lexicon,
    Normalizer,
    Pcm,
    Reading,
    RenderedProgram,
    Renderer,
    SynthesisParams,
)
from voices.audio.format import SAMPLE_RATE as BROADCAST_RATE
from voices.store.segments import SegmentCache, segment_key

BULLETIN = (
    "Đây là Đài truyền thanh xã Vi Hương. Kính thưa bà con nhân dân trong toàn xã.\n"
    "Chiều nay thôn Nà Héo họp bàn kế hoạch phòng chống lũ. Đề nghị các hộ cử người tham dự.\n"
    "Xin cảm ơn bà con đã chú ý lắng nghe.\n"
)


@pytest.fixture
def renderer(tmp_path: Path) -> Renderer:
    return Renderer.at(tmp_path / "cache", 2 * 1024**3)


@pytest.fixture
def catalog(data_dir: Path) -> Catalog:
    return Catalog(data_dir)


def render(
    renderer: Renderer,
    catalog: Catalog,
    text: str = BULLETIN,
    voice: str = "espeak-north-female",
    params: SynthesisParams = SynthesisParams(),
    normalizer: Normalizer = Normalizer(),
    assembly: Assembly = Assembly(),
) -> RenderedProgram:
    return renderer.render(text, Reading(catalog.synthesizer(voice), normalizer, params, assembly))


def misses(program: RenderedProgram) -> list[str]:
    return [s.text for s in program.segments if not s.hit]


def test_first_render_misses_everything_and_repeat_is_a_program_hit(
    renderer: Renderer, catalog: Catalog
) -> None:
    first = render(renderer, catalog)
    assert len(first.segments) == 5 and len(misses(first)) == 5 and not first.cached
    before = renderer.cache.stats()
    second = render(renderer, catalog)
    assert second.cached and second.hash == first.hash and misses(second) == []
    assert renderer.cache.stats() == before  # neither the engine nor the segment cache ran


def test_an_edit_resynthesizes_exactly_the_edited_sentence(
    renderer: Renderer, catalog: Catalog
) -> None:
    render(renderer, catalog)
    edited = BULLETIN.replace("Chiều nay", "Tối nay")
    program = render(renderer, catalog, edited)
    assert misses(program) == ["Tối nay thôn Nà Héo họp bàn kế hoạch phòng chống lũ."]


def test_voice_and_rate_changes_resynthesize_everything(
    renderer: Renderer, catalog: Catalog
) -> None:
    render(renderer, catalog)
    assert len(misses(render(renderer, catalog, voice="espeak-south-male"))) == 5
    assert len(misses(render(renderer, catalog, params=SynthesisParams(rate=1.2)))) == 5
    assert misses(render(renderer, catalog, params=SynthesisParams(rate=1.2))) == []


def test_a_lexicon_entry_resynthesizes_only_the_sentences_it_changes(
    renderer: Renderer, catalog: Catalog
) -> None:
    render(renderer, catalog)
    lexicon = Normalizer(Lexicon.parse("Nà Héo = Nà Hẻo\nVi Hương = Vi Hương\n"))
    program = render(renderer, catalog, normalizer=lexicon)
    assert misses(program) == ["Chiều nay thôn Nà Hẻo họp bàn kế hoạch phòng chống lũ."]


def test_a_new_normalizer_version_resynthesizes_everything(
    renderer: Renderer, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    render(renderer, catalog)
    monkeypatch.setattr("voices.render.NORMALIZER_VERSION", "a-later-version")
    assert len(misses(render(renderer, catalog))) == 5


def test_program_length_is_segments_plus_pauses_and_loudness_is_on_target(
    renderer: Renderer, catalog: Catalog
) -> None:
    assembly = Assembly(sentence_pause_s=0.4, paragraph_pause_s=1.0)
    program = render(renderer, catalog, assembly=assembly)
    pauses = sum(assembly.pause_after(s) for s in program.segments[:-1])  # type: ignore[arg-type]
    assert program.duration == pytest.approx(
        sum(s.duration for s in program.segments) + pauses, abs=0.010
    )
    decoded = decode_mp3(program.mp3_path.read_bytes())
    assert decoded.sample_rate == BROADCAST_RATE
    assert decoded.duration == pytest.approx(program.duration, abs=0.002)
    for pcm in (decoded, wav_pcm(program.master_path)):
        assert reference_loudness_lufs(pcm) == pytest.approx(-16.0, abs=1.0)
        assert reference_true_peak_dbtp(pcm) <= -1.0
    assert program.loudness.integrated_lufs == pytest.approx(-16.0, abs=1.0)


def test_quiet_and_loud_voices_come_out_equally_loud(renderer: Renderer, catalog: Catalog) -> None:
    quiet = render(renderer, catalog, params=SynthesisParams(volume=0.1))
    loud = render(renderer, catalog, params=SynthesisParams(volume=2.0))
    assert quiet.loudness.integrated_lufs == pytest.approx(loud.loudness.integrated_lufs, abs=0.5)


def test_chimes_frame_the_program(renderer: Renderer, catalog: Catalog) -> None:
    plain = render(renderer, catalog)
    chimed = render(renderer, catalog, assembly=Assembly(chime=True))
    assert misses(chimed) == []  # same segments, new assembly
    assert chimed.duration > plain.duration + 3.5
    first_second = wav_pcm(chimed.master_path).samples[:BROADCAST_RATE].astype(np.float64)
    spectrum = np.abs(np.fft.rfft(first_second))
    assert abs(np.fft.rfftfreq(BROADCAST_RATE, 1 / BROADCAST_RATE)[spectrum.argmax()] - 523) < 5


def test_empty_text_is_refused(renderer: Renderer, catalog: Catalog) -> None:
    with pytest.raises(EmptyTextError):
        render(renderer, catalog, text=" \n 🙂 \n")


def test_a_flipped_byte_in_an_entry_is_caught_and_resynthesized(
    renderer: Renderer, catalog: Catalog
) -> None:
    first = render(renderer, catalog)
    victim = first.segments[2]
    path = renderer.cache.directory / "segments" / victim.key[:2] / f"{victim.key}.pcm"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    program = render(renderer, catalog, text=BULLETIN + "Thông báo thêm.\n")
    assert misses(program) == [victim.text, "Thông báo thêm."]
    assert renderer.cache.stats().corrupt == 1


def test_a_truncated_entry_is_caught(renderer: Renderer, catalog: Catalog) -> None:
    first = render(renderer, catalog)
    victim = first.segments[0]
    path = renderer.cache.directory / "segments" / victim.key[:2] / f"{victim.key}.pcm"
    path.write_bytes(path.read_bytes()[:-100])
    assert misses(render(renderer, catalog, text=BULLETIN + "Hết.")) == [victim.text, "Hết."]


def test_a_corrupt_program_file_is_rerendered_not_served(
    renderer: Renderer, catalog: Catalog
) -> None:
    first = render(renderer, catalog)
    first.mp3_path.write_bytes(first.mp3_path.read_bytes()[:-10])
    again = render(renderer, catalog)
    assert not again.cached and misses(again) == []  # rebuilt from the segment cache
    assert decode_mp3(again.mp3_path.read_bytes()).duration == pytest.approx(
        first.duration, abs=0.002
    )


def test_eviction_keeps_the_byte_bound_least_recently_used_first(
    tmp_path: Path, catalog: Catalog
) -> None:
    cache = SegmentCache(tmp_path / "small", max_bytes=400_000)
    voice = catalog.synthesizer("espeak-north-male")

    def put(text: str) -> bool:
        key = segment_key(text)
        return cache.get_or_synthesize(key, lambda: voice.synthesize(text, SynthesisParams())).hit

    put("Câu đầu tiên được dùng lại thường xuyên.")
    for i in range(30):
        put(f"Câu số {i} của bản tin dài để lấp đầy bộ nhớ đệm.")
        assert put("Câu đầu tiên được dùng lại thường xuyên.")  # kept: always recently used
        assert cache.stats().bytes <= 400_000
    stats = cache.stats()
    assert stats.evictions > 0 and stats.entries < 31
    assert not put("Câu số 0 của bản tin dài để lấp đầy bộ nhớ đệm.")  # the oldest went first


def test_threads_rendering_the_same_text_synthesize_each_segment_once(
    renderer: Renderer, catalog: Catalog
) -> None:
    texts = [BULLETIN] * 6
    with ThreadPoolExecutor(max_workers=6) as pool:
        programs = list(pool.map(lambda t: render(renderer, catalog, text=t), texts))
    assert renderer.cache.stats().misses == 5
    assert len({p.hash for p in programs}) == 1


def test_two_processes_synthesize_each_segment_once(
    data_dir: Path, tmp_path: Path, standin_files: tuple[Path, Path]
) -> None:
    """Two `radio cache warm` processes on the same installation, same text, started
    together, with the Piper stand-in so that synthesis takes long enough to overlap."""
    assert (
        radio(
            "voices",
            "add",
            str(standin_files[0]),
            "--config",
            str(standin_files[1]),
            "--id",
            STANDIN_ID,
        ).returncode
        == 0
    )
    text = tmp_path / "bulletin.txt"
    text.write_text(BULLETIN, "utf-8")
    from tests.clirun import RADIO

    procs = [
        subprocess.Popen(
            [RADIO, "cache", "warm", "--voice", STANDIN_ID, str(text)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    stats = SegmentCache(data_dir / "cache").stats()
    assert stats.misses == 5 and stats.entries == 5
    synthesized = [int(out.split(" segments, ")[1].split()[0]) for out, _ in outputs]
    assert sorted(synthesized) in ([0, 5], [1, 4], [2, 3])  # split between them, never doubled


_KILLED_WRITER = """
import sys
from pathlib import Path
import numpy as np
from voices.audio.pcm import Pcm
from voices.store.segments import SegmentCache, segment_key
cache = SegmentCache(Path(sys.argv[1]))
huge = Pcm(np.ones(150_000_000, dtype=np.int16), 22050)  # ~300 MB: takes a while to write
cache.get_or_synthesize(segment_key("killed"), lambda: huge)
"""


def test_a_killed_writer_leaves_no_visible_entry(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    writer = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(directory)])
    deadline = time.monotonic() + 60
    while not list((directory / "segments").glob("*/.tmp-*")):
        assert time.monotonic() < deadline and writer.poll() is None, "writer never started"
        time.sleep(0.001)
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    cache = SegmentCache(directory)
    key = segment_key("killed")
    assert not cache.contains(key)
    small = Pcm(np.full(100, 7, dtype=np.int16), 22050)
    found = cache.get_or_synthesize(key, lambda: small)  # the lock was freed with the process
    assert not found.hit and np.array_equal(found.pcm.samples, small.samples)
    assert cache.get_or_synthesize(key, lambda: small).hit


def test_voices_at_other_rates_are_resampled_to_the_broadcast_rate(
    renderer: Renderer, data_dir: Path, standin_files: tuple[Path, Path], tmp_path: Path
) -> None:
    import json

    config = json.loads(standin_files[1].read_text("utf-8"))
    config["audio"]["sample_rate"] = 16000
    low = tmp_path / "low.onnx.json"
    low.write_text(json.dumps(config), "utf-8")
    catalog = Catalog(data_dir)
    catalog.add(standin_files[0], low, voice_id="low-rate")
    program = render(renderer, catalog, text="Xin chào bà con.", voice="low-rate")
    decoded = decode_mp3(program.mp3_path.read_bytes())
    assert decoded.sample_rate == BROADCAST_RATE
    assert program.duration == pytest.approx(program.segments[0].duration, abs=0.002)


def test_cache_cli_stats_warm_and_clear(data_dir: Path, tmp_path: Path) -> None:
    bulletin = tmp_path / "b.txt"
    bulletin.write_text(BULLETIN, "utf-8")
    warmed = radio("cache", "warm", str(bulletin))
    assert warmed.returncode == 0 and "5 segments, 5 synthesized" in warmed.stdout
    said = radio("say", "-f", str(bulletin), "-o", str(tmp_path / "out.mp3"))
    assert "5/5 segments from cache" in said.stdout
    import json

    stats = json.loads(radio("cache", "stats", "--json").stdout)
    assert stats["entries"] == 5 and stats["misses"] == 5
    assert radio("cache", "clear").stdout.strip() == "removed 5 cached segments"
    assert json.loads(radio("cache", "stats", "--json").stdout)["entries"] == 0
    bad = radio("cache", "warm", str(tmp_path / "missing.txt"))
    assert bad.returncode == 1 and "No such file" in bad.stderr


def wav_pcm(path: Path) -> Pcm:
    import wave

    with wave.open(str(path)) as w:
        return Pcm(np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16), w.getframerate())


def test_program_json_round_trip_keeps_every_field(renderer: Renderer, catalog: Catalog) -> None:
    first = render(renderer, catalog)
    again = render(renderer, catalog)
    assert replace(again, cached=False, segments=first.segments) == first


def _silences(path: Path, at_least: float = 0.25) -> list[float]:
    """The silent stretches of a decoded MP3, in seconds, longest first."""
    heard = decode_mp3(path.read_bytes())
    window = heard.sample_rate // 100  # 10 ms
    frames = heard.samples[: len(heard.samples) // window * window].reshape(-1, window)
    quiet = np.abs(frames.astype(float)).mean(axis=1) < 60
    runs, length = [], 0
    for q in [*quiet, False]:
        if q:
            length += 1
        elif length:
            runs.append(length / 100)
            length = 0
    return sorted((r for r in runs if r >= at_least), reverse=True)


def test_the_stations_sentence_pause_is_heard_between_sentences(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RADIO_SENTENCE_PAUSE_S lets a station whose loudspeakers echo off the hills wait
    longer after each sentence; a line's end pauses at least as long."""
    bulletin = tmp_path / "b.txt"
    bulletin.write_text(BULLETIN, "utf-8")
    lengths = {}
    for pause in ("0.3", "1.5"):
        monkeypatch.setenv("RADIO_SENTENCE_PAUSE_S", pause)
        out = tmp_path / f"pause-{pause}.mp3"
        said = radio("say", "-f", str(bulletin), "-o", str(out))
        assert said.returncode == 0, said.stderr
        lengths[pause] = decode_mp3(out.read_bytes()).duration
        gaps = _silences(out)
        assert len(gaps) >= 4, gaps  # 5 sentences: 4 pauses, 2 of them ends of lines
    # 2 sentence ends from 0.3 to 1.5 s, 2 line ends from 0.8 to 1.5 s: 3.8 s longer
    assert lengths["1.5"] - lengths["0.3"] == pytest.approx(3.8, abs=0.05)
    assert min(_silences(tmp_path / "pause-1.5.mp3")[:4]) >= 1.45
    monkeypatch.setenv("RADIO_SENTENCE_PAUSE_S", "lâu")
    refused = radio("say", "-f", str(bulletin), "-o", str(tmp_path / "x.mp3"))
    assert refused.returncode != 0
    assert "RADIO_SENTENCE_PAUSE_S must be seconds from 0.2 to 2.0, got 'lâu'" in refused.stderr


def test_a_long_sentence_cut_at_a_comma_breathes_shorter_than_a_sentence_end() -> None:
    from voices.split import Segment

    assembly = Assembly(sentence_pause_s=0.6)
    assert assembly.pause_after(Segment("Kính thưa bà con,", False)) == 0.2
    assert assembly.pause_after(Segment("Kính thưa bà con.", False)) == 0.6
    assert assembly.pause_after(Segment("Kính thưa bà con.", True)) == 0.8
    assert Assembly(sentence_pause_s=1.2).pause_after(Segment("Hết.", True)) == 1.2
