"""`radio say`: text to an audio file, through the same render pipeline as a broadcast."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from radio.settings import Settings
from radio.textfiles import read_text
from voices import Catalog, Lexicon, Reading, RenderedProgram, Renderer, SynthesisParams
from voices.files import write_atomically


def register(commands: argparse._SubParsersAction[Any]) -> None:
    say = commands.add_parser("say", help="read a text aloud into an MP3 or WAV file")
    say.add_argument("text", nargs="?", help="the text to read (or use -f)")
    say.add_argument("-f", "--file", help="read the text from a file (- for standard input)")
    say.add_argument("--voice", help="voice id (see: radio voices list)")
    say.add_argument("--rate", type=float, default=1.0, help="speed, 1.0 natural (0.5-2.0)")
    say.add_argument("--volume", type=float, default=1.0, help="gain, 1.0 unchanged (0-2.0)")
    say.add_argument("--chime", action="store_true", help="chimes before and after")
    say.add_argument("-o", "--output", required=True, type=Path, help="OUT.mp3 or OUT.wav")
    say.set_defaults(handler=run_say)


def render_text(
    settings: Settings,
    text: str,
    voice_id: str | None,
    params: SynthesisParams,
    chime: bool = False,
) -> RenderedProgram:
    """Render through the installation's voices, lexicon and caches. A lexicon with a bad
    line is refused here, naming it: whoever runs the command can fix the file."""
    catalog = Catalog(settings.data_dir)
    lexicon = Lexicon.load(settings.lexicon_path).checked()
    voice = voice_id or settings.default_voice
    reading = Reading.of(catalog, voice, lexicon, params, chime, settings.sentence_pause_s)
    return Renderer.at(settings.cache_dir, settings.cache_max_bytes).render(text, reading)


def run_say(args: argparse.Namespace, settings: Settings) -> int:
    if (args.text is None) == (args.file is None):
        raise ValueError("give the text either as an argument or with -f FILE, not both")
    suffix = args.output.suffix.lower()
    if suffix not in (".mp3", ".wav"):
        raise ValueError(f"output must end in .mp3 or .wav, got {args.output.name!r}")
    params = SynthesisParams(rate=args.rate, volume=args.volume)
    text = args.text if args.file is None else read_text(args.file)
    program = render_text(settings, text, args.voice, params, chime=args.chime)
    source = program.master_path if suffix == ".wav" else program.mp3_path
    assert source is not None  # this renderer keeps masters
    write_atomically(args.output, source.read_bytes())
    hits = sum(s.hit for s in program.segments)
    print(
        f"{args.output}: {program.duration:.1f} s, {program.loudness.integrated_lufs:.1f} LUFS,"
        f" {hits}/{len(program.segments)} segments from cache"
    )
    return 0
