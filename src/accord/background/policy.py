"""Who may see and manage background jobs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied


def can_manage_jobs(user: Any) -> bool:
    """Administrators only. To be replaced by a capability check of the access policy."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or getattr(user, "role_slug", "") == "admin")


def require_manage_jobs(user: Any) -> None:
    if not can_manage_jobs(user):
        raise PermissionDenied
