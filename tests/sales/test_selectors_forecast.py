"""Forecast, targets, stage report and process health, each number compared with a plain
recomputation from the deals (currency conversion and access scope included)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from accord.accounts.models import Team, User
from accord.sales import selectors, services
from accord.sales.models import Deal, ExchangeRate, LostReason, Pipeline, Stage, StageChange
from accord.sales.selectors import Period

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Period.current("quarter", TODAY)
CENT = Decimal("0.01")


def rate_on(currency: str, day: dt.date) -> Decimal:
    if currency == "USD":
        return Decimal(1)
    row = (
        ExchangeRate.objects.filter(currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    assert row is not None
    return row.rate


@pytest.fixture
def rates(admin_user: User) -> None:
    for code, rate, days in (("EUR", "1.2", 900), ("EUR", "1.0835", 0), ("GBP", "1.27", 900)):
        services.exchange_rate_set(
            actor=admin_user,
            data={
                "currency": code,
                "rate": rate,
                "valid_from": PERIOD.start - dt.timedelta(days=days),
            },
        )


@pytest.fixture
def book(
    rates: None,
    rep: User,
    teammate: User,
    outsider: User,
    stages: dict[str, Stage],
    reason: LostReason,
    make_deal: Any,
) -> list[Deal]:
    """Open deals of every category closing in the quarter, some next quarter, won and lost
    ones, in three currencies and two teams."""
    specs = [
        (rep, "100.10", "USD", "commit", "Proposal"),
        (rep, "200.20", "EUR", "best_case", "Qualified"),
        (teammate, "333.33", "GBP", "pipeline", "Lead in"),
        (teammate, "50.00", "EUR", "omitted", "Negotiation"),
        (outsider, "999.99", "USD", "commit", "Negotiation"),
        (rep, "70.07", "EUR", "commit", "Negotiation"),
    ]
    deals = []
    for index, (actor, amount, code, category, stage) in enumerate(specs):
        deal = make_deal(
            actor=actor,
            name=f"D{index}",
            amount=amount,
            currency=code,
            forecast_category=category,
            expected_close_date=PERIOD.start + dt.timedelta(days=index),
        )
        services.deal_move_to_stage(deal=deal, stage=stages[stage], actor=actor)
        deals.append(deal)
    later = make_deal(
        name="later", amount="5000", expected_close_date=PERIOD.end + dt.timedelta(days=1)
    )
    deals.append(later)
    for actor, amount, code in (
        (rep, "400.00", "EUR"),
        (teammate, "10.01", "USD"),
        (outsider, "7", "USD"),
    ):
        deal = make_deal(actor=actor, name="won", amount=amount, currency=code)
        deals.append(services.deal_mark_won(deal=deal, actor=actor))
    lost = make_deal(name="lost", amount="1")
    deals.append(services.deal_mark_lost(deal=lost, actor=rep, reason=reason))
    return deals


def visible_to(user: User) -> list[Deal]:
    teams = set(user.memberships.values_list("team_id", flat=True))
    return [
        d
        for d in Deal.objects.select_related("stage")
        if user.is_superuser or d.team_id in teams or d.owner_id == user.pk
    ]


def expected(deals: list[Deal]) -> dict[str, Decimal]:
    won = Decimal(0)
    by_category: dict[str, Decimal] = {
        c: Decimal(0) for c in ("pipeline", "best_case", "commit", "omitted")
    }
    weighted = Decimal(0)
    for d in deals:
        if (
            d.status == "won"
            and d.won_at
            and PERIOD.start <= timezone.localdate(d.won_at) <= PERIOD.end
        ):
            won += (d.closed_amount or d.amount) * rate_on(d.currency, timezone.localdate(d.won_at))
        if (
            d.status == "open"
            and d.expected_close_date
            and PERIOD.start <= d.expected_close_date <= PERIOD.end
        ):
            converted = d.amount * rate_on(d.currency, TODAY)
            by_category[d.forecast_category] += converted
            if d.forecast_category != "omitted":
                weighted += converted * d.stage.probability / 100
    pipeline = sum((v for k, v in by_category.items() if k != "omitted"), Decimal(0))
    return {
        "closed_won": won.quantize(CENT),
        "commit": by_category["commit"].quantize(CENT),
        "best_case": by_category["best_case"].quantize(CENT),
        "pipeline": pipeline.quantize(CENT),
        "weighted_pipeline": weighted.quantize(CENT),
    }


def test_forecast_matches_recomputation_per_user(
    book: list[Deal], rep: User, outsider: User, admin_user: User
) -> None:
    for user in (rep, outsider, admin_user):
        result = selectors.forecast(user, PERIOD, today=TODAY)
        numbers = {name: getattr(result, name) for name in expected([])}
        assert numbers == expected(visible_to(user))
        assert result.missing_rates == []
    # rep: 3 open visible team deals in categories commit (2) + best case, pipeline 1, omitted 1
    rep_result = selectors.forecast(rep, PERIOD, today=TODAY)
    assert rep_result.counts == {
        "closed_won": 2,
        "commit": 2,
        "best_case": 1,
        "pipeline": 4,
        "omitted": 1,
    }


def test_forecast_owner_filter_target_gap_coverage(
    book: list[Deal], rep: User, admin_user: User, team: Team
) -> None:
    services.target_set(
        actor=admin_user,
        data={
            "user_id": rep.pk,
            "period_kind": "quarter",
            "period_start": PERIOD.start,
            "amount": "1000",
            "currency": "EUR",
        },
    )
    result = selectors.forecast(rep, PERIOD, owner_id=rep.pk, today=TODAY)
    mine = [d for d in visible_to(rep) if d.owner_id == rep.pk]
    numbers = expected(mine)
    assert result.closed_won == numbers["closed_won"]
    target = (Decimal(1000) * rate_on("EUR", PERIOD.start)).quantize(CENT)
    assert result.target == target
    assert result.gap == target - numbers["closed_won"]
    assert result.coverage == (numbers["pipeline"] / (target - numbers["closed_won"])).quantize(
        CENT
    )
    # the drill-down lists exactly the deals behind a number
    commit_ids = set(
        selectors.forecast_deals(rep, PERIOD, "commit", owner_id=rep.pk).values_list(
            "pk", flat=True
        )
    )
    assert commit_ids == {
        d.pk
        for d in mine
        if d.status == "open"
        and d.forecast_category == "commit"
        and d.expected_close_date
        and PERIOD.start <= d.expected_close_date <= PERIOD.end
    }


def test_quarter_target_sums_month_targets(admin_user: User, team: Team, rep: User) -> None:
    for month in PERIOD.months():
        services.target_set(
            actor=admin_user,
            data={
                "team_id": team.pk,
                "period_kind": "month",
                "period_start": month,
                "amount": "100.5",
            },
        )
    assert selectors.target_for(rep, PERIOD, team_id=team.pk)[0] == Decimal("301.50")
    assert selectors.target_for(rep, PERIOD, owner_id=rep.pk)[0] is None


def test_period_parse() -> None:
    assert Period.parse("2026-Q4") == Period("quarter", dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert Period.parse("2026-02") == Period("month", dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert Period.parse("2026-Q1").previous().key == "2025-Q4"


def test_stage_report(
    rep: User,
    outsider: User,
    pipeline: Pipeline,
    stages: dict[str, Stage],
    make_deal: Any,
    reason: LostReason,
) -> None:
    a, b, c = make_deal(name="a"), make_deal(name="b"), make_deal(name="c")
    hidden = make_deal(actor=outsider, name="hidden")
    services.deal_move_to_stage(deal=a, stage=stages["Qualified"], actor=rep)
    services.deal_move_to_stage(deal=b, stage=stages["Qualified"], actor=rep)
    services.deal_move_to_stage(deal=hidden, stage=stages["Qualified"], actor=outsider)
    services.deal_mark_won(deal=a, actor=rep)
    services.deal_mark_lost(deal=c, actor=rep, reason=reason)
    StageChange.objects.filter(deal__in=[a, b, c]).update(duration_seconds=86400 * 3)
    report = selectors.stage_report(rep, pipeline)
    rows = {row.stage.name: row for row in report.rows}
    assert (rows["Lead in"].entered, rows["Lead in"].moved_on) == (3, 2)
    assert rows["Lead in"].conversion_rate == Decimal("66.7")
    assert rows["Lead in"].average_days == Decimal("3.0")
    assert (rows["Qualified"].entered, rows["Qualified"].moved_on) == (2, 1)
    assert rows["Qualified"].conversion_rate == Decimal("50.0")
    assert (rows["Won"].entered, rows["Lost"].entered) == (1, 1)
    assert (report.won, report.lost, report.win_rate) == (1, 1, Decimal("50.0"))


def test_process_health(
    rep: User, teammate: User, stages: dict[str, Stage], make_deal: Any
) -> None:
    now = timezone.now()
    ok = make_deal(name="ok", next_step="Call", expected_close_date=TODAY + dt.timedelta(days=5))
    make_deal(name="late", next_step="Call", expected_close_date=TODAY - dt.timedelta(days=1))
    bare = make_deal(actor=teammate, name="bare", expected_close_date=TODAY + dt.timedelta(days=5))
    services.deal_move_to_stage(deal=bare, stage=stages["Negotiation"], actor=teammate)
    Deal.objects.filter(pk=ok.pk).update(stage_entered_at=now - dt.timedelta(days=30))
    health = selectors.process_health(rep, now=now)
    reasons = {h.deal.name: h.reasons for h in health.held_up}
    assert reasons == {"ok": ["stalled"], "late": ["past_close_date"], "bare": ["no_next_step"]}
    assert health.counts == {"stalled": 1, "past_close_date": 1, "no_next_step": 1, "inactive": 0}
    reps = {r.owner_id: (r.open_deals, r.without_next_step, r.skipped_stages) for r in health.reps}
    assert reps == {rep.pk: (2, 0, 0), teammate.pk: (1, 1, 1)}
    later = selectors.process_health(rep, now=now + dt.timedelta(days=20), inactive_days=14)
    assert later.counts["inactive"] == 3


def test_closed_won_uses_the_rate_of_the_day_won(
    admin_user: User, rep: User, make_deal: Any
) -> None:
    period = Period.parse("2025-Q2")
    for rate, day in (("1.10", dt.date(2025, 1, 1)), ("1.20", dt.date(2025, 5, 15))):
        services.exchange_rate_set(
            actor=admin_user, data={"currency": "EUR", "rate": rate, "valid_from": day}
        )
    tz = timezone.get_current_timezone()
    for amount, day in (("100.01", dt.date(2025, 5, 14)), ("200.03", dt.date(2025, 5, 15))):
        deal = services.deal_mark_won(deal=make_deal(amount=amount, currency="EUR"), actor=rep)
        Deal.objects.filter(pk=deal.pk).update(
            won_at=dt.datetime.combine(day, dt.time(23, 30), tzinfo=tz)
        )
    result = selectors.forecast(rep, period, today=dt.date(2025, 6, 1))
    expected_total = Decimal("100.01") * Decimal("1.10") + Decimal("200.03") * Decimal("1.20")
    assert result.closed_won == expected_total.quantize(CENT)
    assert result.counts["closed_won"] == 2
    assert result.missing_rates == []
