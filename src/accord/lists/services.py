"""Writes of the lists app: saved views and column choices.

Policy: a saved view belongs to its owner; only the owner changes or deletes it (anyone else
gets ``PermissionDenied``, or ``NotFound`` when they cannot even see it). Sharing with a team
needs membership in that team (superusers may share with any team). Every write is audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accord.core import audit, policy
from accord.lists.filters import CUSTOM_PREFIX
from accord.lists.models import ListPreference, SavedView
from accord.lists.selectors import saved_view_visible

NAME_MAX = 100
VIEW_FIELDS = ("name", "shared_with_team_id", "filters", "sort", "columns", "is_default")


def _clean_filters(value: Any, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors["filters"] = [gettext("Enter an object of parameter names and values.")]
        return {}
    cleaned: dict[str, list[str]] = {}
    for key, raw in value.items():
        items = raw if isinstance(raw, list | tuple) else [raw]
        if not isinstance(key, str) or any(
            not isinstance(item, str | int | float | bool) for item in items
        ):
            errors["filters"] = [gettext("Each filter needs a name and text values.")]
            return {}
        cleaned[key] = [str(item) for item in items if str(item) != ""]
    return {k: v for k, v in cleaned.items() if v}


def _clean_columns(value: Any, errors: dict[str, list[str]]) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple) or any(not isinstance(c, str) for c in value):
        errors["columns"] = [gettext("Enter a list of column names.")]
        return []
    return list(dict.fromkeys(value))


def _clean(actor: Any, data: Mapping[str, Any], view: SavedView) -> None:
    errors: dict[str, list[str]] = {}
    unknown = set(data) - set(VIEW_FIELDS)
    for name in sorted(unknown):
        errors[name] = [gettext("Unknown field.")]
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name:
            errors["name"] = [gettext("Give the view a name.")]
        elif len(name) > NAME_MAX:
            errors["name"] = [gettext("Enter at most %(limit)d characters.") % {"limit": NAME_MAX}]
        view.name = name
    if "filters" in data:
        view.filters = _clean_filters(data["filters"], errors)
    if "sort" in data:
        sort = str(data["sort"] or "").strip()
        if len(sort) > 120:
            errors["sort"] = [gettext("Enter a shorter sort.")]
        view.sort = sort
    if "columns" in data:
        view.columns = _clean_columns(data["columns"], errors)
    if "is_default" in data:
        view.is_default = bool(data["is_default"])
    if "shared_with_team_id" in data:
        team_id = data["shared_with_team_id"]
        if team_id in (None, ""):
            view.shared_with_team_id = None
        else:
            try:
                team_id = int(team_id)
            except (TypeError, ValueError):
                team_id = None
            teams = policy.access_for(actor).team_ids
            from accord.accounts.models import Team

            if team_id is None or not (
                team_id in teams
                or (
                    getattr(actor, "is_superuser", False)
                    and Team.objects.filter(pk=team_id).exists()
                )
            ):
                errors["shared_with_team_id"] = [gettext("You can share only with your teams.")]
            else:
                view.shared_with_team_id = team_id
    if errors:
        raise ValidationError(errors)


def _unset_other_defaults(view: SavedView) -> None:
    if view.is_default:
        SavedView.objects.filter(
            object_type=view.object_type, owner_id=view.owner_id, is_default=True
        ).exclude(pk=view.pk).update(is_default=False)


def custom_keys_of(view: SavedView) -> list[str]:
    """Custom fields a view sorts or filters by (they get an expression index)."""
    names = [view.sort.lstrip("-"), *(name.partition("__")[0] for name in view.filters or {})]
    return sorted({n.removeprefix(CUSTOM_PREFIX) for n in names if n.startswith(CUSTOM_PREFIX)})


def _index_custom_fields(view: SavedView) -> None:
    from accord.background import enqueue_on_commit
    from accord.lists.jobs import list_custom_field_index_ensure

    for key in custom_keys_of(view):
        enqueue_on_commit(list_custom_field_index_ensure, view.object_type, key)


def saved_view_create(*, actor: Any, object_type: str, data: Mapping[str, Any]) -> SavedView:
    """A new view of ``object_type`` owned by ``actor``; ``data`` holds ``name``, ``filters``
    ({param: [values]}), ``sort``, ``columns``, ``shared_with_team_id``, ``is_default``."""
    if not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        raise PermissionDenied(gettext("Sign in to save views."))
    view = SavedView(object_type=object_type, owner=actor)
    _clean(actor, {"name": "", **data}, view)
    with transaction.atomic():
        _unset_other_defaults(view)
        view.save()
        audit.record_create(view, actor)
        _index_custom_fields(view)
    return view


def saved_view_update(*, view: SavedView, actor: Any, changes: Mapping[str, Any]) -> SavedView:
    """Change a view; only its owner may."""
    _require_owner(view, actor)
    with transaction.atomic():
        view = SavedView.objects.select_for_update().get(pk=view.pk)
        before = audit.snapshot(view)
        _clean(actor, changes, view)
        _unset_other_defaults(view)
        view.save()
        audit.record_update(view, actor, before)
        _index_custom_fields(view)
    return view


def saved_view_delete(*, view: SavedView, actor: Any) -> None:
    _require_owner(view, actor)
    with transaction.atomic():
        audit.record_delete(view, actor)
        view.delete()


def _require_owner(view: SavedView, actor: Any) -> None:
    if not saved_view_visible(actor, view):
        raise policy.NotFound
    if view.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(gettext("Only the owner of a view can change it."))


def list_columns_set(*, actor: Any, object_type: str, columns: Sequence[str]) -> ListPreference:
    """Remember ``actor``'s columns of a list (no view open)."""
    errors: dict[str, list[str]] = {}
    cleaned = _clean_columns(list(columns), errors)
    if errors:
        raise ValidationError(errors)
    preference, _created = ListPreference.objects.update_or_create(
        user=actor, object_type=object_type, defaults={"columns": cleaned}
    )
    return preference
