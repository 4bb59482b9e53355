"""Panels the sales app adds: on the dashboard (my open deals, pipeline by stage, this
period's forecast against target) and on the contact and company 360° views (their deals,
and "Convert to deal" for a lead).

Each context function runs a fixed, small number of queries whatever the number of deals.
A record panel's context gets only the request; the record is the one of the page's URL
(``pk`` of ``contacts:contact_detail`` / ``contacts:company_detail``).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.core import policy
from accord.core.registry import Panel, registry
from accord.sales.models import Deal, StageKind

RECORD_PANEL_LIMIT = 8
LEAD_STAGES = {"subscriber", "lead", "marketing_qualified", "sales_qualified", "other", ""}


def _can_view_deals(user: Any) -> bool:
    return policy.can(user, "view", Deal)


def _page_pk(request: HttpRequest) -> int | None:
    match = getattr(request, "resolver_match", None)
    value = match.kwargs.get("pk") if match is not None else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _record_deals(request: HttpRequest, condition: Q) -> dict[str, Any]:
    """Deals of the record, open ones first (2 queries: the rows and the counts)."""
    scoped = policy.scope(request.user, Deal.objects.filter(condition))
    rows = list(
        scoped.select_related("stage", "owner")
        .order_by("status", "expected_close_date", "-id")
        .distinct()[:RECORD_PANEL_LIMIT]
    )
    counts = scoped.aggregate(
        total=Count("id", distinct=True),
        open=Count("id", filter=Q(status=StageKind.OPEN), distinct=True),
        won=Count("id", filter=Q(status=StageKind.WON), distinct=True),
    )
    return {
        "deals": rows,
        "counts": counts,
        "more": max(counts["total"] - len(rows), 0),
        "can_create": policy.can(request.user, "edit", Deal),
    }


def contact_deals_context(request: HttpRequest) -> dict[str, Any]:
    pk = _page_pk(request)
    context = _record_deals(request, Q(deal_contacts__contact_id=pk))
    context["contact_id"] = pk
    context["lead_stages"] = LEAD_STAGES
    return context


def company_deals_context(request: HttpRequest) -> dict[str, Any]:
    pk = _page_pk(request)
    context = _record_deals(request, Q(company_id=pk))
    context["company_id"] = pk
    return context


# ---- dashboard -----------------------------------------------------------------------------


def my_deals_context(request: HttpRequest) -> dict[str, Any]:
    """The user's own open deals, closing soonest first."""
    from accord.sales import selectors

    data = selectors.dashboard_my_open_deals(request.user, limit=6)
    return {"data": data, "today": timezone.localdate()}


def pipeline_by_stage_context(request: HttpRequest) -> dict[str, Any]:
    """Open totals per stage of the user's default pipeline (the board's aggregates)."""
    from accord.sales import selectors

    board = selectors.dashboard_pipeline_by_stage(request.user)
    if board is None:
        return {"board": None}
    columns = board.columns
    chart = {
        "type": "bar",
        "horizontal": True,
        "money": True,
        "currency": board.base_currency,
        "labels": [c.stage.name for c in columns],
        "datasets": [
            {
                "label": str(_("Total")),
                "data": [float(c.total) for c in columns],
                "color": "primary",
                "alpha": 0.3,
            },
            {
                "label": str(_("Weighted")),
                "data": [float(c.weighted_total) for c in columns],
                "color": "primary",
            },
        ],
    }
    return {
        "board": board,
        "chart": chart,
        "board_url": f"{reverse('sales:deal_board')}?pipeline={board.pipeline.pk}",
    }


def forecast_context(request: HttpRequest) -> dict[str, Any]:
    """This quarter's forecast of the user's own deals against their target."""
    from accord.sales import selectors

    return {"forecast": selectors.dashboard_forecast(request.user)}


def register_all() -> None:
    registry.add_dashboard_panel(
        Panel(
            key="sales.my_deals",
            title=cast(str, _("My open deals")),
            template="sales/panels/my_deals.html",
            context=my_deals_context,
            order=30,
            width="half",
            permission=_can_view_deals,
        )
    )
    registry.add_dashboard_panel(
        Panel(
            key="sales.forecast",
            title=cast(str, _("This quarter's forecast")),
            template="sales/panels/forecast.html",
            context=forecast_context,
            order=31,
            width="half",
            permission=_can_view_deals,
        )
    )
    registry.add_dashboard_panel(
        Panel(
            key="sales.pipeline_by_stage",
            title=cast(str, _("Pipeline by stage")),
            template="sales/panels/pipeline_by_stage.html",
            context=pipeline_by_stage_context,
            order=32,
            width="full",
            permission=_can_view_deals,
        )
    )
    for object_type, context in (
        ("contacts.contact", contact_deals_context),
        ("contacts.company", company_deals_context),
    ):
        registry.add_record_panel(
            object_type,
            Panel(
                key="sales.deals",
                title=cast(str, _("Deals")),
                template="sales/panels/record_deals.html",
                context=context,
                order=20,
                permission=_can_view_deals,
            ),
        )
