"""API shapes of the sales app (input shape only; the services validate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from accord.core import customfields
from accord.sales.models import Deal, Pipeline, Stage

_DEAL_CUSTOM = customfields.custom_schema_extra("sales.deal")


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: int = Field(description="Win probability, 0 to 100")
    rotting_days: int | None = Field(description="Stalled after this many days in the stage")
    kind: str = Field(description="open, won or lost")
    archived: bool


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    order: int
    archived: bool
    team_ids: list[int] = Field(description="Limited to these teams; empty: everyone")
    stages: list[StageOut]


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    order: int | None = None
    probability: int | None = None
    rotting_days: int | None = None
    kind: str | None = Field(None, description="open, won or lost")
    archived: bool | None = None


class PipelineIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    is_default: bool | None = None
    order: int | None = None
    archived: bool | None = None
    team_ids: list[int] | None = None
    stages: list[StageIn] | None = Field(None, description="On create only: the stages in order")


class DealContactIn(Schema):
    model_config = ConfigDict(extra="forbid")
    contact_id: int
    role: str = Field(
        "other",
        description="decision_maker, champion, influencer, user, economic_buyer or other",
    )


class DealContactOut(Schema):
    contact_id: int
    role: str


class DealIn(Schema):
    """Create or change a deal. On PATCH only the fields sent change; ``contacts`` replaces
    the list. ``stage_id`` (PATCH) moves between open stages; use the actions for won and
    lost."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    pipeline_id: int | None = None
    stage_id: int | None = None
    amount: Decimal | None = Field(None, description="Decimal string, 2 places")
    currency: str | None = Field(None, description="ISO 4217; default: the base currency")
    expected_close_date: dt.date | None = None
    company_id: int | None = None
    contacts: list[DealContactIn] | None = None
    source: str | None = None
    next_step: str | None = None
    next_step_due_date: dt.date | None = None
    kind: str | None = Field(
        None, description="sale, renewal, donation, in_kind_donation or volunteer_hours"
    )
    forecast_category: str | None = Field(
        None, description="pipeline, best_case, commit, closed or omitted"
    )
    description: str | None = None
    owner_id: int | None = None
    team_id: int | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=_DEAL_CUSTOM)


class DealOut(Schema):
    id: int
    name: str
    pipeline_id: int
    stage_id: int
    status: str = Field(description="open, won or lost (the kind of the stage)")
    amount: Decimal
    currency: str
    expected_close_date: dt.date | None
    company_id: int | None
    contacts: list[DealContactOut]
    source: str
    next_step: str
    next_step_due_date: dt.date | None
    kind: str
    forecast_category: str
    lost_reason_id: int | None
    lost_note: str
    won_at: dt.datetime | None
    lost_at: dt.datetime | None
    closed_amount: Decimal | None
    stage_entered_at: dt.datetime
    last_activity_at: dt.datetime | None
    description: str
    owner_id: int | None
    team_id: int | None
    custom: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_DEAL_CUSTOM)
    created_at: dt.datetime
    updated_at: dt.datetime


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage_id: int
    amount: Decimal | None = Field(None, description="Final amount (a won stage)")
    lost_reason_id: int | None = Field(None, description="A lost stage")
    lost_note: str = ""


class WonIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal | None = Field(None, description="Final amount; default: the deal's amount")
    stage_id: int | None = Field(None, description="A won stage; default: the first")


class LostIn(Schema):
    model_config = ConfigDict(extra="forbid")
    lost_reason_id: int
    lost_note: str = ""
    stage_id: int | None = Field(None, description="A lost stage; default: the first")


class ReopenIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage_id: int | None = Field(
        None, description="An open stage; default: the stage before it was closed"
    )


class LostReasonOut(Schema):
    id: int
    name: str
    order: int
    archived: bool


class ExchangeRateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    currency: str
    rate: Decimal = Field(description="Units of the base currency for one unit of currency")
    valid_from: dt.date


class ExchangeRateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_from: dt.date
    base_currency: str


class TargetIn(Schema):
    model_config = ConfigDict(extra="forbid")
    user_id: int | None = None
    team_id: int | None = None
    period_kind: str = Field(description="month or quarter")
    period_start: dt.date = Field(description="First day of the month or quarter")
    amount: Decimal
    currency: str | None = None


class TargetOut(Schema):
    id: int
    user_id: int | None
    team_id: int | None
    period_kind: str
    period_start: dt.date
    amount: Decimal
    currency: str


class MissingRateOut(Schema):
    currency: str
    date: dt.date


class ForecastOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    base_currency: str
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted_pipeline: Decimal
    by_category: dict[str, Decimal]
    counts: dict[str, int]
    target: Decimal | None
    gap: Decimal | None
    coverage: Decimal | None
    attainment: Decimal | None
    missing_rates: list[MissingRateOut] = Field(
        description="Amounts in these currencies had no rate on that date and are NOT counted"
    )


def stage_out(stage: Stage) -> dict[str, Any]:
    return {
        "id": stage.pk,
        "name": stage.name,
        "order": stage.order,
        "probability": stage.probability,
        "rotting_days": stage.rotting_days,
        "kind": stage.kind,
        "archived": stage.archived,
    }


def pipeline_out(pipeline: Pipeline) -> dict[str, Any]:
    """Expects ``stages`` and ``teams`` prefetched."""
    return {
        "id": pipeline.pk,
        "name": pipeline.name,
        "is_default": pipeline.is_default,
        "order": pipeline.order,
        "archived": pipeline.archived,
        "team_ids": sorted(t.pk for t in pipeline.teams.all()),
        "stages": [stage_out(s) for s in pipeline.stages.all()],
    }


def deal_out(deal: Deal, definitions: Any = None) -> dict[str, Any]:
    """Expects ``deal_contacts`` prefetched."""
    custom = (
        dict(deal.custom or {})
        if definitions is None
        else customfields.visible_values(deal.custom, definitions)
    )
    return {
        "id": deal.pk,
        "name": deal.name,
        "pipeline_id": deal.pipeline_id,
        "stage_id": deal.stage_id,
        "status": deal.status,
        "amount": deal.amount,
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date,
        "company_id": deal.company_id,
        "contacts": [
            {"contact_id": link.contact_id, "role": link.role} for link in deal.deal_contacts.all()
        ],
        "source": deal.source,
        "next_step": deal.next_step,
        "next_step_due_date": deal.next_step_due_date,
        "kind": deal.kind,
        "forecast_category": deal.forecast_category,
        "lost_reason_id": deal.lost_reason_id,
        "lost_note": deal.lost_note,
        "won_at": deal.won_at,
        "lost_at": deal.lost_at,
        "closed_amount": deal.closed_amount,
        "stage_entered_at": deal.stage_entered_at,
        "last_activity_at": deal.last_activity_at,
        "description": deal.description,
        "owner_id": deal.owner_id,
        "team_id": deal.team_id,
        "custom": custom,
        "created_at": deal.created_at,
        "updated_at": deal.updated_at,
    }
