"""Writes of the sales settings: pipelines, stages, lost reasons (``manage_settings``).

Stages are never deleted (their history must stay readable): archive them. A stage with
deals cannot be archived while open deals are in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import audit, policy
from accord.sales.models import Deal, LostReason, Pipeline, Stage, StageKind

PIPELINE_FIELDS = ("name", "is_default", "order", "archived")
STAGE_FIELDS = ("name", "order", "probability", "rotting_days", "kind", "archived")
LOST_REASON_FIELDS = ("name", "order", "archived")

Errors = dict[str, list[str]]


def _require_manage(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise policy.NotFound
    policy.require_capability(actor, "manage_settings")


def _set(obj: Any, data: Mapping[str, Any], allowed: Sequence[str], errors: Errors) -> None:
    for name, value in data.items():
        if name not in allowed:
            errors[name] = [_("Unknown field.")]
            continue
        setattr(obj, name, value)


def _clean(obj: Any, errors: Errors, *, prefix: str = "", exclude: set[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors[prefix + name] = messages


def _team_ids(value: Any, errors: Errors) -> list[int] | None:
    if value is None:
        return None
    from accord.accounts.models import Team

    try:
        ids = sorted({int(v) for v in value})
    except (TypeError, ValueError):
        errors["team_ids"] = [_("Enter a list of team ids.")]
        return None
    if Team.objects.filter(pk__in=ids).count() != len(ids):
        errors["team_ids"] = [_("No such record.")]
        return None
    return ids


def _clear_other_defaults(pipeline: Pipeline) -> None:
    if pipeline.is_default:
        Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)


def pipeline_create(*, actor: Any, data: Mapping[str, Any]) -> Pipeline:
    """``data``: name, is_default, order, team_ids and ``stages``: a list of stage dicts
    (name, probability, rotting_days, kind), in order. A new pipeline without stages gets
    none: add them with :func:`stage_create`."""
    _require_manage(actor)
    errors: Errors = {}
    data = dict(data)
    stages_data = data.pop("stages", None) or []
    team_ids = _team_ids(data.pop("team_ids", None), errors)
    pipeline = Pipeline()
    _set(pipeline, data, PIPELINE_FIELDS, errors)
    _clean(pipeline, errors, exclude={"is_default"})
    stages = []
    for index, stage_data in enumerate(stages_data):
        stage = Stage(order=index)
        _set(stage, stage_data, STAGE_FIELDS, errors)
        _clean(stage, errors, prefix=f"stages.{index}.", exclude={"pipeline"})
        stages.append(stage)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _clear_other_defaults(pipeline)
        pipeline.save()
        if team_ids:
            pipeline.teams.set(team_ids)
        audit.record_create(pipeline, actor)
        for stage in stages:
            stage.pipeline = pipeline
            stage.save()
            audit.record_create(stage, actor)
    return pipeline


def pipeline_update(*, pipeline: Pipeline, actor: Any, changes: Mapping[str, Any]) -> Pipeline:
    _require_manage(actor)
    errors: Errors = {}
    changes = dict(changes)
    team_ids = _team_ids(changes.pop("team_ids", None), errors)
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        before = audit.snapshot(pipeline)
        teams_before = sorted(pipeline.teams.values_list("pk", flat=True))
        _set(pipeline, changes, PIPELINE_FIELDS, errors)
        if pipeline.archived and pipeline.is_default:
            errors["archived"] = [_("The default pipeline cannot be archived.")]
        _clean(pipeline, errors, exclude={"is_default"})
        if errors:
            raise ValidationError(errors)
        _clear_other_defaults(pipeline)
        pipeline.save()
        extra = None
        if team_ids is not None and team_ids != teams_before:
            pipeline.teams.set(team_ids)
            extra = {"team_ids": [teams_before, team_ids]}
        audit.record_update(pipeline, actor, before, extra=extra)
    return pipeline


def pipeline_archive(*, pipeline: Pipeline, actor: Any, archived: bool = True) -> Pipeline:
    return pipeline_update(pipeline=pipeline, actor=actor, changes={"archived": archived})


def pipelines_reorder(*, actor: Any, pipeline_ids: Sequence[int]) -> None:
    """Give the pipelines the order of ``pipeline_ids`` (every pipeline, once)."""
    _require_manage(actor)
    existing = set(Pipeline.objects.values_list("pk", flat=True))
    if sorted(pipeline_ids) != sorted(existing):
        raise ValidationError({"pipeline_ids": [_("List every pipeline once.")]})
    with transaction.atomic():
        for order, pk in enumerate(pipeline_ids):
            obj = Pipeline.objects.select_for_update().get(pk=pk)
            before = audit.snapshot(obj)
            obj.order = order
            obj.save(update_fields=["order", "updated_at"])
            audit.record_update(obj, actor, before)


def stage_create(*, actor: Any, pipeline: Pipeline, data: Mapping[str, Any]) -> Stage:
    """Add a stage (at the end unless ``order`` is given)."""
    _require_manage(actor)
    errors: Errors = {}
    last = pipeline.stages.order_by("-order").values_list("order", flat=True).first()
    stage = Stage(pipeline=pipeline, order=(last + 1) if last is not None else 0)
    _set(stage, data, STAGE_FIELDS, errors)
    _clean(stage, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stage.save()
        audit.record_create(stage, actor)
    return stage


def stage_update(*, stage: Stage, actor: Any, changes: Mapping[str, Any]) -> Stage:
    """Change a stage. Its kind cannot change while deals are in it; archiving needs it to
    hold no open deal. Deals' ``status`` follows the stage kind, so it never drifts."""
    _require_manage(actor)
    errors: Errors = {}
    with transaction.atomic():
        stage = Stage.objects.select_for_update().get(pk=stage.pk)
        before = audit.snapshot(stage)
        old_kind = stage.kind
        _set(stage, changes, STAGE_FIELDS, errors)
        has_deals = Deal.objects.filter(stage=stage).exists()
        if stage.kind != old_kind and has_deals:
            errors["kind"] = [_("Move the deals out of this stage before changing its kind.")]
        if (
            stage.archived
            and not before.get("archived")
            and Deal.objects.filter(stage=stage, status=StageKind.OPEN).exists()
        ):
            errors["archived"] = [_("Move the open deals out of this stage first.")]
        _clean(stage, errors)
        if errors:
            raise ValidationError(errors)
        stage.save()
        audit.record_update(stage, actor, before)
    return stage


def stage_archive(*, stage: Stage, actor: Any, archived: bool = True) -> Stage:
    return stage_update(stage=stage, actor=actor, changes={"archived": archived})


def stages_reorder(*, actor: Any, pipeline: Pipeline, stage_ids: Sequence[int]) -> None:
    """Give the stages of ``pipeline`` the order of ``stage_ids`` (each stage once)."""
    _require_manage(actor)
    existing = set(pipeline.stages.values_list("pk", flat=True))
    if sorted(stage_ids) != sorted(existing):
        raise ValidationError({"stage_ids": [_("List every stage of the pipeline once.")]})
    with transaction.atomic():
        for order, pk in enumerate(stage_ids):
            obj = Stage.objects.select_for_update().get(pk=pk)
            if obj.order == order:
                continue
            before = audit.snapshot(obj)
            obj.order = order
            obj.save(update_fields=["order", "updated_at"])
            audit.record_update(obj, actor, before)


def lost_reason_create(*, actor: Any, data: Mapping[str, Any]) -> LostReason:
    _require_manage(actor)
    errors: Errors = {}
    reason = LostReason()
    _set(reason, data, LOST_REASON_FIELDS, errors)
    _clean(reason, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        reason.save()
        audit.record_create(reason, actor)
    return reason


def lost_reason_update(
    *, lost_reason: LostReason, actor: Any, changes: Mapping[str, Any]
) -> LostReason:
    _require_manage(actor)
    errors: Errors = {}
    with transaction.atomic():
        reason = LostReason.objects.select_for_update().get(pk=lost_reason.pk)
        before = audit.snapshot(reason)
        _set(reason, changes, LOST_REASON_FIELDS, errors)
        _clean(reason, errors)
        if errors:
            raise ValidationError(errors)
        reason.save()
        audit.record_update(reason, actor, before)
    return reason
