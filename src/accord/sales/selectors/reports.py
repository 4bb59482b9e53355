"""Stage history reports and process health, scoped by the deal policy.

``stage_report(user, pipeline, start=, end=)`` per stage of the pipeline (changes whose
``at`` falls in [start, end], both optional dates):

- ``entered``: distinct deals that entered the stage (creation counts as entering);
- ``average_days``: mean time spent in the stage by the deals that left it (1 decimal);
- ``conversion_rate`` (open stages): the share, in %, of the deals that entered the stage
  and later reached a further stage (a later open stage or a won stage);
- ``win_rate``: won / (won + lost) of the deals of the pipeline closed in the period.

``process_health(user, team_id=, owner_id=, inactive_days=14)``: open deals held up
(stalled, past their expected close date, without a next step, no activity for
``inactive_days`` — ``last_activity_at`` or else ``updated_at``) and, per owner, open
deals, deals without next step and deals that skipped stages (a forward move past at least
one open stage, or won from an open stage other than the last).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accord.core import policy
from accord.sales.models import Deal, Pipeline, Stage, StageChange, StageKind
from accord.sales.querysets import stalled_q

SECONDS_PER_DAY = Decimal(86400)


@dataclass
class StageReportRow:
    stage: Stage
    entered: int = 0
    average_days: Decimal | None = None
    moved_on: int = 0
    conversion_rate: Decimal | None = None  # %, 1 decimal; None for won/lost or no entries


@dataclass
class StageReport:
    pipeline: Pipeline
    start: dt.date | None
    end: dt.date | None
    rows: list[StageReportRow]
    won: int = 0
    lost: int = 0
    win_rate: Decimal | None = None  # %, 1 decimal


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _at_range(start: dt.date | None, end: dt.date | None, name: str = "at") -> Q:
    tz = timezone.get_current_timezone()
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{name}__gte": dt.datetime.combine(start, dt.time.min, tzinfo=tz)})
    if end is not None:
        after_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        condition &= Q(**{f"{name}__lt": after_end})
    return condition


def stage_report(
    user: Any, pipeline: Pipeline, *, start: dt.date | None = None, end: dt.date | None = None
) -> StageReport:
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("order", "id"))
    position = {s.pk: i for i, s in enumerate(stages)}
    kinds = {s.pk: s.kind for s in stages}
    visible = policy.scope(user, Deal.objects.all()).values("pk")
    changes = StageChange.objects.filter(pipeline=pipeline, deal_id__in=visible)
    rows = {s.pk: StageReportRow(stage=s) for s in stages}

    # time in stage: the moves out of each stage in the period
    durations: dict[int, list[int]] = defaultdict(list)
    history: dict[int, list[tuple[dt.datetime, int, int]]] = defaultdict(list)
    in_period = _at_range(start, end)
    for deal_id, from_id, to_id, at, seconds, inside in (
        changes.annotate(inside=Count("id", filter=in_period))
        .order_by("deal_id", "at", "id")
        .values_list("deal_id", "from_stage_id", "to_stage_id", "at", "duration_seconds", "inside")
    ):
        if inside and from_id in rows and seconds is not None:
            durations[from_id].append(seconds)
        history[deal_id].append((at, to_id, inside))
    for pk, values in durations.items():
        rows[pk].average_days = (Decimal(sum(values)) / len(values) / SECONDS_PER_DAY).quantize(
            Decimal("0.1")
        )

    # entries in the period and whether the deal got further afterwards
    for moves in history.values():
        seen: set[int] = set()
        for index, (_at, to_id, inside) in enumerate(moves):
            if not inside or to_id not in rows or to_id in seen:
                continue
            seen.add(to_id)
            rows[to_id].entered += 1
            if kinds[to_id] != StageKind.OPEN:
                continue
            if any(
                later in position
                and kinds[later] != StageKind.LOST
                and position[later] > position[to_id]
                for _a, later, _i in moves[index + 1 :]
            ):
                rows[to_id].moved_on += 1
    for row in rows.values():
        if row.stage.kind == StageKind.OPEN:
            row.conversion_rate = _percent(row.moved_on, row.entered)

    closed = policy.scope(user, Deal.objects.filter(pipeline=pipeline))
    won = closed.filter(Q(status=StageKind.WON) & _at_range(start, end, "won_at")).count()
    lost = closed.filter(Q(status=StageKind.LOST) & _at_range(start, end, "lost_at")).count()
    return StageReport(
        pipeline=pipeline,
        start=start,
        end=end,
        rows=[rows[s.pk] for s in stages],
        won=won,
        lost=lost,
        win_rate=_percent(won, won + lost),
    )


# -- process health -------------------------------------------------------------------------


@dataclass
class HeldUpDeal:
    deal: Deal
    reasons: list[str]  # stalled, past_close_date, no_next_step, inactive


@dataclass
class RepHealth:
    owner_id: int | None
    owner_name: str
    open_deals: int = 0
    without_next_step: int = 0
    skipped_stages: int = 0  # deals (any status) with at least one skipping move


@dataclass
class ProcessHealth:
    counts: dict[str, int]  # per reason, over every held-up deal
    held_up: list[HeldUpDeal]  # at most ``limit``, oldest expected close first
    held_up_total: int
    reps: list[RepHealth] = field(default_factory=list)
    inactive_days: int = 14


def _health_deals(user: Any, team_id: int | None, owner_id: int | None) -> QuerySet[Deal]:
    deals = policy.scope(user, Deal.objects.all())
    if team_id is not None:
        deals = deals.filter(team_id=team_id)
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    return deals


def held_up_conditions(now: dt.datetime, inactive_days: int) -> dict[str, Q]:
    today = timezone.localdate(now)
    return {
        "stalled": stalled_q(now),
        "past_close_date": Q(expected_close_date__lt=today),
        "no_next_step": Q(next_step=""),
        "inactive": Q(activity_at__lt=now - dt.timedelta(days=inactive_days)),
    }


def skipping_deal_ids(deals: QuerySet[Deal]) -> dict[int, int | None]:
    """{deal id: owner id} of the deals with at least one move that skipped stages."""
    stages = Stage.objects.filter(kind__in=[StageKind.OPEN, StageKind.WON]).order_by(
        "pipeline_id", "order", "id"
    )
    open_positions: dict[int, int] = {}
    last_open: dict[int, int] = {}
    won: set[int] = set()
    counters: dict[int, int] = defaultdict(int)
    pipeline_of: dict[int, int] = {}
    for stage in stages:
        pipeline_of[stage.pk] = stage.pipeline_id
        if stage.kind == StageKind.WON:
            won.add(stage.pk)
            continue
        open_positions[stage.pk] = counters[stage.pipeline_id]
        last_open[stage.pipeline_id] = counters[stage.pipeline_id]
        counters[stage.pipeline_id] += 1
    result: dict[int, int | None] = {}
    moves = StageChange.objects.filter(
        deal_id__in=deals.values("pk"), from_stage__isnull=False
    ).values_list("deal_id", "deal__owner_id", "from_stage_id", "to_stage_id")
    for deal_id, owner_id, from_id, to_id in moves:
        if from_id not in open_positions or pipeline_of.get(to_id) != pipeline_of[from_id]:
            continue
        if to_id in open_positions:
            skipped = open_positions[to_id] > open_positions[from_id] + 1
        elif to_id in won:
            skipped = open_positions[from_id] < last_open[pipeline_of[from_id]]
        else:
            skipped = False
        if skipped:
            result[deal_id] = owner_id
    return result


def process_health(
    user: Any,
    *,
    team_id: int | None = None,
    owner_id: int | None = None,
    inactive_days: int = 14,
    limit: int = 100,
    now: dt.datetime | None = None,
) -> ProcessHealth:
    now = now or timezone.now()
    deals = _health_deals(user, team_id, owner_id)
    open_deals = deals.filter(status=StageKind.OPEN).annotate(
        activity_at=Coalesce("last_activity_at", "updated_at")
    )
    conditions = held_up_conditions(now, inactive_days)
    counts = open_deals.aggregate(
        **{name: Count("id", filter=condition) for name, condition in conditions.items()}
    )
    any_reason = Q()
    for condition in conditions.values():
        any_reason |= condition
    held = open_deals.filter(any_reason)
    total = held.count()
    flags = held.annotate(
        **{f"is_{name}": Count("id", filter=condition) for name, condition in conditions.items()}
    )
    held_up = []
    for deal in flags.select_related("owner", "company", "stage", "pipeline").order_by(
        "expected_close_date", "id"
    )[:limit]:
        reasons = [name for name in conditions if getattr(deal, f"is_{name}")]
        held_up.append(HeldUpDeal(deal=deal, reasons=reasons))

    reps: dict[int | None, RepHealth] = {}
    for owner, name, email, n, without in (
        open_deals.order_by()
        .values_list("owner_id", "owner__full_name", "owner__email")
        .annotate(n=Count("id"), without=Count("id", filter=Q(next_step="")))
    ):
        reps[owner] = RepHealth(
            owner_id=owner, owner_name=name or email or "", open_deals=n, without_next_step=without
        )
    skipping = skipping_deal_ids(deals)
    per_owner: dict[int | None, int] = defaultdict(int)
    for owner in skipping.values():
        per_owner[owner] += 1
    if per_owner:
        from accord.accounts.models import User

        names = {
            pk: full_name or email
            for pk, full_name, email in User.objects.filter(pk__in=list(per_owner)).values_list(
                "pk", "full_name", "email"
            )
        }
        for owner, n in per_owner.items():
            rep = reps.setdefault(
                owner, RepHealth(owner_id=owner, owner_name=names.get(owner, "") if owner else "")
            )
            rep.skipped_stages = n
    return ProcessHealth(
        counts={name: counts[name] for name in conditions},
        held_up=held_up,
        held_up_total=total,
        reps=sorted(reps.values(), key=lambda r: (r.owner_name.lower(), r.owner_id or 0)),
        inactive_days=inactive_days,
    )
