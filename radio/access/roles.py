"""What each role and right allows: the only place a permission is decided.

Roles: an officer composes and schedules, a reviewer approves or rejects, an operator runs
the installation (and may do both). The emergency right is held per user, whatever the
role. Users with no commune work at the level above (district, province). Each rule here
has one refusal message, so the API, the console and the command line refuse alike.
"""

from __future__ import annotations

import enum

from radio.errors import Forbidden
from radio.models import Role, User


class Permission(enum.StrEnum):
    COMPOSE = "compose"  # write announcements and templates, schedule them, edit readings
    REVIEW = "review"  # approve or reject what is waiting
    OPERATE = "operate"  # zones, loudspeakers, users, voices, volume
    EMERGENCY = "emergency"  # make or cancel an emergency broadcast (a right, not a role)
    ABOVE = "above"  # act for the level above the communes: communes, bulletins
    LIVE = "live"  # speak live to the zones the user was given (a right, not a role)


_ROLES = {
    Permission.COMPOSE: frozenset({Role.OFFICER, Role.OPERATOR}),
    Permission.REVIEW: frozenset({Role.REVIEWER, Role.OPERATOR}),
    Permission.OPERATE: frozenset({Role.OPERATOR}),
}

_ROLE_REFUSAL = ("your role does not allow this", "vai trò của bạn không được phép làm việc này")
_REFUSALS = {
    Permission.COMPOSE: _ROLE_REFUSAL,
    Permission.REVIEW: (
        "only a reviewer can approve or reject",
        "chỉ người duyệt mới được phê duyệt hoặc từ chối",
    ),
    Permission.OPERATE: _ROLE_REFUSAL,
    Permission.EMERGENCY: (
        "you may not make or cancel an emergency broadcast",
        "bạn không có quyền phát hoặc hủy thông báo khẩn cấp",
    ),
    Permission.LIVE: (
        "you may not speak live: an operator gives that right, zone by zone",
        "bạn không có quyền phát trực tiếp: người vận hành cấp quyền theo từng cụm loa",
    ),
    Permission.ABOVE: (
        "only the level above the communes may do this",
        "chỉ cấp trên (huyện, tỉnh) mới được làm việc này",
    ),
}


def may(user: User, permission: Permission) -> bool:
    if permission == Permission.EMERGENCY:
        return user.can_emergency
    if permission == Permission.ABOVE:
        return user.commune_id is None
    if permission == Permission.LIVE:
        return bool(user.live_zones)
    return user.role in _ROLES[permission]


def require(user: User, *permissions: Permission) -> None:
    """Refuse (403) unless the user holds every one of the permissions."""
    for permission in permissions:
        if not may(user, permission):
            raise Forbidden(*_REFUSALS[permission])


def require_owner(user: User, commune_id: int | None) -> None:
    """A commune may not change what the level above made (its templates, say); the level
    above may change anything it sees."""
    if user.commune_id is not None and commune_id != user.commune_id:
        raise Forbidden(
            "what the level above made is the level above's to change",
            "chỉ cấp trên mới được thay đổi những gì cấp trên đã tạo",
        )


def require_own_commune(user: User, commune_slug: str, own_slug: str) -> None:
    """A commune's user adds only to its own commune."""
    if user.commune_id is not None and commune_slug != own_slug:
        raise Forbidden("you may only add to your own commune", "bạn chỉ được thêm vào xã của mình")
