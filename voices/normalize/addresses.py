"""Web addresses, domain names and e-mail addresses, read so that a listener can write them
down: Vietnamese words with their tones (dichvucong -> dịch vụ công), other labels spelled
with the Vietnamese names of the letters, and "chấm", "a còng", "gạch chéo" between them.

A domain label is read as the cheapest mix of known words (voices/data/syllables.txt maps
each tone-less form to its most likely toned one), bare syllables and spelled letters:
"ubndxavihuong" is u bê nờ dê xã vi hương.
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
    pieces = _pieces(label)
    if len(label) <= _SHORT and any(price == _LETTER_COST for _, price in pieces):
        return spell(label)  # ttyt, ubnd: an acronym, all of it spelled
    return " ".join(reading for reading, _ in pieces)


def spell(letters: str) -> str:
    return " ".join(LETTERS.get(c.upper(), c) for c in letters)


# What each kind of piece of a label costs: a known word least, a bare syllable more (its
# tone is a guess), a spelled letter most; the cheapest reading wins. "ubndxavihuong" is
# u bê nờ dê + xã vi hương.
_WORD_COST, _SYLLABLE_COST, _LETTER_COST = 1.0, 1.25, 1.5
_BARE_VOWEL = re.compile("[aeiou]")
_SHORT = 5  # a label this short that needs a letter spelled is an acronym


def _pieces(label: str) -> list[tuple[str, float]]:
    """The cheapest reading of a label as known words, bare syllables and letters, each
    piece with its cost."""
    table = toned_words()
    empty: list[tuple[str, float]] = []
    best = [(0.0, empty)] + [(float("inf"), empty)] * len(label)
    for end in range(1, len(label) + 1):
        for start in range(max(0, end - _LONGEST_KEY), end):
            cost, head = best[start]
            piece = label[start:end]
            for option, price in _options(piece, table):
                if cost + price < best[end][0]:
                    best[end] = (cost + price, [*head, (option, price)])
    return best[-1][1]


def _options(piece: str, table: dict[str, str]) -> list[tuple[str, float]]:
    if len(piece) == 1:
        return [(spell(piece), _LETTER_COST)]
    found = []
    if piece in table:
        found.append((table[piece], _WORD_COST))
    elif len(piece) <= 7 and SYLLABLE.fullmatch(piece) and _BARE_VOWEL.search(piece):
        found.append((piece, _SYLLABLE_COST))  # "tyt" (of ttyt) is letters, not a syllable
    return found
