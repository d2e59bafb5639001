"""An emergency made through the API reaches the loudspeakers at once: it is committed
(on record before it can air), then this process's playout, if it runs one, is woken; a
separate worker sees it in the database within a quarter of a second."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session


def commit_and_wake(request: Request, db: Session) -> None:
    db.commit()
    onair = getattr(request.app.state, "onair", None)
    if onair is not None:
        onair.wake()
