"""`radio say`: text to an audio file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from radio.cli.textio import read_text, write_atomically
from radio.settings import Settings
from voices import (
    Catalog,
    Lexicon,
    SynthesisParams,
    encode_mp3,
    encode_wav,
    normalizer_for,
    speak,
)

_ENCODERS = {".mp3": encode_mp3, ".wav": encode_wav}


def register(commands: argparse._SubParsersAction[Any]) -> None:
    say = commands.add_parser("say", help="read a text aloud into an MP3 or WAV file")
    say.add_argument("text", nargs="?", help="the text to read (or use -f)")
    say.add_argument("-f", "--file", help="read the text from a file (- for standard input)")
    say.add_argument("--voice", help="voice id (see: radio voices list)")
    say.add_argument("--rate", type=float, default=1.0, help="speed, 1.0 natural (0.5-2.0)")
    say.add_argument("--volume", type=float, default=1.0, help="gain, 1.0 unchanged (0-2.0)")
    say.add_argument("-o", "--output", required=True, type=Path, help="OUT.mp3 or OUT.wav")
    say.set_defaults(handler=run_say)


def run_say(args: argparse.Namespace, settings: Settings) -> int:
    if (args.text is None) == (args.file is None):
        raise ValueError("give the text either as an argument or with -f FILE, not both")
    encoder = _ENCODERS.get(args.output.suffix.lower())
    if encoder is None:
        raise ValueError(f"output must end in .mp3 or .wav, got {args.output.name!r}")
    params = SynthesisParams(rate=args.rate, volume=args.volume)
    text = args.text if args.file is None else read_text(args.file)
    catalog = Catalog(settings.data_dir)
    voice_id = args.voice or settings.default_voice
    voice = catalog.synthesizer(voice_id)
    normalizer = normalizer_for(catalog.info(voice_id), Lexicon.load(settings.lexicon_path))
    pcm = speak(text, voice, params, normalizer)
    write_atomically(args.output, encoder(pcm))
    print(f"{args.output}: {pcm.duration:.1f} s, {voice.voice_id}")
    return 0
