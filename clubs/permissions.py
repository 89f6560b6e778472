"""Every permission decision about a club, as named predicates over a membership.

Views, templates and services ask these functions; nothing else compares roles.
"""

from __future__ import annotations

from clubs.models import Club, Membership, Role


def is_member(membership: Membership | None) -> bool:
    return membership is not None


def is_club_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.has_role(Role.ADMIN)


def is_owner(membership: Membership | None) -> bool:
    return membership is not None and membership.has_role(Role.OWNER)


def can_view_club(membership: Membership | None) -> bool:
    return is_member(membership)


def can_manage_rooms(membership: Membership | None) -> bool:
    return is_club_admin(membership) and membership.club.is_active


def can_start_meetings(membership: Membership | None) -> bool:
    return is_member(membership) and membership.club.is_active


def can_view_recordings(membership: Membership | None) -> bool:
    return is_member(membership)


def can_manage_recordings(membership: Membership | None) -> bool:
    return is_club_admin(membership)


def can_manage_members(membership: Membership | None) -> bool:
    return is_club_admin(membership)


def can_manage_member(membership: Membership | None, target: Membership) -> bool:
    """Admins manage members and admins; only owners touch owners."""
    if target.role == Role.OWNER:
        return is_owner(membership)
    return is_club_admin(membership)


def can_grant_role(membership: Membership | None, role: str) -> bool:
    return is_owner(membership) if role == Role.OWNER else is_club_admin(membership)


def can_edit_club_settings(membership: Membership | None) -> bool:
    return is_club_admin(membership)


def can_close_club(membership: Membership | None) -> bool:
    return is_owner(membership)


def can_schedule_meetings(membership: Membership | None) -> bool:
    return is_club_admin(membership) and membership.club.is_active


def club_accepts_meetings(club: Club) -> bool:
    return club.status == Club.Status.ACTIVE


def can_transfer_ownership(membership: Membership | None) -> bool:
    return is_owner(membership)


def can_leave_club(membership: Membership | None) -> bool:
    return is_member(membership)


def can_end_meetings(membership: Membership | None) -> bool:
    """Club members join their rooms as moderators, so they (and admins) may end a meeting."""
    return is_member(membership)


def can_view_statistics(membership: Membership | None) -> bool:
    return is_member(membership)
