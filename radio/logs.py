"""Keeping secrets out of logs. Receivers put their token in the stream URL (many IP
speakers take nothing else), and uvicorn's access log writes whole URLs.

A query key is judged as the server reads it, after percent-decoding: `tok%65n=` is the
token too, and is redacted like `token=`.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

SECRET_KEYS = frozenset({"token", "password", "access_token"})
_PAIR = re.compile(r"([?&])([^=&\s]+)=([^&\s]*)")


def redact(text: str) -> str:
    """The text with the value of every secret query parameter replaced by ***."""

    def hide(pair: re.Match[str]) -> str:
        key = pair.group(2)
        if unquote_plus(key).strip().lower() in SECRET_KEYS:
            return f"{pair.group(1)}{key}=***"
        return pair.group(0)

    return _PAIR.sub(hide, text)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access log (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
