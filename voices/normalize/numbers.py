"""Reading numbers aloud in Vietnamese.

Northern standard by default (nghìn, linh); a southern voice reads ngàn and lẻ. The
irregular forms follow the spoken language: mười lăm, hai mươi mốt, hai mươi tư, một trăm
linh năm, ba nghìn không trăm linh năm.
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


@dataclass(frozen=True)
class Dialect:
    thousand: str
    odd: str  # the word between hundreds and a lone unit: "linh" or "lẻ"


NORTH = Dialect(thousand="nghìn", odd="linh")
SOUTH = Dialect(thousand="ngàn", odd="lẻ")


def read_digits(digits: str) -> str:
    """Digit by digit, as phone numbers and codes are read."""
    return " ".join(DIGITS[int(d)] for d in digits if d.isdigit())


def read_int(value: int, dialect: Dialect = NORTH) -> str:
    if value < 0:
        return "âm " + read_int(-value, dialect)
    if value == 0:
        return DIGITS[0]
    return _read(value, dialect, leading=True)


def _read(value: int, dialect: Dialect, leading: bool) -> str:
    """A positive number; `leading` is False for a group after a larger one, which then
    says its empty hundreds ("không trăm") and linh."""
    billions, rest = divmod(value, 1_000_000_000)
    if billions:
        head = _read(billions, dialect, leading) + " tỷ"
        return head if rest == 0 else f"{head} {_read(rest, dialect, leading=False)}"
    words: list[str] = []
    for scale, name in ((1_000_000, "triệu"), (1000, dialect.thousand)):
        group, value = divmod(value, scale)
        if group:
            words += [_below_thousand(group, dialect, leading), name]
            leading = False
    if value:
        words.append(_below_thousand(value, dialect, leading))
    return " ".join(words)


def _below_thousand(value: int, dialect: Dialect, leading: bool) -> str:
    hundreds, rest = divmod(value, 100)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if rest:
        if rest < 10 and words:
            words += [dialect.odd, DIGITS[rest]]
        else:
            words.append(_below_hundred(rest))
    return " ".join(words)


def _below_hundred(value: int) -> str:
    tens, unit = divmod(value, 10)
    if tens == 0:
        return DIGITS[unit]
    head = "mười" if tens == 1 else f"{DIGITS[tens]} mươi"
    if unit == 0:
        return head
    if unit == 5:
        return f"{head} lăm"
    if unit == 1 and tens > 1:
        return f"{head} mốt"
    if unit == 4 and tens > 1:
        return f"{head} tư"
    return f"{head} {DIGITS[unit]}"


def read_decimal(integer: str, fraction: str, dialect: Dialect = NORTH) -> str:
    """'4', '75' -> bốn phẩy bảy mươi lăm. A fraction with leading zeros or more than
    three digits is read digit by digit (không phẩy không năm)."""
    whole = read_int(int(integer), dialect)
    if fraction.startswith("0") or len(fraction) > 3:
        return f"{whole} phẩy {read_digits(fraction)}"
    return f"{whole} phẩy {read_int(int(fraction), dialect)}"


def read_number_text(text: str, dialect: Dialect = NORTH) -> str:
    """A number as written in Vietnamese: '.' groups thousands, ',' marks decimals."""
    integer, _, fraction = text.partition(",")
    digits = integer.replace(".", "")
    if len(digits) > 15:
        spoken = read_digits(digits)
        return f"{spoken} phẩy {read_digits(fraction)}" if fraction else spoken
    if fraction:
        return read_decimal(digits, fraction, dialect)
    if len(digits) > 2 and digits.startswith("0"):
        return read_digits(digits)
    return read_int(int(digits), dialect)


def read_ordinal(value: int, dialect: Dialect = NORTH) -> str:
    """After 'thứ': thứ nhất, thứ tư; otherwise the cardinal."""
    return {1: "nhất", 4: "tư"}.get(value) or read_int(value, dialect)
