"""Deal pages: list (list framework), create/edit, 360° view with stage times, inline edit,
contacts with roles, reopen, lead conversion, forecast with drill-down, reports, panels and
pipeline settings."""

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
from django.utils import timezone
from tests.web.conftest import use_plain_static_storage

from accord.accounts.models import Team, User
from accord.contacts.models import Company
from accord.sales import services
from accord.sales.models import (
    Deal,
    DealContact,
    ExchangeRate,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    Target,
)
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


# ---- list ------------------------------------------------------------------------------------


def test_list_filters_and_query_count(
    rep_client: Client,
    make_deal: Any,
    stages: dict[str, Stage],
    acme: Company,
    django_assert_max_num_queries: Any,
) -> None:
    make_deal(name="Small", amount="10.00", company_id=acme.pk)
    make_deal(name="Large", amount="9000.00", stage_id=stages["Proposal"].pk)
    response = rep_client.get(reverse("sales:deal_list") + "?amount__gte=100")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Large" in html
    assert "Small" not in html
    _queries(rep_client, reverse("sales:deal_list"))  # warm caches
    small = _queries(rep_client, reverse("sales:deal_list"))
    assert small <= 25
    for index in range(20):
        make_deal(name=f"More {index}", company_id=acme.pk)
    assert _queries(rep_client, reverse("sales:deal_list")) == small


def test_list_bulk_move_stage(rep_client: Client, make_deal: Any, stages: dict[str, Stage]) -> None:
    one = make_deal(name="One")
    two = make_deal(name="Two")
    response = rep_client.post(
        reverse("lists:bulk", args=["sales.deal"]),
        {
            "action": "move_stage",
            "ids": [one.pk, two.pk],
            "confirm": "1",
            "stage": stages["Negotiation"].pk,
        },
    )
    assert response.status_code == 302
    assert sorted(Deal.objects.values_list("stage__name", flat=True)) == [
        "Negotiation",
        "Negotiation",
    ]


def test_list_export_csv(client_for: Any, manager: User, make_deal: Any) -> None:
    make_deal(name="Exported", amount="12.50")
    response = client_for(manager).get(reverse("lists:export", args=["sales.deal"]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Name,Company,Stage,Amount")
    assert "Exported,,Lead in,12.50" in body


# ---- create / edit / 360° ---------------------------------------------------------------------


def test_create_with_field_error_then_success(
    rep_client: Client, stages: dict[str, Stage], pipeline: Pipeline
) -> None:
    url = reverse("sales:deal_create")
    page = rep_client.get(url)
    assert page.status_code == 200
    data = {
        "name": "",
        "pipeline": pipeline.pk,
        "stage": stages["Qualified"].pk,
        "amount": "100",
        "currency": "USD",
        "kind": "sale",
        "forecast_category": "pipeline",
    }
    response = rep_client.post(url, data)
    assert response.status_code == 400
    assert '<ul class="field-errors" id="id_name_error"><li>This field is required.</li></ul>' in (
        response.content.decode()
    )
    assert not Deal.objects.exists()
    response = rep_client.post(url, {**data, "name": "New one"})
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    assert (deal.name, deal.stage_id, deal.amount) == ("New one", stages["Qualified"].pk, 100)


def test_detail_shows_time_in_each_stage(
    rep_client: Client, rep: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal(name="Timed", stage_id=stages["Lead in"].pk)
    services.deal_move_to_stage(deal=deal, stage=stages["Qualified"], actor=rep)
    created = StageChange.objects.get(deal=deal, from_stage=None)
    moved = StageChange.objects.get(deal=deal, from_stage=stages["Lead in"])
    now = timezone.now()
    StageChange.objects.filter(pk=created.pk).update(at=now - dt.timedelta(days=5))
    StageChange.objects.filter(pk=moved.pk).update(
        at=now - dt.timedelta(days=2), duration_seconds=3 * 86400
    )
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=now - dt.timedelta(days=2))
    response = rep_client.get(reverse("sales:deal_detail", args=[deal.pk]))
    assert response.status_code == 200
    html = re.sub(r"\s+", " ", response.content.decode())
    assert "<dt>Lead in</dt> <dd>3.0 days</dd>" in html
    assert re.search(
        r"<dt>Qualified <span class=\"badge badge-primary\">current</span></dt> <dd>2.0 days</dd>",
        html,
    )
    assert 'aria-current="step"' in html


def test_detail_of_invisible_deal_is_404(client_for: Any, outsider: User, make_deal: Any) -> None:
    deal = make_deal(name="Secret")
    assert client_for(outsider).get(reverse("sales:deal_detail", args=[deal.pk])).status_code == 404


def test_inline_edit_amount_with_error(rep_client: Client, make_deal: Any) -> None:
    deal = make_deal(name="Inline", amount="100.00")
    url = reverse("sales:deal_field", args=[deal.pk, "amount"])
    assert rep_client.get(url + "?edit=1", headers=HTMX).status_code == 200
    response = rep_client.post(url, {"amount": "-1"}, headers=HTMX)
    assert response.status_code == 400
    assert "field-errors" in response.content.decode()
    response = rep_client.post(url, {"amount": "250.00"}, headers=HTMX)
    assert response.status_code == 200
    deal.refresh_from_db()
    assert deal.amount == Decimal("250.00")


def test_contacts_with_roles_and_reopen(
    rep_client: Client, rep: User, make_deal: Any, make_contact: Any, reason: LostReason
) -> None:
    deal = make_deal(name="People")
    ada = make_contact(first_name="Ada", last_name="Lovelace")
    response = rep_client.post(
        reverse("sales:deal_contact_add", args=[deal.pk]),
        {"contact": ada.pk, "role": "champion"},
    )
    assert response.status_code == 302
    assert list(DealContact.objects.values_list("contact_id", "role")) == [(ada.pk, "champion")]
    html = rep_client.get(reverse("sales:deal_detail", args=[deal.pk])).content.decode()
    assert "Ada Lovelace" in html
    assert "Champion" in html
    rep_client.post(reverse("sales:deal_contact_remove", args=[deal.pk, ada.pk]))
    assert not DealContact.objects.exists()
    services.deal_mark_lost(deal=deal, actor=rep, reason=reason)
    response = rep_client.post(reverse("sales:deal_reopen", args=[deal.pk]))
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "open"


def test_lead_conversion(
    rep_client: Client, make_contact: Any, acme: Company, pipeline: Pipeline
) -> None:
    lead = make_contact(
        first_name="Lee", last_name="Lead", company_id=acme.pk, lifecycle_stage="lead"
    )
    page = rep_client.get(reverse("contacts:contact_detail", args=[lead.pk]))
    assert reverse("sales:lead_convert", args=[lead.pk]) in page.content.decode()
    url = reverse("sales:lead_convert", args=[lead.pk])
    response = rep_client.post(
        url, {"name": "", "pipeline": pipeline.pk, "amount": "5", "currency": "USD"}
    )
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    response = rep_client.post(
        url, {"name": "Lead deal", "pipeline": pipeline.pk, "amount": "5", "currency": "USD"}
    )
    deal = Deal.objects.get()
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    assert deal.company_id == acme.pk
    assert list(DealContact.objects.values_list("contact_id", "role")) == [
        (lead.pk, "decision_maker")
    ]
    lead.refresh_from_db()
    assert lead.lifecycle_stage == "opportunity"


def test_record_panels_list_deals_with_fixed_queries(
    rep_client: Client,
    make_deal: Any,
    acme: Company,
    django_assert_max_num_queries: Any,
) -> None:
    make_deal(name="Acme renewal", company_id=acme.pk)
    url = reverse("contacts:company_detail", args=[acme.pk])
    html = rep_client.get(url).content.decode()
    assert 'data-panel="sales.deals"' in html
    assert "Acme renewal" in html
    _queries(rep_client, url)  # warm caches
    small = _queries(rep_client, url)
    for index in range(12):
        make_deal(name=f"Acme {index}", company_id=acme.pk)
    assert _queries(rep_client, url) == small
    html = rep_client.get(url).content.decode()
    assert "5 more" in html  # 13 deals, 8 shown


# ---- forecast and reports ---------------------------------------------------------------------


def test_forecast_cards_and_drill_down(
    rep_client: Client, rep: User, make_deal: Any, stages: dict[str, Stage], team: Team
) -> None:
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    won = make_deal(name="Won one", amount="1000.00", expected_close_date=today)
    services.deal_mark_won(deal=won, actor=rep, amount=Decimal("1200.00"))
    make_deal(
        name="Committed",
        amount="500.00",
        expected_close_date=today,
        forecast_category="commit",
        stage_id=stages["Negotiation"].pk,
    )
    response = rep_client.get(reverse("sales:forecast") + f"?period={quarter}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="period-label" id="forecast-period">{quarter}</span>' in html
    assert "$1,200.00" in html
    assert "$500.00" in html
    assert 'id="forecast-chart-data"' in html
    response = rep_client.get(
        reverse("sales:forecast_deals") + f"?period={quarter}&measure=closed_won"
    )
    html = response.content.decode()
    assert "Won one" in html
    assert "Committed" not in html
    assert '<strong id="drilldown-total">$1,200.00</strong>' in html


def test_reports_pages(rep_client: Client, rep: User, make_deal: Any, reason: LostReason) -> None:
    deal = make_deal(name="No step")
    services.deal_mark_lost(deal=make_deal(name="Lost one"), actor=rep, reason=reason)
    response = rep_client.get(reverse("sales:stage_report"))
    assert response.status_code == 200
    assert 'id="stage-report"' in response.content.decode()
    response = rep_client.get(reverse("sales:process_health"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{reverse("sales:deal_detail", args=[deal.pk])}">No step</a>' in html
    assert "No next step" in html


def test_dashboard_panels(rep_client: Client, make_deal: Any) -> None:
    make_deal(name="Mine", amount="42.00")
    html = rep_client.get(reverse("web:home")).content.decode()
    assert 'id="panel-salesmy_deals"' in html
    assert "Mine" in html
    assert 'id="pipeline-by-stage-data"' in html
    assert 'id="panel-salesforecast"' in html


# ---- settings ---------------------------------------------------------------------------------


def test_settings_need_manage_settings(rep_client: Client) -> None:
    assert rep_client.get(reverse("sales:pipeline_settings")).status_code == 403
    response = rep_client.post(
        reverse("sales:pipeline_settings_action", args=["lost_reason", "create"]),
        {"reason-name": "Nope"},
    )
    assert response.status_code == 403
    assert not LostReason.objects.filter(name="Nope").exists()


def test_settings_changes_through_services(
    admin_client: Client, pipeline: Pipeline, stages: dict[str, Stage], admin_user: User
) -> None:
    assert admin_client.get(reverse("sales:pipeline_settings")).status_code == 200
    action = "sales:pipeline_settings_action"
    response = admin_client.post(
        reverse(action, args=["stage", "create"]),
        {
            "pipeline": pipeline.pk,
            f"new-stage-{pipeline.pk}-name": "Demo",
            f"new-stage-{pipeline.pk}-probability": "150",
            f"new-stage-{pipeline.pk}-kind": "open",
        },
    )
    assert response.status_code == 400
    assert "Ensure this value is less than or equal to 100." in response.content.decode()
    response = admin_client.post(
        reverse(action, args=["stage", "create"]),
        {
            "pipeline": pipeline.pk,
            f"new-stage-{pipeline.pk}-name": "Demo",
            f"new-stage-{pipeline.pk}-probability": "40",
            f"new-stage-{pipeline.pk}-kind": "open",
        },
    )
    assert response.status_code == 302
    demo = Stage.objects.get(name="Demo")
    assert (demo.probability, demo.pipeline_id) == (40, pipeline.pk)
    admin_client.post(reverse(action, args=["stage", "up"]), {"id": demo.pk})
    demo.refresh_from_db()
    assert [s.name for s in Stage.objects.filter(pipeline=pipeline).order_by("order")][-2] == "Demo"
    admin_client.post(reverse(action, args=["lost_reason", "create"]), {"reason-name": "Merger"})
    assert LostReason.objects.filter(name="Merger").exists()
    admin_client.post(
        reverse(action, args=["rate", "create"]),
        {"rate-currency": "eur", "rate-rate": "1.1", "rate-valid_from": "2026-01-01"},
    )
    assert ExchangeRate.objects.get().currency == "EUR"
    admin_client.post(
        reverse(action, args=["target", "create"]),
        {
            "target-owner": admin_user.pk,
            "target-period_kind": "quarter",
            "target-period_start": "2026-10-01",
            "target-amount": "10000",
            "target-currency": "USD",
        },
    )
    assert Target.objects.get().amount == Decimal("10000")
