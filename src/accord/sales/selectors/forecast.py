"""Targets and the forecast of a period (month or quarter).

Numbers of ``forecast(user, period, owner_id=, team_id=)`` (all in the base currency, over
the deals the user may see, narrowed to an owner or a team):

- ``closed_won``: won deals with ``won_at`` in the period, their closed amount (else the
  amount), converted with the rate in force on the day they were won;
- for open deals whose expected close date is in the period, converted with today's rate:
  ``by_category`` (pipeline, best_case, commit, omitted: the rep's forecast category),
  ``commit`` and ``best_case`` (those categories), ``pipeline`` (every open deal but
  omitted ones) and ``weighted_pipeline`` (Σ amount * stage probability / 100, same deals);
- ``target``: the owner's target, or the team's, or (no filter) the sum of the targets of
  the teams the user sees (every team with the ``all`` scope); a quarter without a quarter
  target sums its month targets; converted on the first day of the period;
- ``gap`` = target - closed_won, ``coverage`` = pipeline / gap (None when there is no gap).

``forecast_deals(...)`` gives the deals behind each number (the drill-down).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core import policy
from accord.sales.currency import MONEY_CONTEXT, RateTable, Total, round_money
from accord.sales.models import Deal, ForecastCategory, PeriodKind, StageKind, Target

PERIOD_RE = re.compile(r"^(\d{4})-(?:Q([1-4])|(0[1-9]|1[0-2]))$")
NUMBERS = ("closed_won", "commit", "best_case", "pipeline", "weighted_pipeline")


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter
    start: dt.date
    end: dt.date  # inclusive

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.key

    @classmethod
    def parse(cls, value: str, *, field: str = "period") -> Period:
        """``2026-Q4`` or ``2026-11``."""
        match = PERIOD_RE.match((value or "").strip().upper())
        if not match:
            raise ValidationError({field: [_("Enter a quarter (2026-Q4) or a month (2026-11).")]})
        year = int(match.group(1))
        if match.group(2):
            return cls.quarter(year, int(match.group(2)))
        return cls.month(year, int(match.group(3)))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(PeriodKind.MONTH, start, nxt - dt.timedelta(days=1))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = dt.date(year, 3 * (quarter - 1) + 1, 1)
        end_month = 3 * quarter
        nxt = dt.date(year + (end_month == 12), end_month % 12 + 1, 1)
        return cls(PeriodKind.QUARTER, start, nxt - dt.timedelta(days=1))

    @classmethod
    def current(cls, kind: str = PeriodKind.QUARTER, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        if kind == PeriodKind.MONTH:
            return cls.month(today.year, today.month)
        return cls.quarter(today.year, (today.month - 1) // 3 + 1)

    def previous(self) -> Period:
        return Period.current(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> Period:
        return Period.current(self.kind, self.end + dt.timedelta(days=1))

    def months(self) -> list[dt.date]:
        if self.kind == PeriodKind.MONTH:
            return [self.start]
        return [dt.date(self.start.year, self.start.month + i, 1) for i in range(3)]


@dataclass
class Forecast:
    period: Period
    base_currency: str
    closed_won: Decimal = Decimal("0.00")
    commit: Decimal = Decimal("0.00")
    best_case: Decimal = Decimal("0.00")
    pipeline: Decimal = Decimal("0.00")
    weighted_pipeline: Decimal = Decimal("0.00")
    by_category: dict[str, Decimal] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    target: Decimal | None = None
    gap: Decimal | None = None
    coverage: Decimal | None = None  # pipeline / gap, 2 decimals
    attainment: Decimal | None = None  # closed_won / target in %, 1 decimal
    missing_rates: list[tuple[str, dt.date]] = field(default_factory=list)


def _deals(
    user: Any, owner_id: int | None, team_id: int | None, queryset: QuerySet[Deal] | None = None
) -> QuerySet[Deal]:
    deals = policy.scope(user, queryset if queryset is not None else Deal.objects.all())
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    if team_id is not None:
        deals = deals.filter(team_id=team_id)
    return deals


def _won_q(period: Period) -> Q:
    start, end = _bounds(period)
    return Q(status=StageKind.WON, won_at__gte=start, won_at__lt=end)


def _bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _open_q(period: Period) -> Q:
    return Q(
        status=StageKind.OPEN,
        expected_close_date__gte=period.start,
        expected_close_date__lte=period.end,
    )


def forecast_deals(
    user: Any,
    period: Period,
    number: str,
    *,
    owner_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Deal]:
    """The deals behind one number: ``closed_won``, ``commit``, ``best_case``, ``pipeline``,
    ``weighted_pipeline`` or ``category:<forecast category>``."""
    deals = _deals(user, owner_id, team_id)
    if number == "closed_won":
        return deals.filter(_won_q(period))
    open_deals = deals.filter(_open_q(period))
    if number == "commit":
        return open_deals.filter(forecast_category=ForecastCategory.COMMIT)
    if number == "best_case":
        return open_deals.filter(forecast_category=ForecastCategory.BEST_CASE)
    if number in ("pipeline", "weighted_pipeline"):
        return open_deals.exclude(forecast_category=ForecastCategory.OMITTED)
    if number.startswith("category:") and number[9:] in ForecastCategory.values:
        return open_deals.filter(forecast_category=number[9:])
    raise ValidationError({"number": [_("Unknown forecast number.")]})


def target_for(
    user: Any,
    period: Period,
    *,
    owner_id: int | None = None,
    team_id: int | None = None,
    table: RateTable | None = None,
) -> tuple[Decimal | None, set[tuple[str, dt.date]]]:
    """The target of the period in the base currency (None: no target set)."""
    table = table or RateTable.load()
    if owner_id is not None:
        subjects = Q(user_id=owner_id)
    elif team_id is not None:
        subjects = Q(team_id=team_id)
    elif policy.decide(user, "sales.deal", "view").scope is policy.Scope.ALL:
        subjects = Q(team__isnull=False)
    else:
        subjects = Q(team_id__in=sorted(policy.access_for(user).team_ids))
    targets = Target.objects.filter(subjects)
    rows = list(
        targets.filter(period_kind=period.kind, period_start=period.start).values_list(
            "user_id", "team_id", "amount", "currency"
        )
    )
    if period.kind == PeriodKind.QUARTER:
        have = {(u, t) for u, t, _a, _c in rows}
        rows += [
            row
            for row in targets.filter(
                period_kind=PeriodKind.MONTH, period_start__in=period.months()
            ).values_list("user_id", "team_id", "amount", "currency")
            if (row[0], row[1]) not in have
        ]
    if not rows:
        return None, set()
    total = Total()
    for _u, _t, amount, code in rows:
        total.add(table, amount, code, period.start)
    return total.amount, total.missing


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _closed_won(won: QuerySet[Deal], table: RateTable, period: Period) -> tuple[Total, int]:
    """Closed amounts converted at the rate of the day each deal was won. One aggregate per
    currency; a currency whose rate changes inside the period gets one conditional sum per
    stretch of constant rate (no per-row date function)."""
    total = Total()
    count = 0
    amount = Coalesce("closed_amount", "amount")
    for row in won.values("currency").annotate(n=Count("id"), sum=Sum(amount)):
        count += row["n"]
        code = row["currency"]
        stretches = table.intervals(code, period.start, period.end)
        if len(stretches) == 1:
            total.add(table, row["sum"], code, period.start)
            continue
        sums = won.filter(currency=code).aggregate(
            **{
                f"s{index}": Sum(
                    amount,
                    filter=Q(won_at__gte=_local_midnight(first), won_at__lt=_local_midnight(after)),
                )
                for index, (first, after, _rate) in enumerate(stretches)
            }
        )
        for index, (first, _after, _rate) in enumerate(stretches):
            total.add(table, sums[f"s{index}"], code, first)
    return total, count


def forecast(
    user: Any,
    period: Period,
    *,
    owner_id: int | None = None,
    team_id: int | None = None,
    today: dt.date | None = None,
) -> Forecast:
    today = today or timezone.localdate()
    table = RateTable.load()
    result = Forecast(period=period, base_currency=table.base)
    deals = _deals(user, owner_id, team_id).order_by()
    missing: set[tuple[str, dt.date]] = set()

    won, won_count = _closed_won(deals.filter(_won_q(period)), table, period)
    missing |= won.missing
    result.closed_won = won.amount

    categories = {c: Total() for c in ForecastCategory.values if c != ForecastCategory.CLOSED}
    counts = dict.fromkeys(categories, 0)
    weighted = Total()
    for open_row in (
        deals.filter(_open_q(period))
        .values("currency", "forecast_category", "stage__probability")
        .annotate(n=Count("id"), total=Sum("amount"))
    ):
        category = open_row["forecast_category"]
        if category not in categories:  # "closed" on an open deal: count it as pipeline
            category = ForecastCategory.PIPELINE
        counts[category] += open_row["n"]
        categories[category].add(table, open_row["total"], open_row["currency"], today)
        if category != ForecastCategory.OMITTED and table.has_rate(open_row["currency"], today):
            exact = table.convert_exact(open_row["total"], open_row["currency"], today)
            weighted.add_base(
                MONEY_CONTEXT.divide(
                    MONEY_CONTEXT.multiply(exact, Decimal(open_row["stage__probability"])),
                    Decimal(100),
                )
            )
    for total in categories.values():
        missing |= total.missing
    result.by_category = {c: t.amount for c, t in categories.items()}
    result.commit = categories[ForecastCategory.COMMIT].amount
    result.best_case = categories[ForecastCategory.BEST_CASE].amount
    pipeline_exact = sum(
        (t.exact for c, t in categories.items() if c != ForecastCategory.OMITTED), Decimal(0)
    )
    result.pipeline = round_money(pipeline_exact)
    result.weighted_pipeline = weighted.amount
    result.counts = {
        "closed_won": won_count,
        "commit": counts[ForecastCategory.COMMIT],
        "best_case": counts[ForecastCategory.BEST_CASE],
        "pipeline": sum(n for c, n in counts.items() if c != ForecastCategory.OMITTED),
        "omitted": counts[ForecastCategory.OMITTED],
    }

    target, target_missing = target_for(
        user, period, owner_id=owner_id, team_id=team_id, table=table
    )
    missing |= target_missing
    result.target = target
    if target is not None:
        result.gap = target - result.closed_won
        if target > 0:
            result.attainment = (result.closed_won * 100 / target).quantize(Decimal("0.1"))
        if result.gap > 0:
            result.coverage = (result.pipeline / result.gap).quantize(Decimal("0.01"))
    result.missing_rates = sorted(missing)
    return result
