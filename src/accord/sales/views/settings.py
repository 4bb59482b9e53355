"""Pipeline settings (``manage_settings``): pipelines, their stages (order, probability,
stalled period, kind), lost reasons, exchange rates and targets. Every change goes through
the sales services; a form with errors comes back with them next to its fields."""

from __future__ import annotations

from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accord.core import policy
from accord.sales import forms, services
from accord.sales.currency import base_currency
from accord.sales.models import ExchangeRate, LostReason, Pipeline, Stage, Target


def _stage_form(stage: Stage, data: Any = None) -> forms.StageForm:
    return forms.StageForm(
        data,
        prefix=f"stage-{stage.pk}",
        initial={
            "name": stage.name,
            "probability": stage.probability,
            "rotting_days": stage.rotting_days,
            "kind": stage.kind,
        },
    )


def _context(request: HttpRequest, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    bound = bound or {}
    pipelines = list(Pipeline.objects.prefetch_related("stages", "teams").order_by("order", "id"))
    rows = []
    for pipeline in pipelines:
        stages = sorted(pipeline.stages.all(), key=lambda s: (s.order, s.pk))
        rows.append(
            {
                "pipeline": pipeline,
                "teams": list(pipeline.teams.all()),
                "stages": [
                    {"stage": s, "form": bound.get(f"stage-{s.pk}") or _stage_form(s)}
                    for s in stages
                ],
                "new_stage": bound.get(f"new-stage-{pipeline.pk}")
                or forms.StageForm(prefix=f"new-stage-{pipeline.pk}"),
            }
        )
    return {
        "pipelines": rows,
        "pipeline_form": bound.get("pipeline") or forms.PipelineForm(prefix="pipeline"),
        "lost_reasons": list(LostReason.objects.order_by("archived", "order", "name", "id")),
        "lost_reason_form": bound.get("lost_reason") or forms.LostReasonForm(prefix="reason"),
        "rates": list(ExchangeRate.objects.order_by("currency", "-valid_from")[:200]),
        "rate_form": bound.get("rate") or forms.ExchangeRateForm(prefix="rate"),
        "targets": list(
            Target.objects.select_related("user", "team").order_by("-period_start", "id")[:200]
        ),
        "target_form": bound.get("target") or forms.TargetForm(prefix="target"),
        "base_currency": base_currency(),
        "section": request.GET.get("section", ""),
    }


@login_required
@require_GET
def pipeline_settings(request: HttpRequest) -> HttpResponse:
    policy.require_capability(request.user, "manage_settings")
    return render(request, "sales/pipeline_settings.html", _context(request))


def _add_errors(form: django_forms.Form, exc: ValidationError, names: dict[str, str]) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, msgs in exc.message_dict.items():
        field = names.get(name, name)
        form.add_error(field if field in form.fields else None, msgs)


def _get(model: Any, pk: Any) -> Any:
    try:
        return model.objects.get(pk=int(pk))
    except (TypeError, ValueError, model.DoesNotExist):
        raise Http404 from None


@login_required
@require_POST
def pipeline_settings_action(request: HttpRequest, section: str, action: str) -> HttpResponse:
    """One change of the settings page: ``<section>/<action>`` with the record's ``id``."""
    policy.require_capability(request.user, "manage_settings")
    actor = request.user
    post = request.POST
    bound: dict[str, Any] = {}
    done = ""
    anchor = section
    try:
        if section == "pipeline" and action == "create":
            form: Any = forms.PipelineForm(post, prefix="pipeline")
            bound["pipeline"] = form
            if form.is_valid():
                try:
                    services.pipeline_create(
                        actor=actor,
                        data={
                            "name": form.cleaned_data["name"],
                            "is_default": form.cleaned_data["is_default"],
                            "team_ids": [int(t) for t in form.cleaned_data["teams"]],
                        },
                    )
                    done = _("Pipeline created. Add its stages below.")
                except ValidationError as exc:
                    _add_errors(form, exc, {"team_ids": "teams"})
        elif section == "pipeline" and action in ("archive", "restore", "default"):
            pipeline = _get(Pipeline, post.get("id"))
            if action == "default":
                services.pipeline_update(
                    pipeline=pipeline, actor=actor, changes={"is_default": True}
                )
                done = _("Default pipeline changed.")
            else:
                services.pipeline_archive(
                    pipeline=pipeline, actor=actor, archived=action == "archive"
                )
                done = _("Pipeline archived.") if action == "archive" else _("Pipeline restored.")
        elif section == "stage" and action == "create":
            pipeline = _get(Pipeline, post.get("pipeline"))
            anchor = f"pipeline-{pipeline.pk}"
            form = forms.StageForm(post, prefix=f"new-stage-{pipeline.pk}")
            bound[f"new-stage-{pipeline.pk}"] = form
            if form.is_valid():
                try:
                    services.stage_create(actor=actor, pipeline=pipeline, data=form.cleaned_data)
                    done = _("Stage added.")
                except ValidationError as exc:
                    _add_errors(form, exc, {})
        elif section == "stage" and action == "update":
            stage = _get(Stage, post.get("id"))
            anchor = f"pipeline-{stage.pipeline_id}"
            form = _stage_form(stage, post)
            bound[f"stage-{stage.pk}"] = form
            if form.is_valid():
                try:
                    services.stage_update(stage=stage, actor=actor, changes=form.cleaned_data)
                    done = _("Stage saved.")
                except ValidationError as exc:
                    _add_errors(form, exc, {})
        elif section == "stage" and action in ("up", "down"):
            stage = _get(Stage, post.get("id"))
            anchor = f"pipeline-{stage.pipeline_id}"
            ids = list(
                Stage.objects.filter(pipeline_id=stage.pipeline_id)
                .order_by("order", "id")
                .values_list("pk", flat=True)
            )
            index = ids.index(stage.pk)
            other = index - 1 if action == "up" else index + 1
            if 0 <= other < len(ids):
                ids[index], ids[other] = ids[other], ids[index]
                services.stages_reorder(actor=actor, pipeline=stage.pipeline, stage_ids=ids)
            done = _("Stage order saved.")
        elif section == "stage" and action in ("archive", "restore"):
            stage = _get(Stage, post.get("id"))
            anchor = f"pipeline-{stage.pipeline_id}"
            services.stage_archive(stage=stage, actor=actor, archived=action == "archive")
            done = _("Stage archived.") if action == "archive" else _("Stage restored.")
        elif section == "lost_reason" and action == "create":
            form = forms.LostReasonForm(post, prefix="reason")
            bound["lost_reason"] = form
            if form.is_valid():
                try:
                    services.lost_reason_create(actor=actor, data=form.cleaned_data)
                    done = _("Lost reason added.")
                except ValidationError as exc:
                    _add_errors(form, exc, {})
        elif section == "lost_reason" and action in ("archive", "restore"):
            reason = _get(LostReason, post.get("id"))
            services.lost_reason_update(
                lost_reason=reason, actor=actor, changes={"archived": action == "archive"}
            )
            done = _("Lost reason archived.") if action == "archive" else _("Lost reason restored.")
        elif section == "rate" and action == "create":
            form = forms.ExchangeRateForm(post, prefix="rate")
            bound["rate"] = form
            if form.is_valid():
                try:
                    services.exchange_rate_set(actor=actor, data=form.cleaned_data)
                    done = _("Exchange rate saved.")
                except ValidationError as exc:
                    _add_errors(form, exc, {})
        elif section == "rate" and action == "delete":
            services.exchange_rate_delete(actor=actor, rate=_get(ExchangeRate, post.get("id")))
            done = _("Exchange rate deleted.")
        elif section == "target" and action == "create":
            form = forms.TargetForm(post, prefix="target")
            bound["target"] = form
            if form.is_valid():
                data = dict(form.cleaned_data)
                owner, team = data.pop("owner"), data.pop("team")
                data["user_id"] = int(owner) if owner else None
                data["team_id"] = int(team) if team else None
                try:
                    services.target_set(actor=actor, data=data)
                    done = _("Target saved.")
                except ValidationError as exc:
                    _add_errors(form, exc, {"user_id": "owner", "team_id": "team"})
        elif section == "target" and action == "delete":
            services.target_delete(actor=actor, target=_get(Target, post.get("id")))
            done = _("Target deleted.")
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("sales:pipeline_settings") + f"#{anchor}")
    if done:
        messages.success(request, done)
        return HttpResponseRedirect(reverse("sales:pipeline_settings") + f"#{anchor}")
    return render(request, "sales/pipeline_settings.html", _context(request, bound), status=400)
