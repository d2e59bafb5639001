"""Keeping secrets out of logs. Receivers put their token in the stream URL (many IP
speakers take nothing else), and uvicorn's access log writes whole URLs."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(?i)([?&](?:token|password)=)[^&\s]+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN.sub(r"\1***", a) if isinstance(a, str) else a for a in record.args
            )
        if isinstance(record.msg, str):
            record.msg = _TOKEN.sub(r"\1***", record.msg)
        return True


def redact_access_log() -> None:
    """Install the filter on uvicorn's access log (once per process)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactSecrets) for f in access.filters):
        access.addFilter(RedactSecrets())
