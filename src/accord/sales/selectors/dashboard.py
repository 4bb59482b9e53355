"""Data of the sales dashboard panels (the templates are the UI's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, Sum
from django.utils import timezone

from accord.core import policy
from accord.sales.currency import RateTable, Total
from accord.sales.models import Deal, PeriodKind, Pipeline, StageKind
from accord.sales.policy import pipelines_usable
from accord.sales.selectors.board import Board, deal_board
from accord.sales.selectors.forecast import Forecast, Period, forecast


@dataclass
class MyOpenDeals:
    deals: list[Deal]  # the next to close first (empty close dates last)
    count: int
    total: Decimal  # in the base currency, today's rates
    base_currency: str
    missing_rates: list[tuple[str, dt.date]] = field(default_factory=list)


def dashboard_my_open_deals(user: Any, *, limit: int = 5) -> MyOpenDeals:
    deals = policy.scope(user, Deal.objects.filter(owner_id=user.pk, status=StageKind.OPEN))
    today = timezone.localdate()
    table = RateTable.load()
    total = Total()
    for currency, amount in deals.order_by().values_list("currency").annotate(total=Sum("amount")):
        total.add(table, amount, currency, today)
    count = deals.count()
    rows = list(
        deals.select_related("stage", "company", "pipeline").order_by(
            F("expected_close_date").asc(nulls_last=True), "id"
        )[:limit]
    )
    return MyOpenDeals(
        deals=rows,
        count=count,
        total=total.amount,
        base_currency=table.base,
        missing_rates=sorted(total.missing),
    )


def dashboard_pipeline_by_stage(user: Any, pipeline: Pipeline | None = None) -> Board | None:
    """The board's column totals of ``pipeline`` (default: the user's default pipeline),
    without cards."""
    if pipeline is None:
        pipeline = (
            pipelines_usable(user, Pipeline.objects.filter(archived=False))
            .order_by("-is_default", "order", "id")
            .first()
        )
        if pipeline is None:
            return None
    return deal_board(user, pipeline, None, limit=0)


def dashboard_forecast(user: Any, *, today: dt.date | None = None) -> Forecast:
    """This quarter's forecast of the user's own deals against their target."""
    period = Period.current(PeriodKind.QUARTER, today)
    return forecast(user, period, owner_id=user.pk, today=today)
