"""JSON API of the sales app: ``/api/v1/pipelines``, ``/api/v1/deals`` (CRUD with
ETag/If-Match, the shared list filters, explicit actions ``move``, ``won``, ``lost``,
``reopen``), ``/api/v1/lost-reasons``, ``/api/v1/forecast``, ``/api/v1/exchange-rates`` and
``/api/v1/targets``.

Thin adapters: parse, fetch through the policy scope (an invisible id is a 404; a foreign id
in a body that the caller cannot see is a 422 naming the field), call the service, shape the
answer.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accord.core import customfields, policy
from accord.core.api.concurrency import (
    IF_MATCH_OPENAPI,
    check_if_match,
    etag_for,
    is_not_modified,
    set_etag,
)
from accord.core.api.pagination import CursorPage
from accord.core.api.problems import BadRequest, FieldError, problem_responses
from accord.lists.filters import FilterError
from accord.lists.pagination import MAX_PAGE_SIZE, paginate, resolve_sort
from accord.sales import currency, schemas, services
from accord.sales.filters import DealFilterSet
from accord.sales.models import (
    Deal,
    DealContact,
    ExchangeRate,
    LostReason,
    Pipeline,
    Stage,
    Target,
)
from accord.sales.policy import can_manage, pipelines_usable
from accord.sales.selectors import Period, forecast, pipelines_with_stages

router = Router(tags=["sales"])

DEAL = "sales.deal"
LIST_PARAMETERS_DOC = (
    "Filters are the same as the HTML deal list's and the board's (see docs/lists.md and "
    "docs/sales.md): `<name>=value`, `<name>__<op>=value` and `custom.<key>`; `sort` is a "
    "sort name, `-` for descending."
)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def deal_queryset() -> QuerySet[Deal]:
    return Deal.objects.prefetch_related(
        Prefetch("deal_contacts", DealContact.objects.order_by("id"))
    )


def _definitions() -> list[customfields.CustomFieldDefinition]:
    return list(customfields.definitions_for(DEAL))


def _payload(payload: Schema) -> dict[str, Any]:
    return payload.model_dump(exclude_unset=True)


def _require_manage(request: HttpRequest) -> Any:
    user = _user(request)
    policy.require_capability(user, "manage_settings")
    return user


# --- pipelines --------------------------------------------------------------------------


def _pipeline_out(pk: int) -> dict[str, Any]:
    pipeline = (
        Pipeline.objects.prefetch_related(
            Prefetch("stages", Stage.objects.order_by("order", "id")), "teams"
        )
        .filter(pk=pk)
        .get()
    )
    return schemas.pipeline_out(pipeline)


def _visible_pipeline(request: HttpRequest, pipeline_id: int) -> Pipeline:
    pipeline = pipelines_usable(_user(request)).filter(pk=pipeline_id).first()
    if pipeline is None:
        raise policy.NotFound
    return pipeline


@router.get(
    "/pipelines",
    response={200: list[schemas.PipelineOut], **problem_responses(401)},
    summary="List the pipelines you may use, with their stages",
)
def pipeline_list(request: HttpRequest, include_archived: bool = False) -> Any:
    pipelines = pipelines_with_stages(_user(request), include_archived=include_archived)
    return [schemas.pipeline_out(p) for p in pipelines]


@router.post(
    "/pipelines",
    response={201: schemas.PipelineOut, **problem_responses(401, 403, 422)},
    summary="Create a pipeline (manage_settings)",
)
def pipeline_create(request: HttpRequest, payload: schemas.PipelineIn) -> Any:
    user = _require_manage(request)
    data = _payload(payload)
    pipeline = services.pipeline_create(actor=user, data=data)
    return Status(201, _pipeline_out(pipeline.pk))


@router.get(
    "/pipelines/{pipeline_id}",
    response={200: schemas.PipelineOut, **problem_responses(401, 404)},
    summary="Read a pipeline with its stages",
)
def pipeline_get(request: HttpRequest, pipeline_id: int) -> Any:
    return _pipeline_out(_visible_pipeline(request, pipeline_id).pk)


@router.patch(
    "/pipelines/{pipeline_id}",
    response={200: schemas.PipelineOut, **problem_responses(401, 403, 404, 422)},
    summary="Change a pipeline (manage_settings)",
)
def pipeline_patch(request: HttpRequest, pipeline_id: int, payload: schemas.PipelineIn) -> Any:
    user = _require_manage(request)
    pipeline = _visible_pipeline(request, pipeline_id)
    data = _payload(payload)
    if "stages" in data:
        raise ValidationError({"stages": [_("Change stages through the stage endpoints.")]})
    services.pipeline_update(pipeline=pipeline, actor=user, changes=data)
    return _pipeline_out(pipeline.pk)


@router.post(
    "/pipelines/{pipeline_id}/stages",
    response={201: schemas.StageOut, **problem_responses(401, 403, 404, 422)},
    summary="Add a stage to a pipeline (manage_settings)",
)
def stage_create(request: HttpRequest, pipeline_id: int, payload: schemas.StageIn) -> Any:
    user = _require_manage(request)
    pipeline = _visible_pipeline(request, pipeline_id)
    stage = services.stage_create(actor=user, pipeline=pipeline, data=_payload(payload))
    return Status(201, schemas.stage_out(stage))


@router.patch(
    "/pipelines/{pipeline_id}/stages/{stage_id}",
    response={200: schemas.StageOut, **problem_responses(401, 403, 404, 422)},
    summary="Change or archive a stage (manage_settings)",
)
def stage_patch(
    request: HttpRequest, pipeline_id: int, stage_id: int, payload: schemas.StageIn
) -> Any:
    user = _require_manage(request)
    pipeline = _visible_pipeline(request, pipeline_id)
    stage = Stage.objects.filter(pipeline=pipeline, pk=stage_id).first()
    if stage is None:
        raise policy.NotFound
    stage = services.stage_update(stage=stage, actor=user, changes=_payload(payload))
    return schemas.stage_out(stage)


class StageOrderIn(Schema):
    stage_ids: list[int] = Field(description="Every stage of the pipeline, in the new order")


@router.post(
    "/pipelines/{pipeline_id}/stage-order",
    response={200: schemas.PipelineOut, **problem_responses(401, 403, 404, 422)},
    summary="Reorder the stages of a pipeline (manage_settings)",
)
def stages_reorder(request: HttpRequest, pipeline_id: int, payload: StageOrderIn) -> Any:
    user = _require_manage(request)
    pipeline = _visible_pipeline(request, pipeline_id)
    services.stages_reorder(actor=user, pipeline=pipeline, stage_ids=payload.stage_ids)
    return _pipeline_out(pipeline.pk)


@router.get(
    "/lost-reasons",
    response={200: list[schemas.LostReasonOut], **problem_responses(401)},
    summary="The reasons a deal can be lost for",
)
def lost_reason_list(request: HttpRequest, include_archived: bool = False) -> Any:
    reasons = LostReason.objects.all()
    if not include_archived:
        reasons = reasons.filter(archived=False)
    return [{"id": r.pk, "name": r.name, "order": r.order, "archived": r.archived} for r in reasons]


# --- deals ------------------------------------------------------------------------------


class ListParams(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, 1 to 200")
    sort: str | None = Field(None, description="A sort name, e.g. -amount or expected_close_date")


@router.get(
    "/deals",
    response={200: CursorPage[schemas.DealOut], **problem_responses(400, 401, 422)},
    summary="List deals",
    description=LIST_PARAMETERS_DOC,
)
def deal_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    user = _user(request)
    query = request.GET.copy()
    for name in ("cursor", "limit", "sort"):
        query.pop(name, None)
    try:
        filters = DealFilterSet(query, user=user)
        rows = filters.filter(policy.scope(user, deal_queryset()))
        sort = resolve_sort(DealFilterSet, params.sort or DealFilterSet.default_sort)
        page = paginate(rows, sort, after=params.cursor, limit=params.limit)
    except FilterError as exc:
        errors = exc.message_dict
        if "after" in errors:
            raise BadRequest(
                _("The cursor is not valid; start again without it."),
                errors=[FieldError("cursor", m, "invalid_cursor") for m in errors["after"]],
            ) from exc
        raise ValidationError(errors) from exc
    definitions = _definitions()
    return {
        "items": [schemas.deal_out(d, definitions) for d in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/deals",
    response={201: schemas.DealOut, **problem_responses(401, 403, 422)},
    summary="Create a deal",
)
def deal_create(request: HttpRequest, response: HttpResponse, payload: schemas.DealIn) -> Any:
    """Without ``pipeline_id`` the default pipeline, without ``stage_id`` its first open
    stage."""
    deal = services.deal_create(actor=_user(request), data=_payload(payload))
    deal = deal_queryset().get(pk=deal.pk)
    set_etag(response, etag_for(deal))
    return Status(201, schemas.deal_out(deal, _definitions()))


def _visible_deal(request: HttpRequest, deal_id: int, queryset: Any = None) -> Deal:
    return policy.get_object_or_404_scoped(
        _user(request), queryset if queryset is not None else deal_queryset(), pk=deal_id
    )


def _deal_answer(response: HttpResponse, deal_id: int) -> dict[str, Any]:
    deal = deal_queryset().get(pk=deal_id)
    set_etag(response, etag_for(deal))
    return schemas.deal_out(deal, _definitions())


@router.get(
    "/deals/{deal_id}",
    response={200: schemas.DealOut, 304: None, **problem_responses(401, 404)},
    summary="Read a deal",
)
def deal_get(request: HttpRequest, response: HttpResponse, deal_id: int) -> Any:
    deal = _visible_deal(request, deal_id)
    etag = etag_for(deal)
    set_etag(response, etag)
    if is_not_modified(request, etag):
        return Status(304, None)
    return schemas.deal_out(deal, _definitions())


@router.patch(
    "/deals/{deal_id}",
    response={200: schemas.DealOut, **problem_responses(401, 403, 404, 412, 422)},
    summary="Change a deal",
    openapi_extra=IF_MATCH_OPENAPI,
)
def deal_patch(
    request: HttpRequest, response: HttpResponse, deal_id: int, payload: schemas.DealIn
) -> Any:
    """Only the fields sent change; ``contacts`` replaces the list. Send ``If-Match``."""
    user = _user(request)
    definitions = _definitions()
    data = _payload(payload)
    if "contacts" in data and data["contacts"] is not None:
        data["contacts"] = [dict(c) for c in data["contacts"]]
    with transaction.atomic():
        deal = policy.get_object_or_404_scoped(
            user, Deal.objects.select_for_update(of=("self",)), pk=deal_id
        )
        check_if_match(
            request,
            etag_for(deal),
            current=lambda: schemas.deal_out(deal_queryset().get(pk=deal_id), definitions),
        )
        services.deal_update(deal=deal, actor=user, changes=data)
    return _deal_answer(response, deal_id)


@router.delete(
    "/deals/{deal_id}",
    response={204: None, **problem_responses(401, 403, 404, 412, 422)},
    summary="Delete a deal",
    openapi_extra=IF_MATCH_OPENAPI,
)
def deal_delete(request: HttpRequest, deal_id: int) -> Any:
    user = _user(request)
    with transaction.atomic():
        deal = policy.get_object_or_404_scoped(
            user, Deal.objects.select_for_update(of=("self",)), pk=deal_id
        )
        check_if_match(request, etag_for(deal))
        services.deal_delete(deal=deal, actor=user)
    return Status(204, None)


def _stage_of(deal: Deal, stage_id: int | None) -> Stage | None:
    if stage_id is None:
        return None
    stage = Stage.objects.filter(pk=stage_id, pipeline_id=deal.pipeline_id).first()
    if stage is None:
        raise ValidationError({"stage_id": [_("Choose a stage of the deal's pipeline.")]})
    return stage


@router.post(
    "/deals/{deal_id}/move",
    response={200: schemas.DealOut, **problem_responses(401, 403, 404, 422)},
    summary="Move a deal to a stage of its pipeline",
)
def deal_move(
    request: HttpRequest, response: HttpResponse, deal_id: int, payload: schemas.MoveIn
) -> Any:
    """A won stage needs ``amount``, a lost stage ``lost_reason_id``."""
    deal = _visible_deal(request, deal_id, Deal.objects.all())
    stage = _stage_of(deal, payload.stage_id)
    assert stage is not None
    services.deal_move_to_stage(
        deal=deal,
        stage=stage,
        actor=_user(request),
        amount=payload.amount,
        lost_reason=payload.lost_reason_id,
        note=payload.lost_note,
    )
    return _deal_answer(response, deal_id)


@router.post(
    "/deals/{deal_id}/won",
    response={200: schemas.DealOut, **problem_responses(401, 403, 404, 422)},
    summary="Mark a deal won",
)
def deal_won(
    request: HttpRequest, response: HttpResponse, deal_id: int, payload: schemas.WonIn
) -> Any:
    """The deal's contacts become customers."""
    deal = _visible_deal(request, deal_id, Deal.objects.select_related("pipeline"))
    services.deal_mark_won(
        deal=deal,
        actor=_user(request),
        amount=payload.amount,
        stage=_stage_of(deal, payload.stage_id),
    )
    return _deal_answer(response, deal_id)


@router.post(
    "/deals/{deal_id}/lost",
    response={200: schemas.DealOut, **problem_responses(401, 403, 404, 422)},
    summary="Mark a deal lost",
)
def deal_lost(
    request: HttpRequest, response: HttpResponse, deal_id: int, payload: schemas.LostIn
) -> Any:
    deal = _visible_deal(request, deal_id, Deal.objects.select_related("pipeline"))
    services.deal_mark_lost(
        deal=deal,
        actor=_user(request),
        reason=payload.lost_reason_id,
        note=payload.lost_note,
        stage=_stage_of(deal, payload.stage_id),
    )
    return _deal_answer(response, deal_id)


@router.post(
    "/deals/{deal_id}/reopen",
    response={200: schemas.DealOut, **problem_responses(401, 403, 404, 422)},
    summary="Reopen a won or lost deal",
)
def deal_reopen(
    request: HttpRequest, response: HttpResponse, deal_id: int, payload: schemas.ReopenIn
) -> Any:
    deal = _visible_deal(request, deal_id, Deal.objects.select_related("pipeline"))
    services.deal_reopen(deal=deal, actor=_user(request), stage=_stage_of(deal, payload.stage_id))
    return _deal_answer(response, deal_id)


# --- forecast ---------------------------------------------------------------------------


@router.get(
    "/forecast",
    response={200: schemas.ForecastOut, **problem_responses(401, 422)},
    summary="The forecast of a month or quarter",
)
def forecast_get(
    request: HttpRequest,
    period: str = Query(..., description="A quarter (2026-Q4) or a month (2026-11)"),
    owner_id: int | None = None,
    team_id: int | None = None,
) -> Any:
    """Closed won, commit, best case, pipeline (by forecast category), weighted pipeline,
    target, gap and coverage over the deals you may see, in the base currency."""
    parsed = Period.parse(period)
    result = forecast(_user(request), parsed, owner_id=owner_id, team_id=team_id)
    return {
        "period": parsed.key,
        "start": parsed.start,
        "end": parsed.end,
        "base_currency": result.base_currency,
        "closed_won": result.closed_won,
        "commit": result.commit,
        "best_case": result.best_case,
        "pipeline": result.pipeline,
        "weighted_pipeline": result.weighted_pipeline,
        "by_category": result.by_category,
        "counts": result.counts,
        "target": result.target,
        "gap": result.gap,
        "coverage": result.coverage,
        "attainment": result.attainment,
        "missing_rates": [{"currency": c, "date": d} for c, d in result.missing_rates],
    }


# --- exchange rates ---------------------------------------------------------------------


def _rate_out(rate: ExchangeRate) -> dict[str, Any]:
    return {
        "id": rate.pk,
        "currency": rate.currency,
        "rate": rate.rate,
        "valid_from": rate.valid_from,
        "base_currency": currency.base_currency(),
    }


@router.get(
    "/exchange-rates",
    response={200: list[schemas.ExchangeRateOut], **problem_responses(401)},
    summary="Exchange rates to the base currency",
)
def exchange_rate_list(request: HttpRequest, currency_code: str | None = None) -> Any:
    rates = ExchangeRate.objects.order_by("currency", "-valid_from")
    if currency_code:
        rates = rates.filter(currency=currency_code.upper())
    return [_rate_out(r) for r in rates]


@router.post(
    "/exchange-rates",
    response={201: schemas.ExchangeRateOut, **problem_responses(401, 403, 422)},
    summary="Set the rate of a currency from a date (manage_settings)",
)
def exchange_rate_set(request: HttpRequest, payload: schemas.ExchangeRateIn) -> Any:
    user = _require_manage(request)
    rate = services.exchange_rate_set(actor=user, data=_payload(payload))
    return Status(201, _rate_out(rate))


@router.delete(
    "/exchange-rates/{rate_id}",
    response={204: None, **problem_responses(401, 403, 404)},
    summary="Delete an exchange rate (manage_settings)",
)
def exchange_rate_delete(request: HttpRequest, rate_id: int) -> Any:
    user = _require_manage(request)
    rate = ExchangeRate.objects.filter(pk=rate_id).first()
    if rate is None:
        raise policy.NotFound
    services.exchange_rate_delete(actor=user, rate=rate)
    return Status(204, None)


# --- targets ----------------------------------------------------------------------------


def _visible_targets(user: Any) -> QuerySet[Target]:
    if can_manage(user):
        return Target.objects.all()
    teams = sorted(policy.access_for(user).team_ids)
    return Target.objects.filter(Q(user_id=user.pk) | Q(team_id__in=teams))


def _target_out(target: Target) -> dict[str, Any]:
    return {
        "id": target.pk,
        "user_id": target.user_id,
        "team_id": target.team_id,
        "period_kind": target.period_kind,
        "period_start": target.period_start,
        "amount": target.amount,
        "currency": target.currency,
    }


@router.get(
    "/targets",
    response={200: list[schemas.TargetOut], **problem_responses(401, 422)},
    summary="Revenue targets (yours and your teams'; every target with manage_settings)",
)
def target_list(
    request: HttpRequest,
    period: str | None = Query(None, description="Only targets inside 2026-Q4 or 2026-11"),
    user_id: int | None = None,
    team_id: int | None = None,
) -> Any:
    targets = _visible_targets(_user(request))
    if period:
        parsed = Period.parse(period)
        targets = targets.filter(period_start__gte=parsed.start, period_start__lte=parsed.end)
    if user_id is not None:
        targets = targets.filter(user_id=user_id)
    if team_id is not None:
        targets = targets.filter(team_id=team_id)
    return [_target_out(t) for t in targets.order_by("period_start", "id")]


@router.post(
    "/targets",
    response={201: schemas.TargetOut, **problem_responses(401, 403, 422)},
    summary="Set the target of a user or team for a period (manage_settings)",
)
def target_set(request: HttpRequest, payload: schemas.TargetIn) -> Any:
    user = _require_manage(request)
    target = services.target_set(actor=user, data=_payload(payload))
    return Status(201, _target_out(target))


@router.delete(
    "/targets/{target_id}",
    response={204: None, **problem_responses(401, 403, 404)},
    summary="Delete a target (manage_settings)",
)
def target_delete(request: HttpRequest, target_id: int) -> Any:
    user = _require_manage(request)
    target = Target.objects.filter(pk=target_id).first()
    if target is None:
        raise policy.NotFound
    services.target_delete(actor=user, target=target)
    return Status(204, None)
