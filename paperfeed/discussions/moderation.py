"""Who moderates discussions: staff, superusers, and members of the "moderators" group.

A group rather than a flag on the account, so an admin grants the role in Django's admin without
giving the rest of staff's powers.
"""

from __future__ import annotations

MODERATORS_GROUP = "moderators"


def is_moderator(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name=MODERATORS_GROUP).exists()
