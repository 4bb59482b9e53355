"""Access policy registration of the sales app.

Deals are owned records (owner + team), scoped by the default ``policy.Policy``. Pipelines,
stages, lost reasons and exchange rates are settings: every signed-in user reads them, only
``manage_settings`` changes them. A pipeline limited to teams is usable only by members of
those teams (and by users whose deal edit scope is ``all``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from accord.core import policy

DEAL = "sales.deal"


def register_all() -> None:
    from accord.sales.models import Deal

    policy.register(Deal)


def signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def pipelines_usable(user: Any, queryset: QuerySet[Any] | None = None) -> QuerySet[Any]:
    """The pipelines ``user`` may see and put deals in (archived ones included)."""
    from accord.sales.models import Pipeline

    qs = queryset if queryset is not None else Pipeline.objects.all()
    if not signed_in(user):
        return qs.none()
    if policy.decide(user, DEAL, "view").scope is policy.Scope.ALL:
        return qs
    teams = sorted(policy.access_for(user).team_ids)
    limited = Pipeline.teams.through.objects.values("pipeline_id")
    allowed = Pipeline.teams.through.objects.filter(team_id__in=teams).values("pipeline_id")
    return qs.filter(~Q(pk__in=limited) | Q(pk__in=allowed))


def can_use_pipeline(user: Any, pipeline: Any) -> bool:
    return pipelines_usable(user).filter(pk=pipeline.pk).exists()


def can_manage(user: Any) -> bool:
    return signed_in(user) and policy.has_capability(user, "manage_settings")
