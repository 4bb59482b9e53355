"""The deal board: columns and totals, filters, moves (HTMX), the won/lost dialog and its
errors, access (404 for invisible deals), and a query count that does not grow with deals."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from tests.web.conftest import use_plain_static_storage

from accord.accounts.models import User
from accord.sales.models import Deal, LostReason, Pipeline, Stage, StageChange
from accord.sales.navigation import register_all

pytestmark = pytest.mark.django_db


def _queries(client: Client, url: str) -> int:
    """Queries of one page view, without the session's once-a-minute bookkeeping."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum("accounts_usersession" not in q["sql"] for q in captured.captured_queries)


HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _setup(settings: Any) -> None:
    use_plain_static_storage(settings)
    register_all()  # until the app's ready() does it


@pytest.fixture
def rep_client(client_for: Any, rep: User) -> Client:
    return client_for(rep)


def _head(html: str, stage: Stage) -> str:
    match = re.search(
        rf'<header class="board-column-head" id="column-head-{stage.pk}".*?</header>', html, re.S
    )
    assert match, f"no header for {stage.name}"
    return match.group(0)


def _cards(html: str) -> list[str]:
    return re.findall(r'data-deal-name="([^"]+)"', html)


def test_board_columns_totals_and_cards(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage], pipeline: Pipeline
) -> None:
    make_deal(name="Alpha", amount="1000.00", stage_id=stages["Qualified"].pk)
    make_deal(name="Beta", amount="500.50", stage_id=stages["Qualified"].pk)
    make_deal(name="Gamma", amount="2000.00", stage_id=stages["Proposal"].pk)
    response = rep_client.get(reverse("sales:deal_board"))
    assert response.status_code == 200
    html = response.content.decode()
    qualified = _head(html, stages["Qualified"])
    assert '<span class="count-pill" title="Deals in this stage">2</span>' in qualified
    assert 'data-total="1500.50"' in qualified
    assert 'data-weighted="375.13"' in qualified  # 1500.50 x 25 %, rounded once
    assert 'data-total="2000.00"' in _head(html, stages["Proposal"])
    assert 'data-weighted="1000.00"' in _head(html, stages["Proposal"])
    assert sorted(_cards(html)) == ["Alpha", "Beta", "Gamma"]
    # won and lost are drop zones
    assert f'data-stage-id="{stages["Won"].pk}" data-stage-kind="won"' in html
    assert f'data-stage-id="{stages["Lost"].pk}" data-stage-kind="lost"' in html


def test_board_filters_and_stalled_badge(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage]
) -> None:
    old = make_deal(name="Old one", amount="10.00", stage_id=stages["Lead in"].pk)
    make_deal(name="Fresh", amount="20.00", stage_id=stages["Lead in"].pk)
    Deal.objects.filter(pk=old.pk).update(
        stage_entered_at=old.stage_entered_at - dt.timedelta(days=30)
    )
    html = rep_client.get(reverse("sales:deal_board")).content.decode()
    assert f'class="deal-card is-stalled" id="deal-card-{old.pk}"' in html
    assert re.search(r'board-stalled-count".*?</svg>1</span>', _head(html, stages["Lead in"]), re.S)
    response = rep_client.get(reverse("sales:deal_board") + "?is_stalled=true", headers=HTMX)
    assert response.status_code == 200
    assert _cards(response.content.decode()) == ["Old one"]
    response = rep_client.get(reverse("sales:deal_board") + "?amount__gte=15", headers=HTMX)
    assert _cards(response.content.decode()) == ["Fresh"]
    response = rep_client.get(reverse("sales:deal_board") + "?amount__gte=abc")
    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()


def test_board_query_count_does_not_grow(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage]
) -> None:
    # one card query per non-empty column (bounded by the stages), none per deal
    for index, stage in enumerate(("Lead in", "Qualified", "Proposal", "Negotiation")):
        make_deal(name=f"D{index}", stage_id=stages[stage].pk)
    url = reverse("sales:deal_board")
    _queries(rep_client, url)  # warm caches (custom field definitions, ...)
    small = _queries(rep_client, url)
    assert small <= 19
    for index in range(30):
        make_deal(name=f"E{index}", stage_id=stages["Proposal" if index % 2 else "Lead in"].pk)
    assert _queries(rep_client, url) == small


def test_move_updates_totals_and_records_the_change(
    rep_client: Client, rep: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Mover", amount="800.00", stage_id=stages["Qualified"].pk)
    response = rep_client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["Proposal"].pk}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="0.00"' in _head(html, stages["Qualified"])
    assert 'data-total="800.00"' in _head(html, stages["Proposal"])
    assert 'data-weighted="400.00"' in _head(html, stages["Proposal"])
    assert f'id="deal-card-{deal.pk}"' in html
    deal.refresh_from_db()
    assert deal.stage_id == stages["Proposal"].pk
    change = StageChange.objects.filter(deal=deal).order_by("-at", "-id").first()
    assert change is not None
    assert (change.from_stage_id, change.to_stage_id, change.actor_id) == (
        stages["Qualified"].pk,
        stages["Proposal"].pk,
        rep.pk,
    )


def test_move_refuses_close_stages_and_other_pipelines(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Mover", stage_id=stages["Qualified"].pk)
    response = rep_client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["Won"].pk}, headers=HTMX
    )
    assert response.status_code == 400
    other = Pipeline.objects.create(name="Other")
    foreign = Stage.objects.create(pipeline=other, name="X", order=0)
    response = rep_client.post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": foreign.pk}, headers=HTMX
    )
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage_id == stages["Qualified"].pk


def test_move_of_invisible_deal_is_404_and_changes_nothing(
    client_for: Any, outsider: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Secret", stage_id=stages["Qualified"].pk)
    response = client_for(outsider).post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["Proposal"].pk}, headers=HTMX
    )
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.stage_id == stages["Qualified"].pk


def test_read_only_user_cannot_move(
    client_for: Any, read_only_user: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Look only", stage_id=stages["Qualified"].pk)
    response = client_for(read_only_user).post(
        reverse("sales:deal_move", args=[deal.pk]), {"stage": stages["Proposal"].pk}, headers=HTMX
    )
    assert response.status_code == 403
    deal.refresh_from_db()
    assert deal.stage_id == stages["Qualified"].pk


def test_lost_dialog_error_next_to_field_then_success(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage], reason: LostReason
) -> None:
    deal = make_deal(name="Goner", amount="300.00", stage_id=stages["Proposal"].pk)
    url = reverse("sales:deal_close", args=[deal.pk])
    response = rep_client.get(url, {"stage": stages["Lost"].pk}, headers=HTMX)
    assert response.status_code == 200
    assert 'name="lost_reason"' in response.content.decode()
    response = rep_client.post(url, {"stage": stages["Lost"].pk, "lost_reason": ""}, headers=HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        '<ul class="field-errors" id="id_lost_reason_error">'
        "<li>Choose why the deal was lost.</li></ul>"
    ) in html
    deal.refresh_from_db()
    assert deal.status == "open"
    response = rep_client.post(
        url,
        {"stage": stages["Lost"].pk, "lost_reason": reason.pk, "lost_note": "Too pricey"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    assert '"deal-closed"' in response["HX-Trigger-After-Settle"]
    assert 'data-total="0.00"' in _head(response.content.decode(), stages["Proposal"])
    deal.refresh_from_db()
    assert (deal.status, deal.stage_id, deal.lost_reason_id, deal.lost_note) == (
        "lost",
        stages["Lost"].pk,
        reason.pk,
        "Too pricey",
    )


def test_won_dialog_final_amount(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Winner", amount="300.00", stage_id=stages["Negotiation"].pk)
    url = reverse("sales:deal_close", args=[deal.pk])
    response = rep_client.get(url, {"stage": stages["Won"].pk}, headers=HTMX)
    assert 'value="300.00"' in response.content.decode()
    response = rep_client.post(url, {"stage": stages["Won"].pk, "amount": "-5"}, headers=HTMX)
    assert response.status_code == 400
    assert 'id="id_amount_error"' in response.content.decode()
    response = rep_client.post(
        url, {"stage": stages["Won"].pk, "amount": "320.00", "origin": "detail"}, headers=HTMX
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("sales:deal_detail", args=[deal.pk])
    deal.refresh_from_db()
    assert (deal.status, deal.closed_amount) == ("won", Decimal("320.00"))


def _move_queries(client: Client, deal: Deal, stage: Stage) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("sales:deal_move", args=[deal.pk]), {"stage": stage.pk}, headers=HTMX
        )
        assert response.status_code == 200
    return sum("accounts_usersession" not in q["sql"] for q in captured.captured_queries)


def test_move_query_count_does_not_grow(
    rep_client: Client, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Mover", stage_id=stages["Lead in"].pk)
    make_deal(name="Other", stage_id=stages["Proposal"].pk)
    _move_queries(rep_client, deal, stages["Qualified"])  # warm caches
    small = _move_queries(rep_client, deal, stages["Proposal"])
    for index in range(30):
        make_deal(name=f"E{index}", stage_id=stages["Qualified"].pk)
    assert _move_queries(rep_client, deal, stages["Qualified"]) == small
