"""The reading rules, in priority order: the first rule that matches at a position and
accepts its context decides how that span is read."""

from __future__ import annotations

import re

from voices.normalize.abbreviations import ABBREVIATIONS, DOCUMENT_CODES, DOTTED
from voices.normalize.addresses import SYLLABLE, read_address, spell
from voices.normalize.lexicon import builtin
from voices.normalize.numbers import (
    read_digits,
    read_int,
    read_number_text,
    read_ordinal,
)
from voices.normalize.scanner import Match, Rule, alternation
from voices.normalize.tables import (
    COUNT_NOUNS,
    CURRENCIES,
    DATE_CONTEXT,
    ROADS,
    ROMAN_CONTEXT,
    UNITS,
)

# Letters of Vietnamese words, for word boundaries (\w also counts digits and "_").
_NOT_WORD_BEFORE = r"(?<![\w])"
_NOT_WORD_AFTER = r"(?![\w])"
# A number as written in Vietnamese: "." groups thousands, "," marks decimals.
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d]|[.,]\d)|\d+(?:,\d+)?(?![\d]|[.,]\d)"
_COUNT_CONTEXT = frozenset({"có", "đạt", "được", "thứ", "xếp", "chiếm", "còn", "tổng"})
_DAY_WORDS = frozenset({"ngày", "hôm", "đêm", "sáng", "trưa", "chiều", "tối", "mồng", "mùng"})
_ROMAN = re.compile(r"M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")
_LETTER_NOT_NUMERAL = frozenset("CDLM")
_ALSO_WORDS = frozenset({"VI", "XI"})  # a name (Vi) and a word (xi) in capitals
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
# A whole number, with or without thousands separators.
_GROUPED = r"\d{1,3}(?:\.\d{3})+|\d+"
# Loanwords, brands and digital terms (voices/data/lexicon.txt), keyed in lower case.
LOANWORDS = {k.lower(): v for k, v in builtin().entries.items()}
# Words that make ĐV a member of the Youth Union (đoàn viên) rather than of the Party.
# ("Đoàn kiểm tra" is a delegation, so "đoàn" alone does not count.)
_YOUTH = ("thanh niên", "đtn", "tncs", "chi đoàn", "đoàn viên", "đoàn xã", "đoàn trường")


def _number(m: Match, name: str = "n") -> str:
    return read_number_text(m.group(name), m.dialect)


def _month(value: int, m: Match) -> str:
    return "tư" if value == 4 else read_int(value, m.dialect)


def _date(m: Match, day: int, month: int, year: str | None) -> str | None:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    words = [] if m.word_before() in _DAY_WORDS else ["ngày"]
    words += [read_int(day, m.dialect), "tháng", _month(month, m)]
    if year:
        words += ["năm", read_int(int(year), m.dialect)]
    return " ".join(words)


# -- handlers ------------------------------------------------------------------------


def _document_number(m: Match) -> str:
    words = [read_int(int(m.group("n")), m.dialect)]
    if m.group("year"):
        words += ["năm", read_int(int(m.group("year")), m.dialect)]
    for code in re.split(r"[-/.]", m.group("codes")):
        letters, digits = re.fullmatch(r"(\D*)(\d*)", code).groups()  # type: ignore[union-attr]
        if letters:
            words.append(DOCUMENT_CODES.get(letters) or spell(letters))
        if digits:
            words.append(read_int(int(digits), m.dialect))
    return " ".join(words)


def _phone(m: Match) -> str | None:
    digits = re.sub(r"\D", "", m.group(0))
    national = digits[2:] if m.group(0).startswith("+") else digits[1:]
    if not 9 <= len(national) <= 10:
        return None
    groups = re.split(r"[ .-]+", m.group(0).removeprefix("+84").strip(" .-"))
    prefix = ["cộng tám tư"] if m.group(0).startswith("+") else []
    return ", ".join(prefix + [read_digits(g) for g in groups if g])


def _hotline(m: Match) -> str:
    return ", ".join(read_digits(g) for g in re.split(r"[ .]", m.group(0)))


def _service_number(m: Match) -> str:
    return f"{m.group('word')} {read_digits(m.group('n'))}"


def _full_date(m: Match) -> str | None:
    if m.group("s1") != m.group("s2"):
        return None
    return _date(m, int(m.group("d")), int(m.group("m")), m.group("y"))


def _month_year(m: Match) -> str | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None
    head = m.group("word") or "tháng"
    return f"{head} {_month(month, m)} năm {read_int(int(m.group('y')), m.dialect)}"


def _day_month(m: Match) -> str | None:
    """d/m is a date unless it counts something: "8/8 thôn", "có 3/5", "xếp thứ 11/63"."""
    before = m.word_before()
    counts = m.word_after() in COUNT_NOUNS or before in _COUNT_CONTEXT
    if counts and before not in DATE_CONTEXT:
        return None
    return _date(m, int(m.group("a")), int(m.group("b")), None)


def _fraction(m: Match) -> str:
    """Done of total: "8/8 thôn", "2.500/3.000 liều", "10.500/12.000 ha"."""
    unit = f" {UNITS[m.group('unit')]}" if m.group("unit") else ""
    return f"{_number(m, 'a')} trên {_number(m, 'b')}{unit}"


def _time(m: Match) -> str | None:
    hour, minute = int(m.group("h")), int(m.group("min") or 0)
    if hour > 24 or minute > 59:
        return None
    words = [read_int(hour, m.dialect), "giờ"]
    if minute:
        words += [read_int(minute, m.dialect), "phút"]
    if m.group("s"):
        words += [read_int(int(m.group("s")), m.dialect), "giây"]
    return " ".join(words)


def _roman(m: Match) -> str | None:
    numeral = m.group("roman")
    if not numeral or numeral in _LETTER_NOT_NUMERAL or not _ROMAN.fullmatch(numeral):
        return None  # "khu C", "loại D", "hạng C": a letter, not 100 or 500
    word = ABBREVIATIONS.get(m.group("word"), m.group("word"))  # BĐ II: báo động hai
    reading = f"{word} {read_int(_roman_value(numeral), m.dialect)}"
    if m.group("y"):
        reading += f" năm {read_int(int(m.group('y')), m.dialect)}"
    return reading


def _roman_value(numeral: str) -> int:
    values = [_ROMAN_VALUES[c] for c in numeral]
    return sum(-v if v < w else v for v, w in zip(values, [*values[1:], 0], strict=True))


def _numeral(m: Match) -> str | None:
    """II, IV, XIII standing alone (tổ dân phố II): a number. VI and XI are also names
    and words (chị Ma Thị VI in a heading), so alone they stay words."""
    numeral = m.group("roman")
    if numeral in _ALSO_WORDS or not _ROMAN.fullmatch(numeral):
        return None
    return read_int(_roman_value(numeral), m.dialect)


def _ordinal(m: Match) -> str:
    return f"{m.group('word')} {read_ordinal(int(m.group('n')), m.dialect)}"


def _month_name(m: Match) -> str | None:
    month = int(m.group("n"))
    return f"{m.group('word')} {_month(month, m)}" if 1 <= month <= 12 else None


def _money(m: Match) -> str:
    words = [_number(m)]
    if m.group("scale"):
        words.append(m.group("scale").replace("tỉ", "tỷ").replace("ngàn", m.dialect.thousand))
    words.append(CURRENCIES[m.group("cur")])
    if m.group("per"):
        words += ["một", UNITS.get(m.group("per"), m.group("per"))]
    return " ".join(words)


def _percent(m: Match) -> str:
    return f"{_number(m)} phần trăm"


def _measure(m: Match) -> str:
    words = ["âm"] if m.group("neg") else []
    words += [_number(m), UNITS[m.group("unit")]]
    if m.group("per"):
        words += ["trên", UNITS.get(m.group("per"), m.group("per"))]
    return " ".join(words)


def _dotted_number(m: Match) -> str:
    return " chấm ".join(read_number_text(part, m.dialect) for part in m.group(0).split("."))


def _acronym(m: Match) -> str:
    word = m.group(0)
    lower = word.lower()
    if not word.isascii() or len(word) >= 6 or SYLLABLE.fullmatch(lower):
        return lower  # a Vietnamese word in capitals (THÔNG BÁO KHẨN) or an English word
    return spell(word)


def _symbol(m: Match) -> str:
    symbol = m.group(0).strip()
    readings = {
        "&": " và ",
        "+": " cộng ",
        "=": " bằng ",
        "~": " khoảng ",
        "%": " phần trăm ",
        "≥": " lớn hơn hoặc bằng ",
        "≤": " nhỏ hơn hoặc bằng ",
        ">": " lớn hơn ",
        "<": " nhỏ hơn ",
        "°": " độ ",
        "…": "...",
        "/": " ",
        "-": " ",
    }
    return readings.get(symbol, ", ")


def _road(m: Match) -> str:
    """QL279, ĐT.258, QL 3B: the road's kind, its number, the letter after it."""
    kind = ROADS[m.group("kind")]
    if kind.startswith("đường ") and m.word_before() == "đường":
        kind = kind.removeprefix("đường ")  # "Đường ĐT.258": the word is written already
    words = [kind, read_int(int(m.group("n")), m.dialect)]
    if m.group("suffix"):
        words.append(spell(m.group("suffix")))
    return " ".join(words)


def _kilometre_post(m: Match) -> str:
    """Km 42, Km42+300: a post along a road, read as people say it."""
    words = ["ki lô mét", read_int(int(m.group("n")), m.dialect)]
    if m.group("plus"):
        words += ["cộng", read_int(int(m.group("plus")), m.dialect)]
    return " ".join(words)


def _lettered(m: Match) -> str:
    """A number with a capital letter glued on: lớp 9A, quốc lộ 3B, 4G, 5G."""
    return f"{read_int(int(m.group('n')), m.dialect)} {spell(m.group('letter'))}"


def _member(m: Match) -> str:
    """ĐV: a Youth Union member where the line speaks of the Union, else a Party member."""
    line = m.line.lower()
    return "đoàn viên" if any(word in line for word in _YOUTH) else "đảng viên"


def _heading(m: Match) -> str | None:
    """I., II., IV) at the start of a line: a section's number."""
    numeral = m.group("roman")
    if not _ROMAN.fullmatch(numeral):
        return None
    return read_int(_roman_value(numeral), m.dialect) + "."


# -- the rules, in priority order ------------------------------------------------------


def _rule(kind: str, pattern: str, handler: object) -> Rule:
    return Rule(kind, re.compile(pattern), handler)  # type: ignore[arg-type]


_CODE = r"[A-ZĐ][A-Za-zĐđ&]*\d*"
_UNIT = alternation(UNITS)
_CUR = alternation(CURRENCIES)

RULES: list[Rule] = [
    _rule(
        "url",
        # Anchored at word starts: tried at every letter, these would rescan each word.
        r"(?<![\w.+-])(?:https?://[^\s]*[^\s.,;:!?)\]”\"']|(?i:www\.[^\s]*[^\s.,;:!?)\]”\"'])"
        r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?i:[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:vn|com|net|org|edu|info)\b"
        r"(?:/[a-z0-9_./-]*[a-z0-9_])?))",
        lambda m: read_address(m.group(0), LOANWORDS),
    ),
    _rule(
        "document",
        rf"(?P<n>\d+)(?:/(?P<year>\d{{4}}))?[/-](?P<codes>{_CODE}(?:[-/.]{_CODE})*)"
        + _NOT_WORD_AFTER,
        _document_number,
    ),
    _rule(
        "phone", r"(?<![\d.,])(?:\+84[ .-]?|0)\d{2,3}(?:[ .-]?\d{2,4}){2,3}(?![\d]|[.,]\d)", _phone
    ),
    _rule("phone", r"(?<![\d.,])1[89]00[ .]?\d{2,4}(?:[ .]\d{2,4})?(?![\d]|[.,]\d)", _hotline),
    _rule(
        "phone", r"(?P<word>(?i:gọi|số|gọi số))\s+(?P<n>11[1-5])(?![\d]|[.,]\d)", _service_number
    ),
    _rule(
        "road",
        rf"{_NOT_WORD_BEFORE}(?P<kind>{alternation(ROADS)})\.?\s?(?P<n>[1-9]\d{{0,2}})"
        rf"(?P<suffix>[A-Z]?){_NOT_WORD_AFTER}",
        _road,
    ),
    _rule(
        "road",
        rf"{_NOT_WORD_BEFORE}(?i:km)\s?(?:số\s)?(?P<n>\d+)(?:\s?\+\s?(?P<plus>\d+))?{_NOT_WORD_AFTER}",
        _kilometre_post,
    ),
    _rule("heading", r"^(?P<roman>[IVX]{1,5})(?P<mark>[.)-])(?=\s)", _heading),
    _rule(
        "date",
        r"(?<![\d/.])(?P<d>\d{1,2})(?P<s1>[/.-])(?P<m>\d{1,2})(?P<s2>[/.-])"
        r"(?P<y>\d{4})(?![\d]|[.,/]\d)",
        _full_date,
    ),
    _rule(
        "date",
        r"(?:(?P<word>(?i:tháng))\s+)?(?<![\d/.])(?P<m>\d{1,2})[/-](?P<y>\d{4})"
        r"(?![\d]|[.,/]\d)",
        _month_year,
    ),
    _rule("date", r"(?<![\d/.,])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/]|[.,]\d)", _day_month),
    _rule(
        "fraction",
        rf"(?<![\d/.,])(?P<a>{_GROUPED})/(?P<b>{_GROUPED})(?![\d/]|[.,]\d)"
        rf"(?:\s?(?P<unit>{_UNIT}){_NOT_WORD_AFTER})?",
        _fraction,
    ),
    _rule("time", r"(?<![\d.,])(?P<h>\d{1,2})h(?P<min>\d{2})?['’]?" + _NOT_WORD_AFTER, _time),
    _rule(
        "time",
        r"(?<![\d.,:])(?P<h>\d{1,2}):(?P<min>\d{2})(?::(?P<s>\d{2}))?(?![\d]|[.,:]\d)",
        _time,
    ),
    _rule(
        "roman",
        rf"(?P<word>(?i:{alternation(ROMAN_CONTEXT)}))\s+(?P<roman>[IVXLCDM]+)"
        r"(?:/(?P<y>\d{4}))?" + _NOT_WORD_AFTER,
        _roman,
    ),
    _rule("ordinal", r"(?P<word>(?i:thứ))\s+(?P<n>\d{1,2})(?![\d/]|[.,]\d)", _ordinal),
    _rule("date", r"(?P<word>(?i:tháng))\s+(?P<n>\d{1,2})(?![\d/]|[.,]\d)", _month_name),
    _rule(
        "money",
        rf"(?P<n>{NUMBER})\s?(?:(?P<scale>nghìn|ngàn|triệu|tỷ|tỉ)\s)?(?P<cur>{_CUR})"
        r"(?:/(?P<per>[^\W\d_]+))?" + _NOT_WORD_AFTER,
        _money,
    ),
    _rule("percent", rf"(?P<n>{NUMBER})\s?%", _percent),
    _rule(
        "measure",
        rf"(?P<neg>(?<![\w)])[-−])?(?P<n>{NUMBER})\s?(?P<unit>{_UNIT})"
        rf"(?:/(?P<per>{_UNIT}|h|giờ|ngày|tháng|năm|người))?" + _NOT_WORD_AFTER,
        _measure,
    ),
    _rule("number", r"(?<![\w.,])(?P<n>\d{1,4})(?P<letter>[A-ZĐ])(?![\w])", _lettered),
    _rule("range", r"(?<=\d)\s*[-–—]\s*(?=\d|(?i:km)\s?\d)", lambda m: " đến "),
    # 8h-10h, 8h - 10h, 7 giờ - 9 giờ: the dash after an hour.
    _rule(
        "range",
        r"(?:(?<=\dh)|(?<=\dh )|(?<=giờ)|(?<=giờ ))[-–—]\s*(?=\d)",
        lambda m: " đến ",
    ),
    _rule("number", rf"(?<![\d.,])(?P<n>{NUMBER})", _number),
    _rule("number", r"(?<![\d.,])\d+(?:\.\d+)+(?![\d]|[.,]\d)", _dotted_number),
    # Whatever digits no rule above could place are still read, never left to the engine.
    _rule("number", r"\d+", lambda m: read_number_text(m.group(0), m.dialect)),
    _rule(
        "abbreviation",
        rf"{_NOT_WORD_BEFORE}(?i:{alternation(DOTTED)})",
        lambda m: " " + DOTTED[m.group(0).lower()] + " ",
    ),
    _rule(
        "loanword",
        rf"{_NOT_WORD_BEFORE}(?i:{alternation(LOANWORDS)}){_NOT_WORD_AFTER}",
        lambda m: LOANWORDS[m.group(0).lower()],
    ),
    _rule("abbreviation", rf"{_NOT_WORD_BEFORE}ĐV{_NOT_WORD_AFTER}", _member),
    _rule(
        "abbreviation",
        rf"{_NOT_WORD_BEFORE}(?:{alternation(ABBREVIATIONS)}){_NOT_WORD_AFTER}",
        lambda m: ABBREVIATIONS[m.group(0)],
    ),
    _rule(
        "measure",
        rf"(?<=\w)/(?P<unit>{_UNIT}){_NOT_WORD_AFTER}",
        lambda m: f" trên {UNITS[m.group('unit')]}",
    ),
    _rule("roman", rf"{_NOT_WORD_BEFORE}(?P<roman>[IVX]{{2,6}}){_NOT_WORD_AFTER}", _numeral),
    _rule("acronym", rf"{_NOT_WORD_BEFORE}[A-ZĐ]{{2,}}{_NOT_WORD_AFTER}", _acronym),
    _rule(
        "symbol",
        r"[&+=~%≥≤<>°…]|(?<=\w)/(?=\w)|(?<=[^\W\d])-(?=\w)|(?<=\w)-(?=[^\W\d])"
        r"|\s[-–—]+\s|[–—]|[()\[\]{}]",
        _symbol,
    ),
]
