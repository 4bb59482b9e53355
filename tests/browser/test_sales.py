"""The sales pipeline in a real browser: drag a card to another stage with the mouse (column
totals update, the deal moves in the database), move a card with the keyboard, mark a deal
lost through the dialog (a field error first), open the forecast. Screenshots
``deal-board.png`` and ``forecast.png``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from tests.factories import PASSWORD, TeamFactory, UserFactory

from accord.accounts.models import Team, User
from accord.contacts.services import company_create
from accord.sales.models import Deal, Pipeline, Stage
from accord.sales.navigation import register_all
from accord.sales.services import deal_create, deal_mark_won, target_set

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# name, company, stage, amount, days until close, forecast category, days in stage
DEALS = [
    ("Website relaunch", "Northwind", "Lead in", "4800.00", 40, "pipeline", 3),
    ("Support renewal", "Contoso", "Lead in", "1200.00", 25, "pipeline", 30),
    ("Data platform pilot", "Globex", "Qualified", "18500.00", 30, "best_case", 5),
    ("CRM migration", "Initech", "Qualified", "9200.00", 55, "pipeline", 2),
    ("Analytics add-on", "Umbrella", "Proposal", "7400.00", 14, "commit", 4),
    ("Fleet licences", "Stark Industries", "Proposal", "26000.00", 20, "best_case", 40),
    ("Security audit", "Wayne Enterprises", "Negotiation", "15750.00", 7, "commit", 6),
    ("Training package", "Hooli", "Negotiation", "3900.00", 10, "commit", 1),
]


@pytest.fixture
def rep(transactional_db: None) -> User:
    register_all()  # until the app's ready() does it
    team = cast(Team, TeamFactory(name="Sales North"))
    user = cast(
        User,
        UserFactory(
            role="manager",
            email="morgan@example.com",
            full_name="Morgan Manager",
            time_zone="UTC",
            teams=[team],
        ),
    )
    colleague = cast(
        User,
        UserFactory(
            role="sales-rep", email="sam@example.com", full_name="Sam Seller", teams=[team]
        ),
    )
    stages = {s.name: s for s in Pipeline.objects.get(is_default=True).stages.all()}
    today = timezone.localdate()
    now = timezone.now()
    companies: dict[str, Any] = {}
    for index, (name, company, stage, amount, days, category, in_stage) in enumerate(DEALS):
        if company not in companies:
            companies[company] = company_create(
                actor=user, data={"name": company, "team_id": team.pk}
            )
        deal = deal_create(
            actor=user,
            data={
                "name": name,
                "company_id": companies[company].pk,
                "stage_id": stages[stage].pk,
                "amount": amount,
                "currency": "USD",
                "expected_close_date": today + dt.timedelta(days=days),
                "forecast_category": category,
                "owner_id": (colleague if index % 3 == 0 else user).pk,
                "team_id": team.pk,
                "next_step": "Call back" if index % 2 else "",
            },
        )
        Deal.objects.filter(pk=deal.pk).update(stage_entered_at=now - dt.timedelta(days=in_stage))
    won = deal_create(
        actor=user,
        data={
            "name": "Consulting retainer",
            "amount": "21000.00",
            "currency": "USD",
            "expected_close_date": today,
            "team_id": team.pk,
        },
    )
    deal_mark_won(deal=won, actor=user, amount=Decimal("21000.00"))
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    admin = cast(User, UserFactory(role="admin", email="admin@example.com", is_superuser=True))
    target_set(
        actor=admin,
        data={
            "team_id": team.pk,
            "period_kind": "quarter",
            "period_start": quarter_start,
            "amount": "60000.00",
            "currency": "USD",
        },
    )
    return user


def sign_in(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def _stage(name: str) -> Stage:
    return Stage.objects.get(pipeline__is_default=True, name=name)


def _column(page: Any, name: str) -> Any:
    return page.locator(f'.board-column[data-stage-name="{name}"]')


def test_board_drag_keyboard_lost_dialog_and_forecast(
    page: Any, rep: User, screenshot: Callable[..., Path]
) -> None:
    sign_in(page, rep)
    page.goto("/deals/board/")
    expect(page.get_by_role("heading", name="Deals", exact=True)).to_be_visible()
    qualified = _column(page, "Qualified")
    proposal = _column(page, "Proposal")
    expect(qualified.locator(".board-total")).to_have_attribute("data-total", "27700.00")
    expect(proposal.locator(".board-total")).to_have_attribute("data-total", "33400.00")
    expect(page.locator("#board-summary")).to_contain_text("8 open deals")
    stalled = page.locator(".deal-card.is-stalled")
    expect(stalled).to_have_count(2)  # Support renewal (30 > 14 days), Fleet licences (40 > 21)
    expect(stalled.first.locator(".deal-stalled")).to_have_text(re.compile("Stalled"))
    page.mouse.move(0, 0)
    screenshot(page, "deal-board")

    # Drag "Data platform pilot" from Qualified to Proposal with the mouse.
    card = qualified.locator(".deal-card", has_text="Data platform pilot")
    target = proposal.locator(".board-cards")
    box = card.bounding_box()
    drop = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 5, steps=5)
    page.mouse.move(drop["x"] + drop["width"] / 2, drop["y"] + 40, steps=15)
    page.mouse.up()
    expect(proposal.locator(".deal-card", has_text="Data platform pilot")).to_be_visible()
    expect(qualified.locator(".board-total")).to_have_attribute("data-total", "9200.00")
    expect(proposal.locator(".board-total")).to_have_attribute("data-total", "51900.00")
    expect(proposal.locator(".board-weighted")).to_have_attribute("data-weighted", "25950.00")
    moved = Deal.objects.get(name="Data platform pilot")
    assert moved.stage_id == _stage("Proposal").pk

    # Keyboard: focus a card, Shift+Right moves it to the next stage.
    training = page.locator(".deal-card", has_text="CRM migration")
    training.focus()
    expect(training).to_be_focused()
    page.keyboard.press("Shift+ArrowRight")
    expect(proposal.locator(".deal-card", has_text="CRM migration")).to_be_visible()
    expect(qualified.locator(".board-total")).to_have_attribute("data-total", "0.00")
    expect(page.locator(".deal-card", has_text="CRM migration")).to_be_focused()
    assert Deal.objects.get(name="CRM migration").stage_id == _stage("Proposal").pk
    # arrows move the focus without moving anything
    page.keyboard.press("ArrowUp")
    expect(page.locator(".deal-card:focus")).to_have_count(1)
    assert Deal.objects.get(name="CRM migration").stage_id == _stage("Proposal").pk

    # Mark "Security audit" lost through the dialog: Shift+Right from Negotiation is Won,
    # so drag it onto Lost; no reason is an error next to the field, then it works.
    audit = page.locator(".deal-card", has_text="Security audit")
    lost = _column(page, "Lost")
    box = audit.bounding_box()
    drop = lost.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 5, steps=5)
    page.mouse.move(drop["x"] + drop["width"] / 2, drop["y"] + 60, steps=15)
    page.mouse.up()
    dialog = page.locator("#deal-close-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_contain_text("Security audit")
    dialog.locator(".deal-close-submit").click()
    expect(dialog.locator(".field-errors")).to_have_text("Choose why the deal was lost.")
    assert Deal.objects.get(name="Security audit").status == "open"
    dialog.get_by_label("Reason").select_option(label="Chose a competitor")
    dialog.get_by_label("Note").fill("Went with the incumbent")
    dialog.locator(".deal-close-submit").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".deal-card", has_text="Security audit")).to_have_count(0)
    negotiation = _column(page, "Negotiation")
    expect(negotiation.locator(".board-total")).to_have_attribute("data-total", "3900.00")
    audit_deal = Deal.objects.select_related("lost_reason").get(name="Security audit")
    assert audit_deal.status == "lost"
    assert audit_deal.lost_reason is not None
    assert audit_deal.lost_reason.name == "Chose a competitor"
    assert audit_deal.lost_note == "Went with the incumbent"
    assert page.js_errors == []

    # The deal's 360° view: stage bar with the current stage, time in each stage.
    page.locator(".deal-card", has_text="Fleet licences").locator("a.deal-card-link").click()
    expect(page.get_by_role("heading", name="Fleet licences")).to_be_visible()
    expect(page.locator(".stage-step.is-current")).to_contain_text("Proposal")
    expect(page.locator(".time-in-stage")).to_contain_text("Proposal")
    page.mouse.move(0, 0)
    screenshot(page, "deal-360")

    # The forecast page: cards, chart, drill-down.
    page.goto("/deals/forecast/")
    expect(page.get_by_role("heading", name="Forecast", exact=True)).to_be_visible()
    expect(page.locator("#kpi-closed_won .kpi-value")).to_have_text("$21,000.00")
    expect(page.locator("#kpi-target .kpi-value")).to_have_text("$60,000.00")
    expect(page.locator("canvas[data-drawn='1']")).to_have_count(1)
    page.mouse.move(0, 0)
    screenshot(page, "forecast")
    page.locator("#kpi-closed_won").click()
    expect(page.locator("#drilldown-table")).to_contain_text("Consulting retainer")

    # The dashboard panels: my open deals, this quarter's forecast, pipeline by stage.
    page.goto("/")
    expect(page.locator("#panel-salesmy_deals")).to_contain_text("Analytics add-on")
    expect(page.locator("#panel-salespipeline_by_stage canvas[data-drawn='1']")).to_have_count(1)
    page.mouse.move(0, 0)
    screenshot(page, "dashboard-sales", full_page=True)
    assert page.js_errors == []
