"""Web addresses, domain names and e-mail addresses, read so that a listener can write them
down: Vietnamese words with their tones (dichvucong -> dịch vụ công), other labels spelled
with the Vietnamese names of the letters, and "chấm", "a còng", "gạch chéo" between them.

A domain label is read as the fewest known words that make it up (voices/data/syllables.txt
maps each tone-less form to its most likely toned one); a label no known words make up is
read as bare syllables when it splits into them, and spelled letter by letter otherwise.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

from voices.normalize.numbers import read_digits
from voices.normalize.tables import LETTERS

SYLLABLES_FILE = "data/syllables.txt"
# Labels every address has, read the way people say them.
_FIXED = {
    "www": "vê kép vê kép vê kép",
    "http": "hát tê tê pê",
    "https": "hát tê tê pê ét",
    "vn": "vê nờ",
    "gov": "gờ ô vê",
    "com": "com",
    "net": "nét",
    "org": "o rờ gờ",
    "edu": "e đu",
    "info": "in phô",
}
_SEPARATORS = {
    ".": "chấm",
    "/": "gạch chéo",
    "@": "a còng",
    "-": "gạch ngang",
    "_": "gạch dưới",
    ":": "hai chấm",
}
_LONGEST_KEY = 24
SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aeiouy]{1,3}"
    r"(?:ng|nh|ch|[cmnptiyuo])?"
)


def fold(word: str) -> str:
    """Tones and vowel marks removed, đ as d, spaces dropped: how an address writes a word."""
    word = word.replace("đ", "d").replace("Đ", "D")
    bare = unicodedata.normalize("NFD", word)
    return "".join(c for c in bare if unicodedata.category(c) != "Mn").replace(" ", "").lower()


@cache
def toned_words() -> dict[str, str]:
    """Tone-less form -> toned words, the first (most likely) line of each form winning."""
    found: dict[str, str] = {}
    for line in files("voices").joinpath(SYLLABLES_FILE).read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            found.setdefault(fold(line), line.strip())
    return found


def read_address(text: str, loanwords: dict[str, str]) -> str:
    """The whole address (scheme dropped, trailing slash dropped) as words."""
    text = re.sub(r"^(?:https?://)", "", text).rstrip("/")
    words = []
    for token in re.findall(r"[A-Za-z]+|\d+|[./@\-_:]", text):
        if token in _SEPARATORS:
            words.append(_SEPARATORS[token])
        elif token.isdigit():
            words.append(read_digits(token))
        else:
            words.append(read_label(token.lower(), loanwords))
    return " ".join(words)


def read_label(label: str, loanwords: dict[str, str]) -> str:
    if label in _FIXED:
        return _FIXED[label]
    if label in loanwords:
        return loanwords[label]
    known = _known_words(label)
    if known is not None:
        return " ".join(known)
    bare = syllables(label)
    if bare is not None and len(label) > 1:
        return " ".join(bare)
    return spell(label)


def spell(letters: str) -> str:
    return " ".join(LETTERS.get(c.upper(), c) for c in letters)


def _known_words(label: str) -> list[str] | None:
    """The fewest known words that make up the label, toned; None when none do."""
    table = toned_words()
    best: list[list[str] | None] = [[]] + [None] * len(label)
    for end in range(1, len(label) + 1):
        for start in range(max(0, end - _LONGEST_KEY), end):
            head, word = best[start], table.get(label[start:end])
            current = best[end]
            if head is not None and word and (current is None or len(head) + 1 < len(current)):
                best[end] = [*head, word]
    return best[-1] if label else None


def syllables(word: str) -> list[str] | None:
    """Vietnamese written without spaces or tones: "loaxa" -> loa xa. Fewest syllables
    wins; None when the word does not split into syllables."""
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for end in range(1, len(word) + 1):
        for start in range(max(0, end - 7), end):
            head = best[start]
            if head is not None and SYLLABLE.fullmatch(word[start:end]):
                candidate = [*head, word[start:end]]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    return best[-1] if word else None
