"""Forecast, stage report and process health: pages over the sales selectors (all sums in
SQL or over one pass, converted to the base currency with the rate in force)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.contacts.forms import team_options, user_options
from accord.core import policy
from accord.sales.models import Deal, Pipeline
from accord.sales.policy import pipelines_usable

DRILL_LIMIT = 500


def _selectors() -> Any:
    """``accord.sales.selectors``, imported when first used."""
    from accord.sales import selectors

    return selectors


def _period(request: HttpRequest) -> Any:
    """The ``period`` parameter (``2026-Q4``, ``2026-11``); the current quarter when it is
    missing or malformed."""
    period_class = _selectors().Period
    value = (request.GET.get("period") or "").strip()
    if value:
        try:
            return period_class.parse(value)
        except ValidationError:
            pass
    return period_class.current()


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _report_filters(request: HttpRequest) -> dict[str, Any]:
    owner = request.GET.get("owner", "")
    return {
        "owner_id": request.user.pk if owner == "me" else _int(owner),
        "team_id": _int(request.GET.get("team")),
        "owner": owner,
        "team": request.GET.get("team", ""),
    }


MEASURES = [
    ("closed_won", "trophy", "success"),
    ("commit", "circle-check", "info"),
    ("best_case", "star", "warning"),
    ("pipeline", "layers", "primary"),
    ("weighted_pipeline", "scale", "primary"),
]


def _measure_labels() -> dict[str, str]:
    return {
        "closed_won": _("Closed won"),
        "commit": _("Commit"),
        "best_case": _("Best case"),
        "pipeline": _("Pipeline"),
        "weighted_pipeline": _("Weighted pipeline"),
    }


@login_required
@require_GET
def forecast(request: HttpRequest) -> HttpResponse:
    period = _period(request)
    filters = _report_filters(request)
    data = _selectors().forecast(
        request.user, period, owner_id=filters["owner_id"], team_id=filters["team_id"]
    )
    query = {k: v for k, v in (("owner", filters["owner"]), ("team", filters["team"])) if v}
    labels = _measure_labels()

    def drill(measure: str) -> str:
        return (
            reverse("sales:forecast_deals")
            + "?"
            + urlencode({"period": period, "measure": measure, **query})
        )

    cards = [
        {
            "key": key,
            "label": labels[key],
            "icon": icon,
            "color": color,
            "value": getattr(data, key),
            "url": drill(key),
        }
        for key, icon, color in MEASURES
    ]
    chart = {
        "type": "bar",
        "money": True,
        "currency": data.base_currency,
        "labels": [str(labels[k]) for k, _i, _c in MEASURES],
        "datasets": [
            {
                "label": str(_("Amount")),
                "data": [float(getattr(data, k)) for k, _i, _c in MEASURES],
                "colors": [c for _k, _i, c in MEASURES],
                "links": [drill(k) for k, _i, _c in MEASURES],
            },
        ],
    }
    if data.target is not None:
        chart["datasets"].append(
            {
                "label": str(_("Target")),
                "data": [float(data.target)] * len(MEASURES),
                "color": "danger",
                "kind": "line",
                "dashed": True,
            }
        )
    context = {
        "period": period,
        "previous": period.previous().key,
        "next": period.next().key,
        "data": data,
        "cards": cards,
        "chart": chart,
        "filters": filters,
        "query": urlencode(query),
        "owners": user_options(),
        "teams": team_options(),
    }
    return render(request, "sales/forecast.html", context)


@login_required
@require_GET
def forecast_deals(request: HttpRequest) -> HttpResponse:
    """The deals behind one number of the forecast."""
    period = _period(request)
    filters = _report_filters(request)
    measure = request.GET.get("measure", "pipeline")
    labels = _measure_labels()
    if measure not in labels:
        measure = "pipeline"
    data = _selectors().forecast(
        request.user, period, owner_id=filters["owner_id"], team_id=filters["team_id"]
    )
    deals = (
        _selectors()
        .forecast_deals(
            request.user,
            period,
            measure,
            owner_id=filters["owner_id"],
            team_id=filters["team_id"],
        )
        .select_related("company", "owner", "stage")
        .order_by("expected_close_date", "id")
    )
    rows = list(deals[: DRILL_LIMIT + 1])
    query = {k: v for k, v in (("owner", filters["owner"]), ("team", filters["team"])) if v}
    context = {
        "period": period,
        "measure": measure,
        "measure_label": labels[measure],
        "deals": rows[:DRILL_LIMIT],
        "truncated": len(rows) > DRILL_LIMIT,
        "total": getattr(data, measure),
        "currency": data.base_currency,
        "weighted": measure == "weighted_pipeline",
        "back_url": reverse("sales:forecast") + "?" + urlencode({"period": period.key, **query}),
    }
    return render(request, "sales/forecast_deals.html", context)


@login_required
@require_GET
def stage_report(request: HttpRequest) -> HttpResponse:
    pipelines = list(
        pipelines_usable(request.user, Pipeline.objects.filter(archived=False)).order_by(
            "order", "id"
        )
    )
    wanted = request.GET.get("pipeline")
    pipeline = next((p for p in pipelines if str(p.pk) == wanted), None) or next(
        (p for p in pipelines if p.is_default), pipelines[0] if pipelines else None
    )
    if wanted and pipeline is not None and str(pipeline.pk) != wanted:
        raise policy.NotFound
    report = _selectors().stage_report(request.user, pipeline) if pipeline is not None else None
    return render(
        request,
        "sales/stage_report.html",
        {"pipelines": pipelines, "pipeline": pipeline, "report": report},
    )


@login_required
@require_GET
def process_health(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "view", Deal):
        raise policy.NotFound
    filters = _report_filters(request)
    try:
        days = max(1, min(int(request.GET.get("days", "14")), 365))
    except ValueError:
        days = 14
    data = _selectors().process_health(
        request.user,
        inactive_days=days,
        owner_id=filters["owner_id"],
        team_id=filters["team_id"],
    )
    return render(
        request,
        "sales/process_health.html",
        {
            "data": data,
            "days": days,
            "filters": filters,
            "owners": user_options(),
            "teams": team_options(),
        },
    )
