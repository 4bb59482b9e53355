"""The kanban board of a pipeline: per-column count, total and weighted total in the base
currency (aggregated in SQL), and a limited number of cards per column (one LIMIT query per
non-empty column, with only the columns a card shows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone

from accord.core import policy
from accord.sales.currency import MONEY_CONTEXT, RateTable, round_money
from accord.sales.filters import DealFilterSet
from accord.sales.models import Deal, Pipeline, Stage, StageKind
from accord.sales.querysets import is_stalled, stalled_q

CARD_FIELDS = (
    "id",
    "name",
    "amount",
    "currency",
    "expected_close_date",
    "pipeline_id",
    "stage_id",
    "status",
    "stage_entered_at",
    "next_step",
    "next_step_due_date",
    "forecast_category",
    "owner_id",
    "team_id",
    "company_id",
    "owner__full_name",
    "owner__email",
    "company__name",
)


@dataclass
class BoardColumn:
    stage: Stage
    count: int = 0
    total: Decimal = Decimal("0.00")
    weighted_total: Decimal = Decimal("0.00")
    stalled_count: int = 0
    deals: list[Deal] = field(default_factory=list)
    more: int = 0  # deals in the column that are not among ``deals``


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    close_stages: list[Stage]  # the won and lost stages (drop targets, no cards)
    base_currency: str
    on_date: dt.date
    count: int = 0
    total: Decimal = Decimal("0.00")
    weighted_total: Decimal = Decimal("0.00")
    # (currency, date) pairs without an exchange rate: their amounts are NOT in the totals
    missing_rates: list[tuple[str, dt.date]] = field(default_factory=list)
    card_limit: int = 20


def filtered_deals(
    user: Any, filters: Mapping[str, Any] | None, queryset: QuerySet[Deal] | None = None
) -> QuerySet[Deal]:
    """Deals the user may see, narrowed by ``DealFilterSet`` parameters (raises
    ``FilterError``, a ValidationError keyed by parameter)."""
    base = queryset if queryset is not None else Deal.objects.all()
    scoped = policy.scope(user, base)
    if filters:
        scoped = DealFilterSet(filters, user=user).filter(scoped)
    return scoped


def deal_board(
    user: Any,
    pipeline: Pipeline,
    filters: Mapping[str, Any] | None = None,
    *,
    limit: int = 20,
    now: dt.datetime | None = None,
) -> Board:
    """The open deals of ``pipeline`` the user may see, by stage.

    Totals convert each amount with the rate in force on today's date (amounts without a
    rate are left out and listed in ``missing_rates``); ``weighted_total`` is the sum of amount *
    stage probability / 100. Sums are exact and rounded to cents once, at the end. Cards are
    ordered by expected close date (empty last), then id; each card has ``is_stalled`` and
    ``days_in_stage`` attributes.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    stages = list(Stage.objects.filter(pipeline=pipeline, archived=False).order_by("order", "id"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    board = Board(
        pipeline=pipeline,
        columns=[BoardColumn(stage=s) for s in open_stages],
        close_stages=[s for s in stages if s.kind != StageKind.OPEN],
        base_currency="",
        on_date=today,
        card_limit=limit,
    )
    by_stage = {column.stage.pk: column for column in board.columns}
    deals = filtered_deals(user, filters, Deal.objects.filter(pipeline=pipeline)).filter(
        status=StageKind.OPEN
    )
    table = RateTable.load()
    board.base_currency = table.base
    missing: set[tuple[str, dt.date]] = set()
    exact_total = {pk: Decimal(0) for pk in by_stage}
    exact_weighted = {pk: Decimal(0) for pk in by_stage}
    rows = (
        deals.order_by()
        .values("stage_id", "currency")
        .annotate(n=Count("id"), total=Sum("amount"), stalled=Count("id", filter=stalled_q(now)))
    )
    for row in rows:
        column = by_stage.get(row["stage_id"])
        if column is None:  # a deal in an archived stage: not on the board
            continue
        column.count += row["n"]
        column.stalled_count += row["stalled"]
        if not table.has_rate(row["currency"], today):
            missing.add((row["currency"], today))
            continue
        converted = table.convert_exact(row["total"] or Decimal(0), row["currency"], today)
        exact_total[row["stage_id"]] = MONEY_CONTEXT.add(exact_total[row["stage_id"]], converted)
        weighted = MONEY_CONTEXT.divide(
            MONEY_CONTEXT.multiply(converted, Decimal(column.stage.probability)), Decimal(100)
        )
        exact_weighted[row["stage_id"]] = MONEY_CONTEXT.add(
            exact_weighted[row["stage_id"]], weighted
        )
    for pk, column in by_stage.items():
        column.total = round_money(exact_total[pk])
        column.weighted_total = round_money(exact_weighted[pk])
    board.count = sum(c.count for c in board.columns)
    board.total = round_money(sum(exact_total.values(), Decimal(0)))
    board.weighted_total = round_money(sum(exact_weighted.values(), Decimal(0)))
    board.missing_rates = sorted(missing)
    if limit > 0 and board.count:
        base = (
            deals.select_related("owner", "company")
            .only(*CARD_FIELDS)
            .order_by(F("expected_close_date").asc(nulls_last=True), "id")
        )
        for column in board.columns:
            if not column.count:
                continue
            # one small query per non-empty column: the (pipeline, status, stage) index
            # narrows to the column, LIMIT keeps the sort to the first cards
            for deal in base.filter(stage_id=column.stage.pk)[:limit]:
                deal.stage = column.stage
                deal.is_stalled = is_stalled(column.stage, deal.stage_entered_at, now)  # type: ignore[attr-defined]
                deal.days_in_stage = max(0, (now - deal.stage_entered_at).days)  # type: ignore[attr-defined]
                column.deals.append(deal)
    for column in board.columns:
        column.more = column.count - len(column.deals)
    return board


def deal_board_card(user: Any, deal_id: int, *, now: dt.datetime | None = None) -> Deal:
    """One card (after a move), with the same attributes as the board's cards."""
    now = now or timezone.now()
    deal = policy.get_object_or_404_scoped(
        user, Deal.objects.select_related("owner", "company", "stage"), pk=deal_id
    )
    deal.is_stalled = is_stalled(deal.stage, deal.stage_entered_at, now)  # type: ignore[attr-defined]
    deal.days_in_stage = max(0, (now - deal.stage_entered_at).days)  # type: ignore[attr-defined]
    return deal
