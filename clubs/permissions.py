"""Every permission decision about a club, as named predicates over a membership.

Views, templates and services ask these functions; nothing else compares roles.
"""

from __future__ import annotations

from typing import Any

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


# -- per room: hosts ------------------------------------------------------------------------------
# A room's hosts are the club's owners and admins plus the members named for the room (``Room.hosts``).
# Hosts join as moderators and may start, end and change the codes; other members join as viewers
# (unless the room says everyone moderates) and start only where the room allows it.


def room_host_ids(room: Any) -> set[int]:
    """Membership ids named as hosts of ``room`` (one query, cached on the instance)."""
    cached = getattr(room, "_host_membership_ids", None)
    if cached is None:
        cached = set(room.hosts.values_list("pk", flat=True)) if room.pk else set()
        room._host_membership_ids = cached
    return cached


def is_room_host(membership: Membership | None, room: Any) -> bool:
    if membership is None or membership.club_id != room.club_id:
        return False
    return is_club_admin(membership) or membership.pk in room_host_ids(room)


def can_view_room(membership: Membership | None, room: Any) -> bool:
    return is_member(membership)


def can_start_meeting(membership: Membership | None, room: Any) -> bool:
    """Hosts start; other members only where the room lets members (or anybody) start."""
    if not can_start_meetings(membership):
        return False
    return is_room_host(membership, room) or room.members_can_start or room.anyone_can_start


def can_end_meeting(membership: Membership | None, room: Any) -> bool:
    return is_room_host(membership, room)


def can_change_room_codes(membership: Membership | None, room: Any) -> bool:
    return is_room_host(membership, room) and membership.club.is_active


def can_manage_personal_links(membership: Membership | None, room: Any) -> bool:
    """Hosts hand out and withdraw personal join links of their room."""
    return is_room_host(membership, room) and membership.club.is_active


def can_manage_presentations(membership: Membership | None, room: Any) -> bool:
    """Hosts upload the slides (the course leader brings their own)."""
    return is_room_host(membership, room) and membership.club.is_active


def joins_as_moderator(membership: Membership | None, room: Any) -> bool:
    """A member's role in the room's meeting: moderator for hosts or where everyone moderates."""
    return is_room_host(membership, room) or bool(room.all_moderators)


def can_view_statistics(membership: Membership | None) -> bool:
    return is_member(membership)


# -- general assemblies ---------------------------------------------------------------------------


def can_chair_assembly(membership: Membership | None, room: Any) -> bool:
    """The chair's desk (open/close votes, live attendance, the record): the hosts of the assembly's room."""
    return is_room_host(membership, room)


def can_view_assembly_record(membership: Membership | None, room: Any) -> bool:
    """The record for the minutes (page and CSV): the chair's hosts, and the club's owners and admins, who write
    the Protokoll whether or not they host the room; plain members do not see the attendance list."""
    if membership is None or membership.club_id != room.club_id:
        return False
    return is_club_admin(membership) or is_room_host(membership, room)


def can_plan_assembly(membership: Membership | None, room: Any) -> bool:
    return can_schedule_meetings(membership) and membership.club_id == room.club_id
