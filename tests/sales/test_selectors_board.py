"""The board: every total equals a plain recomputation from the deals the user may see,
converted with the rate in force; cards limited per column; stalled flags."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.accounts.models import Team, User
from accord.sales import selectors, services
from accord.sales.currency import MissingExchangeRate, RateTable, convert
from accord.sales.models import Deal, ExchangeRate, Pipeline, Stage

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def rates(admin_user: User) -> None:
    services.exchange_rate_set(
        actor=admin_user,
        data={"currency": "EUR", "rate": "1.1", "valid_from": TODAY - dt.timedelta(days=400)},
    )
    services.exchange_rate_set(
        actor=admin_user,
        data={"currency": "EUR", "rate": "1.0835", "valid_from": TODAY - dt.timedelta(days=10)},
    )
    services.exchange_rate_set(
        actor=admin_user,
        data={"currency": "GBP", "rate": "1.2712", "valid_from": TODAY - dt.timedelta(days=30)},
    )


def recompute(deals: list[Deal], on: dt.date) -> tuple[Decimal, Decimal]:
    """Plain Python: per deal, amount * rate (latest valid_from <= on), sum, round once."""
    total = Decimal(0)
    weighted = Decimal(0)
    for deal in deals:
        rate = Decimal(1)
        if deal.currency != "USD":
            rate = (
                ExchangeRate.objects.filter(currency=deal.currency, valid_from__lte=on)
                .order_by("-valid_from")
                .first()
                .rate  # type: ignore[union-attr]
            )
        total += deal.amount * rate
        weighted += deal.amount * rate * deal.stage.probability / 100
    return total.quantize(Decimal("0.01")), weighted.quantize(Decimal("0.01"))


def test_convert_uses_rate_in_force(rates: None) -> None:
    assert convert(Decimal("100"), "EUR", TODAY) == Decimal("108.35")
    assert convert(Decimal("100"), "EUR", TODAY - dt.timedelta(days=11)) == Decimal("110.00")
    assert convert(Decimal("100"), "USD", TODAY) == Decimal("100.00")
    with pytest.raises(MissingExchangeRate) as exc:
        convert(Decimal("1"), "GBP", TODAY - dt.timedelta(days=31))
    assert exc.value.messages == [
        f"No exchange rate for GBP on {(TODAY - dt.timedelta(days=31)).isoformat()}."
    ]
    with pytest.raises(MissingExchangeRate):
        RateTable.load().rate("JPY", TODAY)


def test_board_totals_match_recomputation_and_scope(
    rates: None,
    rep: User,
    teammate: User,
    outsider: User,
    admin_user: User,
    team: Team,
    other_team: Team,
    pipeline: Pipeline,
    stages: dict[str, Stage],
    make_deal: Any,
) -> None:
    amounts = ["1000.10", "333.33", "12.5", "99999.99", "0.01", "7.77"]
    currencies = ["USD", "EUR", "GBP", "EUR", "GBP", "USD"]
    for index, (amount, code) in enumerate(zip(amounts, currencies, strict=True)):
        actor = [rep, teammate, outsider][index % 3]
        deal = make_deal(actor=actor, name=f"D{index}", amount=amount, currency=code)
        stage = [stages["Lead in"], stages["Qualified"], stages["Proposal"]][index % 3]
        services.deal_move_to_stage(deal=deal, stage=stage, actor=actor)
    won = make_deal(name="closed", amount="5")
    services.deal_mark_won(deal=won, actor=rep)

    for user, expected_count in ((rep, 4), (outsider, 2), (admin_user, 6)):
        board = selectors.deal_board(user, pipeline)
        teams = set(user.memberships.values_list("team_id", flat=True))
        visible = [
            d
            for d in Deal.objects.select_related("stage").filter(status="open")
            if user.is_superuser or d.team_id in teams or d.owner_id == user.pk
        ]
        scoped = selectors.filtered_deals(user, None).filter(status="open")
        assert set(scoped.values_list("pk", flat=True)) == {d.pk for d in visible}
        assert board.count == len(visible) == expected_count
        assert (board.total, board.weighted_total) == recompute(visible, TODAY)
        for column in board.columns:
            in_column = [d for d in visible if d.stage_id == column.stage.pk]
            assert column.count == len(in_column)
            assert (column.total, column.weighted_total) == recompute(in_column, TODAY)
            assert [d.pk for d in column.deals] == sorted(d.pk for d in in_column)
            assert column.more == 0
        assert board.missing_rates == []
    assert [s.name for s in board.close_stages] == ["Won", "Lost"]


def test_board_missing_rate_is_flagged_not_counted(
    rep: User, pipeline: Pipeline, make_deal: Any
) -> None:
    make_deal(amount="10", currency="JPY")
    make_deal(amount="20")
    board = selectors.deal_board(rep, pipeline)
    assert board.count == 2
    assert board.total == Decimal("20.00")
    assert board.missing_rates == [("JPY", TODAY)]


def test_board_cards_limited_filters_and_stalled(
    rep: User, pipeline: Pipeline, stages: dict[str, Stage], make_deal: Any
) -> None:
    deals = [
        make_deal(
            name=f"D{i}", amount=str(100 + i), expected_close_date=TODAY + dt.timedelta(days=i)
        )
        for i in range(5)
    ]
    # the first deal entered its stage 20 days ago ("Lead in" rots after 14)
    Deal.objects.filter(pk=deals[0].pk).update(
        stage_entered_at=timezone.now() - dt.timedelta(days=20)
    )
    board = selectors.deal_board(rep, pipeline, limit=3)
    column = board.columns[0]
    assert (column.count, column.more, column.stalled_count) == (5, 2, 1)
    assert [d.name for d in column.deals] == ["D0", "D1", "D2"]
    assert [getattr(d, "is_stalled") for d in column.deals] == [True, False, False]  # noqa: B009
    stalled = selectors.deal_board(rep, pipeline, {"is_stalled": ["true"]})
    assert [d.name for d in stalled.columns[0].deals] == ["D0"]
    assert stalled.total == Decimal("100.00")
    big = selectors.deal_board(rep, pipeline, {"amount__gte": ["103"]})
    assert big.count == 2
    assert big.total == Decimal("207.00")


def test_board_query_count_is_fixed(
    rep: User, pipeline: Pipeline, stages: dict[str, Stage], make_deal: Any
) -> None:
    """Stages, rates, rotting stages, the aggregate, one card query per non-empty column
    (plus the filter set's custom field look-up): more deals, same queries."""

    def add(count: int) -> None:
        for i in range(count):
            make_deal(name=f"D{i}")
            deal = make_deal(name=f"E{i}")
            services.deal_move_to_stage(deal=deal, stage=stages["Proposal"], actor=rep)

    add(1)
    with CaptureQueriesContext(connection) as first:
        selectors.deal_board(rep, pipeline, {"owner_id": ["me"]})
    add(10)
    with CaptureQueriesContext(connection) as second:
        board = selectors.deal_board(rep, pipeline, {"owner_id": ["me"]})
    assert len(second.captured_queries) == len(first.captured_queries)
    assert board.count == 22
