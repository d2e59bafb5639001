"""The audit trail: who did what to which thing, kept in the database beside the change
it records (one transaction), so neither can exist without the other."""

from __future__ import annotations

from sqlalchemy.orm import Session

from radio.models import AuditEvent, User


def audit(db: Session, actor: User | None, action: str, target: str, **detail: object) -> None:
    db.add(
        AuditEvent(
            actor_id=actor.id if actor else None, action=action, target=target, detail=detail
        )
    )
