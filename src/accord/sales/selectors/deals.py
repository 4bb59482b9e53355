"""Reads of one deal and of the pipeline settings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accord.core import policy
from accord.sales.models import Deal, DealContact, Pipeline, Stage, StageChange
from accord.sales.policy import pipelines_usable


def pipelines_with_stages(user: Any, *, include_archived: bool = False) -> QuerySet[Pipeline]:
    """The pipelines the user may use, each with ``stages`` prefetched in order."""
    pipelines = Pipeline.objects.all()
    stages = Stage.objects.order_by("order", "id")
    if not include_archived:
        pipelines = pipelines.filter(archived=False)
        stages = stages.filter(archived=False)
    return (
        pipelines_usable(user, pipelines)
        .prefetch_related(Prefetch("stages", stages), "teams")
        .order_by("order", "id")
    )


def deal_detail(user: Any, pk: Any) -> Deal:
    """One deal the user may see (404 otherwise), with its relations loaded."""
    return policy.get_object_or_404_scoped(
        user,
        Deal.objects.select_related(
            "pipeline", "stage", "company", "owner", "team", "lost_reason"
        ).prefetch_related(
            Prefetch(
                "deal_contacts",
                DealContact.objects.select_related("contact").order_by("id"),
            )
        ),
        pk=pk,
    )


@dataclass
class StageDuration:
    stage_id: int
    stage_name: str
    seconds: int  # total time in the stage, all visits (the current one until now)
    visits: int

    @property
    def days(self) -> float:
        return round(self.seconds / 86400, 1)


def deal_stage_durations(deal: Deal, *, now: dt.datetime | None = None) -> list[StageDuration]:
    """Time the deal spent in each stage, in the order first entered (one query)."""
    now = now or timezone.now()
    result: dict[int, StageDuration] = {}
    changes = list(
        StageChange.objects.filter(deal=deal).select_related("to_stage").order_by("at", "id")
    )
    for index, change in enumerate(changes):
        end = changes[index + 1].at if index + 1 < len(changes) else now
        row = result.setdefault(
            change.to_stage_id,
            StageDuration(change.to_stage_id, change.to_stage.name, 0, 0),
        )
        row.seconds += max(0, int((end - change.at).total_seconds()))
        row.visits += 1
    return list(result.values())
