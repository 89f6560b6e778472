from __future__ import annotations

from django.http import HttpRequest

from clubs import permissions


def clubs(request: HttpRequest) -> dict:
    """The current club and the user's memberships for the navigation and club switcher (1 query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def memberships() -> list:
        return list(user.memberships.select_related("club").exclude(club__status__in=["rejected", "closed"]))

    membership = getattr(request, "membership", None)
    return {
        "user_memberships": memberships,
        "current_club": getattr(request, "club", None),
        "current_membership": membership,
        "perms_club": {
            "manage_rooms": permissions.can_manage_rooms(membership),
            "manage_members": permissions.can_manage_members(membership),
            "manage_recordings": permissions.can_manage_recordings(membership),
            "edit_settings": permissions.can_edit_club_settings(membership),
            "is_owner": permissions.is_owner(membership),
        }
        if membership
        else {},
    }
