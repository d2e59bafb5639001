"""Vietnamese text normalization: written forms to the words an announcer reads aloud."""

from __future__ import annotations

import unicodedata


def normalize(text: str) -> str:
    """Until the rules land, only the Unicode form is settled (NFC)."""
    return unicodedata.normalize("NFC", text)
