"""Permission matrix rows of the sales JSON API (/api/v1/pipelines, /api/v1/deals and its
actions, /api/v1/lost-reasons, /api/v1/forecast, /api/v1/exchange-rates, /api/v1/targets).
The HTML pages of the sales app are declared by the UI's rows. See tests/permission_matrix.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.permission_matrix import SEES_TEAM_A, Endpoint, World, api, api_admin, declare, only

from accord.sales.models import Deal, ExchangeRate, LostReason, Pipeline, Stage, Target
from accord.sales.services import deal_create, deal_mark_won, exchange_rate_set, target_set

EDITORS = ("owner", "same_team", "manager", "admin")


def pipeline(world: World) -> Pipeline:
    return Pipeline.objects.get(is_default=True)


def stage(world: World, name: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline(world), name=name)


def own_deal(world: World) -> Deal:
    return world.once(
        "sales_own_deal",
        lambda w: deal_create(
            actor=w.owner, data={"name": "Matrix deal", "amount": "100", "team_id": w.team.pk}
        ),
    )


def won_deal(world: World) -> Deal:
    def make(w: World) -> Deal:
        deal = deal_create(
            actor=w.owner, data={"name": "Matrix won", "amount": "100", "team_id": w.team.pk}
        )
        return deal_mark_won(deal=deal, actor=w.owner)

    return world.once("sales_won_deal", make)


def rate(world: World) -> ExchangeRate:
    return world.once(
        "sales_rate",
        lambda w: exchange_rate_set(
            actor=w.users["admin"],
            data={"currency": "EUR", "rate": "1.1", "valid_from": "2026-01-01"},
        ),
    )


def target(world: World) -> Target:
    return world.once(
        "sales_target",
        lambda w: target_set(
            actor=w.users["admin"],
            data={
                "user_id": w.owner.pk,
                "period_kind": "quarter",
                "period_start": dt.date(2026, 10, 1),
                "amount": "1000",
            },
        ),
    )


def deal_id(world: World) -> dict[str, Any]:
    return {"deal_id": own_deal(world).pk}


def pipeline_id(world: World) -> dict[str, Any]:
    return {"pipeline_id": pipeline(world).pk}


def sees(allowed: int) -> dict[str, int]:
    return api(**only(SEES_TEAM_A, allowed, 404))


def edits(allowed: int) -> dict[str, int]:
    return api(**only(EDITORS, allowed, 403, other_team=404))


declare(
    # Pipelines, stages, lost reasons.
    Endpoint("GET /api/v1/pipelines", expect=api(200)),
    Endpoint(
        "POST /api/v1/pipelines",
        data=lambda w: {"name": "Matrix pipeline", "stages": [{"name": "One"}]},
        expect=api_admin(201),
    ),
    Endpoint("GET /api/v1/pipelines/{pipeline_id}", kwargs=pipeline_id, expect=api(200)),
    Endpoint(
        "PATCH /api/v1/pipelines/{pipeline_id}",
        kwargs=pipeline_id,
        data=lambda w: {"name": "Renamed"},
        expect=api_admin(200),
    ),
    Endpoint(
        "POST /api/v1/pipelines/{pipeline_id}/stages",
        kwargs=pipeline_id,
        data=lambda w: {"name": "Demo", "probability": 60},
        expect=api_admin(201),
    ),
    Endpoint(
        "PATCH /api/v1/pipelines/{pipeline_id}/stages/{stage_id}",
        kwargs=lambda w: {"pipeline_id": pipeline(w).pk, "stage_id": stage(w, "Proposal").pk},
        data=lambda w: {"probability": 55},
        expect=api_admin(200),
    ),
    Endpoint(
        "POST /api/v1/pipelines/{pipeline_id}/stage-order",
        kwargs=pipeline_id,
        data=lambda w: {
            "stage_ids": list(pipeline(w).stages.order_by("-order").values_list("pk", flat=True))
        },
        expect=api_admin(200),
    ),
    Endpoint("GET /api/v1/lost-reasons", expect=api(200)),
    # Deals.
    Endpoint("GET /api/v1/deals", expect=api(200)),
    Endpoint(
        "POST /api/v1/deals",
        data=lambda w: {"name": "New deal", "amount": "10.00"},
        expect=api(201, read_only=403),
    ),
    Endpoint("GET /api/v1/deals/{deal_id}", kwargs=deal_id, expect=sees(200)),
    Endpoint(
        "PATCH /api/v1/deals/{deal_id}",
        kwargs=deal_id,
        data=lambda w: {"next_step": "Call"},
        expect=edits(200),
    ),
    Endpoint(
        "DELETE /api/v1/deals/{deal_id}",
        kwargs=deal_id,
        expect=api(**only(("owner", "manager", "admin"), 204, 403, other_team=404)),
    ),
    Endpoint(
        "POST /api/v1/deals/{deal_id}/move",
        kwargs=deal_id,
        data=lambda w: {"stage_id": stage(w, "Qualified").pk},
        expect=edits(200),
    ),
    Endpoint(
        "POST /api/v1/deals/{deal_id}/won",
        kwargs=deal_id,
        data=lambda w: {"amount": "90.00"},
        expect=edits(200),
    ),
    Endpoint(
        "POST /api/v1/deals/{deal_id}/lost",
        kwargs=deal_id,
        data=lambda w: {"lost_reason_id": LostReason.objects.get(name="Price").pk},
        expect=edits(200),
    ),
    Endpoint(
        "POST /api/v1/deals/{deal_id}/reopen",
        kwargs=lambda w: {"deal_id": won_deal(w).pk},
        data=lambda w: {},
        expect=edits(200),
    ),
    # Forecast.
    Endpoint(
        "GET /api/v1/forecast",
        kwargs=lambda w: {"_": own_deal(w).pk},
        query=lambda w: {"period": "2026-Q4"},
        expect=api(200),
    ),
    # Exchange rates.
    Endpoint("GET /api/v1/exchange-rates", expect=api(200)),
    Endpoint(
        "POST /api/v1/exchange-rates",
        data=lambda w: {"currency": "GBP", "rate": "1.27", "valid_from": "2026-01-01"},
        expect=api_admin(201),
    ),
    Endpoint(
        "DELETE /api/v1/exchange-rates/{rate_id}",
        kwargs=lambda w: {"rate_id": rate(w).pk},
        expect=api_admin(204),
    ),
    # Targets.
    Endpoint("GET /api/v1/targets", expect=api(200)),
    Endpoint(
        "POST /api/v1/targets",
        data=lambda w: {
            "team_id": w.team.pk,
            "period_kind": "month",
            "period_start": "2026-11-01",
            "amount": "500.00",
        },
        expect=api_admin(201),
    ),
    Endpoint(
        "DELETE /api/v1/targets/{target_id}",
        kwargs=lambda w: {"target_id": target(w).pk},
        expect=api_admin(204),
    ),
)
