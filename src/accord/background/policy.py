"""Who may see and manage background jobs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from accord.core import policy as access_policy


def can_manage_jobs(user: Any) -> bool:
    """Users with the ``manage_settings`` capability (administrators by default)."""
    return access_policy.has_capability(user, "manage_settings")


def require_manage_jobs(user: Any) -> None:
    if not can_manage_jobs(user):
        raise PermissionDenied
