"""Permission matrix rows of the sales JSON API (/api/v1/pipelines, /api/v1/deals and its
actions, /api/v1/lost-reasons, /api/v1/forecast, /api/v1/exchange-rates, /api/v1/targets)
and of the sales pages (``sales:*``). See tests/permission_matrix.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.contacts.permissions import own_contact
from tests.permission_matrix import (
    SEES_TEAM_A,
    Endpoint,
    World,
    api,
    api_admin,
    declare,
    only,
    web_admin,
    web_page,
)

from accord.sales import forms as sales_forms
from accord.sales.models import Deal, ExchangeRate, LostReason, Pipeline, Stage, Target
from accord.sales.services import (
    deal_create,
    deal_mark_won,
    deal_update,
    exchange_rate_set,
    target_set,
)

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


# --- The pages -------------------------------------------------------------------------------
# Signed-out callers are sent to sign in (302). A deal of team A is a 404 for the other team,
# a 403 for a caller who sees it without the right (read-only; a rep deleting a teammate's).

DELETERS = ("owner", "manager", "admin")


def deal_with_contact(world: World) -> Deal:
    def make(w: World) -> Deal:
        deal = deal_create(
            actor=w.owner, data={"name": "Matrix roles", "amount": "100", "team_id": w.team.pk}
        )
        contact = own_contact(w)
        return deal_update(
            deal=deal,
            actor=w.owner,
            changes={"contacts": [{"contact_id": contact.pk, "role": "other"}]},
        )

    return world.once("sales_deal_with_contact", make)


def pk_deal(world: World) -> dict[str, Any]:
    return {"pk": own_deal(world).pk}


def page_sees(allowed: int) -> dict[str, int]:
    return web_page(**only(SEES_TEAM_A, allowed, 404))


def page_edits(allowed: int) -> dict[str, int]:
    return web_page(**only(EDITORS, allowed, 403, other_team=404))


def deal_form(world: World, **changes: Any) -> dict[str, Any]:
    initial = sales_forms.DealForm.initial_for(own_deal(world), [])
    data = {name: value for name, value in initial.items() if value is not None}
    data.update(changes)
    return data


declare(
    # Lists, board, reports.
    Endpoint("sales:deal_list", expect=web_page(200)),
    Endpoint("sales:deal_board", expect=web_page(200)),
    Endpoint("sales:deal_create", expect=web_page(200, read_only=403)),
    Endpoint(
        "sales:deal_create",
        method="POST",
        data=lambda w: {
            "name": "Web deal",
            "pipeline": str(pipeline(w).pk),
            "stage": str(stage(w, "Qualified").pk),
            "amount": "10.00",
            "currency": sales_forms.base_currency(),
            "kind": "sale",
            "forecast_category": "pipeline",
            "owner": str(w.owner.pk),
            "team": str(w.team.pk),
        },
        expect=web_page(302, read_only=403, other_team=403),
        note="another team's rep may not create a deal in team A (the edit scope)",
    ),
    Endpoint("sales:forecast", query=lambda w: {"period": "2026-Q4"}, expect=web_page(200)),
    Endpoint(
        "sales:forecast_deals",
        query=lambda w: {"period": "2026-Q4", "measure": "pipeline"},
        expect=web_page(200),
    ),
    Endpoint("sales:stage_report", expect=web_page(200)),
    Endpoint("sales:process_health", expect=web_page(200)),
    # One deal.
    Endpoint("sales:deal_detail", kwargs=pk_deal, expect=page_sees(200)),
    Endpoint("sales:deal_edit", kwargs=pk_deal, expect=page_edits(200)),
    Endpoint(
        "sales:deal_edit",
        method="POST",
        kwargs=pk_deal,
        data=lambda w: deal_form(w, next_step="Call back"),
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:deal_delete",
        kwargs=pk_deal,
        expect=web_page(**only(DELETERS, 200, 403, other_team=404)),
    ),
    Endpoint(
        "sales:deal_delete",
        method="POST",
        kwargs=pk_deal,
        expect=web_page(**only(DELETERS, 302, 403, other_team=404)),
    ),
    Endpoint(
        "sales:deal_field",
        kwargs=lambda w: {"pk": own_deal(w).pk, "name": "next_step"},
        expect=page_sees(200),
        note="the read-only row (no ?edit=1)",
    ),
    Endpoint(
        "sales:deal_field",
        method="POST",
        kwargs=lambda w: {"pk": own_deal(w).pk, "name": "next_step"},
        data=lambda w: {"next_step": "Inline"},
        expect=page_edits(200),
    ),
    Endpoint(
        "sales:deal_stage_set",
        method="POST",
        kwargs=pk_deal,
        data=lambda w: {"stage": str(stage(w, "Proposal").pk)},
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:deal_move",
        method="POST",
        kwargs=pk_deal,
        data=lambda w: {"stage": str(stage(w, "Proposal").pk)},
        expect=page_edits(302),
        note="not an HTMX request: back to the deal",
    ),
    Endpoint(
        "sales:deal_close",
        kwargs=pk_deal,
        query=lambda w: {"kind": "won"},
        expect=page_edits(200),
    ),
    Endpoint(
        "sales:deal_close",
        method="POST",
        kwargs=pk_deal,
        data=lambda w: {"kind": "won", "amount": "90.00", "origin": "detail"},
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:deal_reopen",
        method="POST",
        kwargs=lambda w: {"pk": won_deal(w).pk},
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:deal_contact_add",
        method="POST",
        kwargs=pk_deal,
        data=lambda w: {"contact": str(own_contact(w).pk), "role": "other"},
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:deal_contact_remove",
        method="POST",
        kwargs=lambda w: {"pk": deal_with_contact(w).pk, "contact_id": own_contact(w).pk},
        expect=page_edits(302),
    ),
    Endpoint(
        "sales:lead_convert",
        kwargs=lambda w: {"contact_id": own_contact(w).pk},
        expect=page_edits(200),
    ),
    Endpoint(
        "sales:lead_convert",
        method="POST",
        kwargs=lambda w: {"contact_id": own_contact(w).pk},
        data=lambda w: {
            "name": "Converted",
            "pipeline": str(pipeline(w).pk),
            "amount": "50.00",
            "currency": sales_forms.base_currency(),
        },
        expect=page_edits(302),
    ),
    # Settings (manage_settings).
    Endpoint("sales:pipeline_settings", expect=web_admin(200)),
    Endpoint(
        "sales:pipeline_settings_action",
        method="POST",
        kwargs=lambda w: {"section": "lost_reason", "action": "archive"},
        data=lambda w: {"id": str(LostReason.objects.get(name="Price").pk)},
        expect=web_admin(302),
    ),
)
