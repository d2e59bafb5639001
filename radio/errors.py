"""Why the station refuses something, said in Vietnamese (for the console, first) and in
English.

Domain code raises these and knows nothing of HTTP: one table in `radio.web.errors` maps
each kind to its status, so a rule never depends on how it was reached (API, console,
command line, the on-air loop).
"""

from __future__ import annotations


class Refusal(Exception):
    """A request refused, with its reason in both languages; `extra` carries details a
    client may act on (the field at fault, the conflicting items)."""

    def __init__(self, en: str, vi: str, **extra: object) -> None:
        super().__init__(en)
        self.en = en
        self.vi = vi
        self.extra = extra

    def body(self) -> dict[str, object]:
        return {"error": {"vi": self.vi, "en": self.en, **self.extra}}


class Invalid(Refusal):
    """The input is wrong: nothing was saved."""


class NotFound(Refusal):
    """No such thing, or not one the user may see (which must look the same)."""


class Unauthenticated(Refusal):
    """No valid credentials: sign in (again)."""


class Forbidden(Refusal):
    """Signed in, but the user's role, right or commune does not allow it."""


class Conflict(Refusal):
    """The thing is not in a state that allows it (archived, taken, overlapping)."""


class TooLarge(Refusal):
    """More than the station accepts in one go."""


class Throttled(Refusal):
    """Too many attempts: try again later."""


class Unavailable(Refusal):
    """A resource the station needs is away for the moment: nothing was saved."""


def not_found(what_en: str, what_vi: str) -> NotFound:
    return NotFound(f"{what_en} not found", f"không tìm thấy {what_vi}")
