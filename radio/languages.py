"""The languages a commune broadcasts in (Decree 49/2024: Vietnamese and the local
ethnic-minority languages), by ISO 639 code. Voices speak only Vietnamese; the others air
as recordings, labelled so that the public page and its feed say which language is which."""

from __future__ import annotations

from radio.errors import Invalid

# code -> (Vietnamese name, English name)
LANGUAGES: dict[str, tuple[str, str]] = {
    "vi": ("Tiếng Việt", "Vietnamese"),
    "tyz": ("Tiếng Tày", "Tày"),
    "nut": ("Tiếng Nùng", "Nùng"),
    "ium": ("Tiếng Dao", "Dao (Iu Mien)"),
    "hmn": ("Tiếng H'Mông", "Hmong"),
    "blt": ("Tiếng Thái", "Tai Dam"),
    "mtq": ("Tiếng Mường", "Mường"),
    "km": ("Tiếng Khmer", "Khmer"),
    "cjm": ("Tiếng Chăm", "Cham"),
    "rad": ("Tiếng Ê Đê", "Rade"),
    "jra": ("Tiếng Gia Rai", "Jarai"),
    "bdq": ("Tiếng Ba Na", "Bahnar"),
    "sic": ("Tiếng Sán Chay", "San Chay"),
    "zh": ("Tiếng Hoa", "Chinese"),
}


def checked(code: str) -> str:
    """The code if it names a language we label, else a 422 listing the ones we do."""
    if code not in LANGUAGES:
        known = ", ".join(LANGUAGES)
        raise Invalid(
            f"unknown language '{code}' (one of: {known})",
            f"không có ngôn ngữ '{code}' (chọn một trong: {known})",
            field="language",
        )
    return code


def name(code: str) -> str:
    """The language's Vietnamese name, for the public page (the code if unknown)."""
    return LANGUAGES.get(code, (code, code))[0]
