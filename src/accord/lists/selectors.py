"""Reads of the lists app."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accord.core import policy
from accord.lists.models import ListPreference, SavedView


def saved_views_for(user: Any, object_type: str) -> QuerySet[SavedView]:
    """The user's own views and the views shared with their teams (one query)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return SavedView.objects.none()
    teams = policy.access_for(user).team_ids
    return (
        SavedView.objects.filter(object_type=object_type)
        .filter(Q(owner_id=user.pk) | Q(shared_with_team_id__in=list(teams)))
        .select_related("owner", "shared_with_team")
        .order_by("name", "id")
    )


def saved_view_visible(user: Any, view: SavedView) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if view.owner_id == user.pk:
        return True
    return view.shared_with_team_id in policy.access_for(user).team_ids


def saved_view_get(user: Any, object_type: str, pk: Any) -> SavedView:
    """A view the user may see, else NotFound (a 404, like every invisible record)."""
    try:
        view = saved_views_for(user, object_type).get(pk=int(pk))
    except (SavedView.DoesNotExist, TypeError, ValueError):
        raise policy.NotFound from None
    return view


def list_columns_for(user: Any, object_type: str) -> list[str] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    row = ListPreference.objects.filter(user_id=user.pk, object_type=object_type).first()
    return list(row.columns) if row is not None else None
