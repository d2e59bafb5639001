"""At airtime: whether an airing may air at all, and its audio ready. The one place the
approval is checked again before anything reaches a loudspeaker.

The approved audio is the truth. It is kept (program files are never evicted) and aired
as it is when intact; only a damaged or missing file is rebuilt, and then only a rebuild
with exactly the approved content hash may air.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from radio.access.roles import Permission, may
from radio.models import Airing, Priority, Program, Revision, Slot, Status, User
from radio.relay_programs import refusal as relay_refusal
from radio.speech import Speech
from voices.store.integrity import intact

NOT_APPROVED = "not approved at airtime"
NO_RIGHT = "emergency priority without the emergency right: not aired"
NO_SLOT = "its slot was removed"
NOT_REBUILT = "approved audio could not be rebuilt"


def refusal(db: Session, airing: Airing) -> str | None:
    """Why the airing may not air, or None. Direct emergencies (no slot) were authorized
    and audited when made, and are cancelled when their approval is withdrawn; every slot's
    airing, of every priority, airs only the approved audio, and an emergency-priority one
    only while whoever scheduled it holds the emergency right."""
    if airing.slot_id is None:
        return None if airing.priority == Priority.EMERGENCY else NO_SLOT
    announcement = airing.announcement
    if announcement.status != Status.APPROVED or not announcement.approved_program_hash:
        return NOT_APPROVED
    program = db.get(Program, announcement.approved_program_hash)
    if program is not None and program.relayed:
        return relay_refusal(db, program) or _no_right(db, airing)
    return _no_right(db, airing)


def _no_right(db: Session, airing: Airing) -> str | None:
    if airing.priority == Priority.EMERGENCY:
        slot = db.get(Slot, airing.slot_id)
        maker = db.get(User, slot.created_by_id) if slot and slot.created_by_id else None
        if maker is None or not maker.active or not may(maker, Permission.EMERGENCY):
            return NO_RIGHT
    return None


def make_ready(db: Session, speech: Speech, airing: Airing, verify: bool) -> bool:
    """The airing's program is the approved one and its file is there (and whole, when
    `verify`): rebuilt only if damaged or missing, and False if the rebuild differs."""
    if airing.slot_id is not None:  # a slot follows its announcement's approval
        airing.program_hash = airing.announcement.approved_program_hash
    if airing.program_hash is None:
        return False
    if present(db, airing.program_hash, verify):
        return True
    announcement = airing.announcement
    source = announcement.approved_revision_id if airing.slot_id else announcement.current.id
    return _rebuild(db, speech, source) == airing.program_hash


def present(db: Session, program_hash: str, verify: bool) -> bool:
    """Its file is there; with `verify`, also whole (its content is its name)."""
    program = db.get(Program, program_hash)
    if program is not None and program.relayed:
        return True  # no file: its source is checked by `refusal`
    if program is None or not Path(program.mp3_path).is_file():
        return False
    return not verify or intact(Path(program.mp3_path), program.hash)


def _rebuild(db: Session, speech: Speech, revision_id: int | None) -> str | None:
    """Render the approved revision again, without touching its record."""
    revision = db.get(Revision, revision_id) if revision_id else None
    if revision is None or revision.fixed:
        return None  # a recording, audio from above or a template: not made again here
    return speech.program_of(db, revision).hash
