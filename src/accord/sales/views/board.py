"""The deal board: a kanban per pipeline, moves by drag and drop or keyboard, and the dialog
that asks what marking a deal won or lost needs.

Reads go through ``accord.sales._selectors().deal_board`` (aggregates in SQL, a fixed number of
queries whatever the number of deals); writes through ``deal_move_to_stage``,
``deal_mark_won`` and ``deal_mark_lost``.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core import policy
from accord.core.htmx import is_htmx, render_page_or_partial
from accord.sales import forms, services
from accord.sales.models import Deal, Pipeline, Stage, StageKind
from accord.sales.policy import pipelines_usable

# parameters of the board that are filters (the rest — pipeline, stage, amount... — are not)
BOARD_FILTERS = (
    "owner_id",
    "team_id",
    "expected_close_date__after",
    "expected_close_date__before",
    "amount__gte",
    "amount__lte",
    "is_stalled",
)


def _selectors() -> Any:
    """``accord.sales.selectors``, imported when first used."""
    from accord.sales import selectors

    return selectors


def board_filters(data: Any) -> dict[str, list[str]]:
    """The board's filter parameters of ``data`` (a QueryDict), without empty values."""
    result: dict[str, list[str]] = {}
    for name in BOARD_FILTERS:
        values = [v for v in data.getlist(name) if v not in ("", None)]
        if name == "is_stalled":
            values = ["true"] if any(v in ("on", "true", "1") for v in values) else []
        if values:
            result[name] = values
    return result


def _pipelines(user: Any) -> list[Pipeline]:
    return list(
        pipelines_usable(user, Pipeline.objects.filter(archived=False)).order_by("order", "id")
    )


def _pipeline_for(user: Any, pipelines: list[Pipeline], wanted: str | None) -> Pipeline | None:
    if wanted:
        for pipeline in pipelines:
            if str(pipeline.pk) == wanted:
                return pipeline
        raise policy.NotFound
    return next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)


def _board_context(
    request: HttpRequest, pipeline: Pipeline, data: Any, *, cards: bool = True
) -> dict[str, Any]:
    filters = board_filters(data)
    if cards:
        board = _selectors().deal_board(request.user, pipeline, filters)
    else:  # headers and totals only (after a move): no card queries
        board = _selectors().deal_board(request.user, pipeline, filters, limit=0)
    return {
        "pipeline": pipeline,
        "board": board,
        "filters": filters,
        "filter_query": "&".join(f"{k}={v}" for k, vs in filters.items() for v in vs),
        "can_edit": policy.can(request.user, "edit", Deal),
    }


@login_required
@require_GET
def deal_board(request: HttpRequest) -> HttpResponse:
    pipelines = _pipelines(request.user)
    pipeline = _pipeline_for(request.user, pipelines, request.GET.get("pipeline"))
    filter_form = forms.BoardFilterForm(request.GET or None)
    context: dict[str, Any] = {
        "pipelines": pipelines,
        "pipeline": pipeline,
        "filter_form": filter_form,
        "won_lost_kinds": [StageKind.WON, StageKind.LOST],
    }
    errors: dict[str, list[str]] = {}
    if pipeline is not None:
        try:
            context.update(_board_context(request, pipeline, request.GET))
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            context.update(_board_context(request, pipeline, QueryDict()))
    context["errors"] = errors
    status = 400 if errors else 200
    response = render_page_or_partial(
        request, "sales/deal_board.html", "board", context, status=status
    )
    if is_htmx(request):
        response["HX-Push-Url"] = request.get_full_path()
    return response


def _heads_response(
    request: HttpRequest, deal: Deal, data: Any, *, trigger: str = "", status: int = 200
) -> HttpResponse:
    """The column headers and totals of the deal's board, and the deal's card: the page
    replaces its elements with the same ids."""
    context = _board_context(request, deal.pipeline, data, cards=False)
    card = _selectors().deal_board_card(request.user, deal.pk)
    context.update({"moved": card if card.status == StageKind.OPEN else None})
    context["oob"] = bool(trigger)
    response = render(request, "sales/deal_board.html#board_update", context, status=status)
    if trigger:
        # the dialog's form stays; its answer only updates the board out of band
        response["HX-Reswap"] = "none"
        response["HX-Trigger-After-Settle"] = json.dumps({trigger: {"id": deal.pk}})
    return response


def _scoped_deal(user: Any, pk: Any, action: str = "view") -> Deal:
    return policy.get_object_or_404_scoped(
        user,
        Deal.objects.select_related("pipeline", "stage", "company", "owner"),
        action,
        pk=pk,
    )


def _target_stage(deal: Deal, value: Any) -> Stage:
    try:
        return Stage.objects.get(pk=int(value), pipeline_id=deal.pipeline_id, archived=False)
    except (TypeError, ValueError, Stage.DoesNotExist):
        raise Http404 from None


@login_required
@require_POST
def deal_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a deal to an open stage of its pipeline (the board's drag and drop and keys)."""
    deal = _scoped_deal(request.user, pk)
    stage = _target_stage(deal, request.POST.get("stage"))
    if stage.kind != StageKind.OPEN:
        return HttpResponse(
            _("Mark the deal won or lost to move it to this stage."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    try:
        services.deal_move_to_stage(deal=deal, stage=stage, actor=request.user)
    except ValidationError as exc:
        return HttpResponse(
            " ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    if not is_htmx(request):
        return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))
    return _heads_response(request, deal, request.POST)


def _close_form(stage: Stage, deal: Deal, data: Any = None) -> Any:
    if stage.kind == StageKind.WON:
        return forms.DealWonForm(data, initial={"amount": deal.amount})
    return forms.DealLostForm(data)


@login_required
@require_http_methods(["GET", "POST"])
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a deal won (final amount) or lost (reason): the board's dialog and the 360° view's
    buttons. ``stage`` is the won or lost stage to move to."""
    deal = _scoped_deal(request.user, pk)
    source = request.POST if request.method == "POST" else request.GET
    stage_value = source.get("stage")
    if not stage_value:
        kind = source.get("kind", "")
        stage_obj = (
            Stage.objects.filter(pipeline_id=deal.pipeline_id, kind=kind, archived=False)
            .order_by("order", "id")
            .first()
        )
        if stage_obj is None:
            raise Http404
    else:
        stage_obj = _target_stage(deal, stage_value)
    if stage_obj.kind == StageKind.OPEN:
        raise Http404
    if not policy.can(request.user, "edit", deal):
        raise PermissionDenied(_("You are not allowed to change this deal."))
    origin = source.get("origin", "board")
    status = 200
    if request.method == "POST":
        form = _close_form(stage_obj, deal, request.POST)
        if form.is_valid():
            try:
                if stage_obj.kind == StageKind.WON:
                    services.deal_mark_won(
                        deal=deal,
                        actor=request.user,
                        stage=stage_obj,
                        amount=form.cleaned_data["amount"],
                    )
                else:
                    services.deal_mark_lost(
                        deal=deal,
                        actor=request.user,
                        stage=stage_obj,
                        lost_reason=form.cleaned_data["lost_reason"],
                        note=form.cleaned_data["lost_note"],
                    )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                if origin == "detail" or not is_htmx(request):
                    url = reverse("sales:deal_detail", args=[deal.pk])
                    if is_htmx(request):
                        response = HttpResponse(status=204)
                        response["HX-Redirect"] = url
                        return response
                    return HttpResponseRedirect(url)
                return _heads_response(request, deal, request.POST, trigger="deal-closed")
        status = 400
    else:
        form = _close_form(stage_obj, deal)
    context = {
        "deal": deal,
        "stage": stage_obj,
        "form": form,
        "origin": origin,
        "filters": board_filters(source),
        "is_won": stage_obj.kind == StageKind.WON,
    }
    template = "sales/deal_close.html" if not is_htmx(request) else "sales/deal_close.html#form"
    return render(request, template, context, status=status)


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            field = {
                "lost_reason_id": "lost_reason",
                "closed_amount": "amount",
                "note": "lost_note",
            }.get(name, name)
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_POST
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _scoped_deal(request.user, pk)
    from django.contrib import messages

    try:
        services.deal_reopen(deal=deal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deal is open again."))
    return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))
