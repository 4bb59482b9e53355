"""Writes of deals: create, update, delete, stage moves, won/lost/reopen, lead conversion,
bulk actions and a bulk create with stage history (imports, demo data).

Every function checks the access policy before writing, runs in one transaction with its
audit entries and emits events. Errors are ``ValidationError``s keyed by the caller's names
(``stage_id``, ``amount``, ``lost_reason_id``, ``contacts.1.role``, ``records.<pk>.<field>``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.contacts.models import Company, Contact, LifecycleStage
from accord.core import audit, customfields, events, policy
from accord.core import services as core_services
from accord.sales import currency
from accord.sales.events import DealLost, DealReopened, DealStageChanged, DealWon
from accord.sales.models import (
    Deal,
    DealContact,
    DealContactRole,
    ForecastCategory,
    LostReason,
    Pipeline,
    Stage,
    StageChange,
    StageKind,
)
from accord.sales.policy import pipelines_usable

OBJECT_TYPE = "sales.deal"

# names a caller may set on create/update (besides pipeline_id, stage_id and contacts)
DEAL_FIELDS = frozenset(
    {
        "name",
        "amount",
        "currency",
        "expected_close_date",
        "company_id",
        "source",
        "next_step",
        "next_step_due_date",
        "kind",
        "forecast_category",
        "description",
        "owner_id",
        "team_id",
        "custom",
    }
)
NO_SUCH_RECORD = "No such record."

Errors = dict[str, list[str]]


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None)


def _no_such(field: str) -> ValidationError:
    return ValidationError({field: [_(NO_SUCH_RECORD)]})


# -- look-ups of foreign ids -------------------------------------------------------------


def _pk(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


def resolve_pipeline(actor: Any, value: Any, *, field: str = "pipeline_id") -> Pipeline:
    """A pipeline the actor may use (not archived, open to their teams), else a keyed error."""
    pk = _pk(value)
    try:
        pipeline = pipelines_usable(actor, Pipeline.objects.filter(archived=False)).get(pk=pk)
    except (Pipeline.DoesNotExist, ValueError, TypeError):
        raise _no_such(field) from None
    return pipeline


def default_pipeline(actor: Any) -> Pipeline | None:
    usable = pipelines_usable(actor, Pipeline.objects.filter(archived=False))
    return usable.order_by("-is_default", "order", "id").first()


def resolve_stage(pipeline: Pipeline, value: Any, *, field: str = "stage_id") -> Stage:
    pk = _pk(value)
    try:
        return Stage.objects.get(pk=pk, pipeline=pipeline, archived=False)
    except (Stage.DoesNotExist, ValueError, TypeError):
        raise ValidationError({field: [_("Choose a stage of the deal's pipeline.")]}) from None


def first_stage(pipeline: Pipeline, kind: str = StageKind.OPEN) -> Stage | None:
    return (
        Stage.objects.filter(pipeline=pipeline, kind=kind, archived=False)
        .order_by("order", "id")
        .first()
    )


def resolve_lost_reason(value: Any, *, field: str = "lost_reason_id") -> LostReason:
    pk = _pk(value)
    try:
        return LostReason.objects.get(pk=pk, archived=False)
    except (LostReason.DoesNotExist, ValueError, TypeError):
        raise ValidationError({field: [_("Choose a reason from the list.")]}) from None


def _clean_contacts(actor: Any, value: Any, errors: Errors) -> list[tuple[Contact, str]] | None:
    """``contacts``: ``[{"contact_id": 1, "role": "champion"}, ...]`` or a list of ids."""
    if value is None:
        return None
    if not isinstance(value, list | tuple):
        errors["contacts"] = [_("Enter a list of contacts.")]
        return None
    ids: list[Any] = []
    roles: list[str] = []
    valid_roles = set(DealContactRole.values)
    for index, item in enumerate(value):
        if isinstance(item, Mapping):
            contact_id = item.get("contact_id")
            role = item.get("role") or DealContactRole.OTHER
        else:
            contact_id, role = item, DealContactRole.OTHER
        if role not in valid_roles:
            errors[f"contacts.{index}.role"] = [
                _("Select a valid choice: %(value)s is not one of the options.") % {"value": role}
            ]
        if contact_id in ids:
            errors[f"contacts.{index}.contact_id"] = [_("This contact is listed twice.")]
        ids.append(contact_id)
        roles.append(str(role))
    if errors:
        return None
    try:
        contacts = policy.require_visible_many(actor, Contact, ids, field="contacts")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
    return list(zip(contacts, roles, strict=True))


def _contacts_state(deal: Deal) -> list[list[Any]]:
    return [
        [contact_id, role]
        for contact_id, role in DealContact.objects.filter(deal=deal)
        .order_by("contact_id")
        .values_list("contact_id", "role")
    ]


def _write_contacts(deal: Deal, contacts: list[tuple[Contact, str]], actor: Any) -> None:
    before = _contacts_state(deal)
    DealContact.objects.filter(deal=deal).delete()
    DealContact.objects.bulk_create(
        [DealContact(deal=deal, contact=contact, role=role) for contact, role in contacts]
    )
    after = _contacts_state(deal)
    if before != after:
        audit.record(
            deal,
            "custom",
            actor,
            action="deal.contacts_changed",
            changes={"contacts": [before, after]},
        )


def _check_money(data: Mapping[str, Any], errors: Errors) -> None:
    if "currency" in data:
        code = data["currency"]
        if not currency.is_currency_code(code):
            errors["currency"] = [_("Enter a three-letter currency code, e.g. EUR.")]


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(data)
    if isinstance(result.get("currency"), str):
        result["currency"] = result["currency"].strip().upper()
    return result


def _record_stage_change(
    deal: Deal,
    from_stage_id: int | None,
    to_stage: Stage,
    actor: Any,
    at: dt.datetime,
    entered_at: dt.datetime | None,
) -> StageChange:
    duration = None
    if from_stage_id is not None and entered_at is not None:
        duration = max(0, int((at - entered_at).total_seconds()))
    return StageChange.objects.create(
        deal=deal,
        pipeline_id=to_stage.pipeline_id,
        from_stage_id=from_stage_id,
        to_stage=to_stage,
        at=at,
        actor_id=_actor_id(actor),
        duration_seconds=duration,
    )


# -- create / update / delete ------------------------------------------------------------


def deal_create(*, actor: Any, data: Mapping[str, Any]) -> Deal:
    """Create a deal in an open stage (default: the first open stage of the pipeline;
    pipeline default: the actor's default pipeline). ``contacts`` is a list of
    ``{"contact_id", "role"}``. Records the first stage change (from nothing)."""
    data = _normalise(data)
    errors: Errors = {}
    pipeline: Pipeline | None = None
    stage: Stage | None = None
    try:
        if data.get("pipeline_id") is not None:
            pipeline = resolve_pipeline(actor, data["pipeline_id"])
        else:
            pipeline = default_pipeline(actor)
            if pipeline is None:
                errors["pipeline_id"] = [_("There is no pipeline you may use.")]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if pipeline is not None:
        try:
            if data.get("stage_id") is not None:
                stage = resolve_stage(pipeline, data["stage_id"])
                if stage.kind != StageKind.OPEN:
                    errors["stage_id"] = [
                        _("A new deal starts in an open stage; mark it won or lost afterwards.")
                    ]
            else:
                stage = first_stage(pipeline)
                if stage is None:
                    errors["stage_id"] = [_("The pipeline has no open stage.")]
        except ValidationError as exc:
            errors.update(exc.message_dict)
    contacts = _clean_contacts(actor, data.get("contacts"), errors)
    _check_money(data, errors)
    fields = {k: v for k, v in data.items() if k not in {"pipeline_id", "stage_id", "contacts"}}
    fields.setdefault("currency", currency.base_currency())
    if errors:
        if not policy.can(actor, "create", Deal):
            raise PermissionDenied(_("You are not allowed to create this kind of record."))
        raise ValidationError(errors)
    assert pipeline is not None
    assert stage is not None
    now = timezone.now()
    with transaction.atomic():
        deal = core_services.create_record(
            Deal,
            actor,
            fields,
            allowed=DEAL_FIELDS,
            defaults={
                "pipeline": pipeline,
                "stage": stage,
                "status": StageKind.OPEN,
                "stage_entered_at": now,
            },
        )
        _record_stage_change(deal, None, stage, actor, now, None)
        if contacts:
            _write_contacts(deal, contacts, actor)
    return deal


def deal_update(*, deal: Deal, actor: Any, changes: Mapping[str, Any]) -> Deal:
    """Change fields of a deal. ``contacts`` replaces the contact list. ``pipeline_id`` /
    ``stage_id`` move the deal to an open stage (of the new pipeline); won and lost go
    through :func:`deal_mark_won` / :func:`deal_mark_lost`."""
    policy.require(actor, "edit", deal)
    changes = _normalise(changes)
    errors: Errors = {}
    target_stage: Stage | None = None
    if "pipeline_id" in changes or "stage_id" in changes:
        try:
            pipeline = (
                resolve_pipeline(actor, changes["pipeline_id"])
                if "pipeline_id" in changes and changes["pipeline_id"] != deal.pipeline_id
                else deal.pipeline
            )
            if changes.get("stage_id") is not None:
                target_stage = resolve_stage(pipeline, changes["stage_id"])
            elif pipeline.pk != deal.pipeline_id:
                target_stage = first_stage(pipeline)
                if target_stage is None:
                    errors["stage_id"] = [_("The pipeline has no open stage.")]
            if target_stage is not None and target_stage.kind != StageKind.OPEN:
                if target_stage.pk != deal.stage_id:
                    errors["stage_id"] = [_("Mark the deal won or lost to move it there.")]
                target_stage = None
        except ValidationError as exc:
            errors.update(exc.message_dict)
    contacts = _clean_contacts(actor, changes.get("contacts"), errors)
    _check_money(changes, errors)
    if errors:
        raise ValidationError(errors)
    fields = {k: v for k, v in changes.items() if k not in {"pipeline_id", "stage_id", "contacts"}}
    with transaction.atomic():
        if fields:
            deal = core_services.update_fields(deal, actor, fields, allowed=DEAL_FIELDS)
        if target_stage is not None and target_stage.pk != deal.stage_id:
            deal = _move(deal=deal, stage=target_stage, actor=actor)
        if contacts is not None:
            _write_contacts(deal, contacts, actor)
            Deal.objects.filter(pk=deal.pk).update(updated_at=timezone.now())
            deal.refresh_from_db()
    return deal


def deal_delete(*, deal: Deal, actor: Any) -> None:
    core_services.delete_record(deal, actor)


# -- stage moves ---------------------------------------------------------------------------


def _lifecycle_to_customer(deal: Deal, actor: Any) -> None:
    """Won: the deal's contacts (and the contacts of its company that are on the deal)
    become customers through the contacts service. Contacts the actor may not edit, and
    ones already customer or evangelist, are left alone."""
    from accord.contacts.services import contact_set_lifecycle_stage

    keep = {LifecycleStage.CUSTOMER, LifecycleStage.EVANGELIST}
    for contact in Contact.objects.filter(deal_roles__deal=deal).order_by("pk"):
        if contact.lifecycle_stage in keep or not policy.can(actor, "edit", contact):
            continue
        contact_set_lifecycle_stage(contact=contact, stage=LifecycleStage.CUSTOMER, actor=actor)


def _move(
    *,
    deal: Deal,
    stage: Stage,
    actor: Any,
    amount: Decimal | None = None,
    lost_reason: LostReason | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Deal:
    """The one stage-move path (locks the row; the caller checked ``edit`` and inputs)."""
    now = at or timezone.now()
    with transaction.atomic():
        deal = Deal.objects.select_for_update().get(pk=deal.pk)
        policy.require(actor, "edit", deal)
        if deal.stage_id == stage.pk:
            return deal
        before = audit.snapshot(deal)
        old_stage_id = deal.stage_id
        old_status = deal.status
        entered_at = deal.stage_entered_at
        deal.pipeline_id = stage.pipeline_id
        deal.stage = stage
        deal.status = stage.kind
        deal.stage_entered_at = now
        if stage.kind == StageKind.WON:
            deal.won_at = now
            deal.lost_at = None
            deal.lost_reason = None
            deal.lost_note = ""
            deal.closed_amount = amount if amount is not None else deal.amount
            deal.forecast_category = ForecastCategory.CLOSED
        elif stage.kind == StageKind.LOST:
            deal.lost_at = now
            deal.won_at = None
            deal.lost_reason = lost_reason
            deal.lost_note = note
            deal.closed_amount = None
            deal.forecast_category = ForecastCategory.OMITTED
        else:
            deal.won_at = None
            deal.lost_at = None
            deal.lost_reason = None
            deal.lost_note = ""
            deal.closed_amount = None
            if old_status != StageKind.OPEN:
                deal.forecast_category = ForecastCategory.PIPELINE
        deal.save()
        _record_stage_change(deal, old_stage_id, stage, actor, now, entered_at)
        audit.record_update(deal, actor, before)
        events.emit(DealStageChanged(deal.pk, old_stage_id, stage.pk, _actor_id(actor)))
        if stage.kind == StageKind.WON:
            events.emit(DealWon(deal.pk, _actor_id(actor)))
            _lifecycle_to_customer(deal, actor)
        elif stage.kind == StageKind.LOST:
            events.emit(DealLost(deal.pk, deal.lost_reason_id, _actor_id(actor)))
        elif old_status != StageKind.OPEN:
            events.emit(DealReopened(deal.pk, stage.pk, _actor_id(actor)))
    return deal


def _clean_amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise decimal.InvalidOperation
    except (decimal.InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if amount < 0:
        raise ValidationError({field: [_("Enter an amount of 0 or more.")]})
    if amount.as_tuple().exponent < -2 or amount.adjusted() >= 16:  # type: ignore[operator]
        raise ValidationError({field: [_("Enter at most 16 digits and 2 decimal places.")]})
    return amount


def deal_move_to_stage(
    *,
    deal: Deal,
    stage: Stage,
    actor: Any,
    amount: Decimal | None = None,
    lost_reason: LostReason | int | None = None,
    note: str = "",
) -> Deal:
    """Move ``deal`` to ``stage`` of its pipeline and record the change. A won stage needs
    the final ``amount`` (error keyed ``amount``), a lost stage a ``lost_reason`` (keyed
    ``lost_reason_id``). Moving to the stage the deal is in changes nothing."""
    policy.require(actor, "edit", deal)
    if stage.pipeline_id != deal.pipeline_id or stage.archived:
        raise ValidationError({"stage_id": [_("Choose a stage of the deal's pipeline.")]})
    errors: Errors = {}
    reason: LostReason | None = None
    final: Decimal | None = None
    if stage.kind == StageKind.WON and stage.pk != deal.stage_id:
        if amount is None or amount == "":
            errors["amount"] = [_("Enter the final amount.")]
        else:
            try:
                final = _clean_amount(amount)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if stage.kind == StageKind.LOST and stage.pk != deal.stage_id:
        if lost_reason is None or lost_reason == "":
            errors["lost_reason_id"] = [_("Choose why the deal was lost.")]
        else:
            try:
                reason = resolve_lost_reason(lost_reason)
            except ValidationError as exc:
                errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return _move(deal=deal, stage=stage, actor=actor, amount=final, lost_reason=reason, note=note)


def _close_stage(deal: Deal, stage: Stage | None, kind: str) -> Stage:
    if stage is None:
        found = first_stage(deal.pipeline, kind)
        if found is None:
            raise ValidationError(
                {"stage_id": [_("The deal's pipeline has no stage of this kind.")]}
            )
        return found
    if stage.pipeline_id != deal.pipeline_id or stage.kind != kind or stage.archived:
        raise ValidationError({"stage_id": [_("Choose a stage of the deal's pipeline.")]})
    return stage


def deal_mark_won(
    *, deal: Deal, actor: Any, amount: Decimal | None = None, stage: Stage | None = None
) -> Deal:
    """Won (final ``amount``; default: the deal's amount). Contacts on the deal become
    customers. ``stage``: a won stage of the pipeline (default: the first)."""
    policy.require(actor, "edit", deal)
    if deal.status == StageKind.WON:
        raise ValidationError({"stage_id": [_("The deal is already won.")]})
    target = _close_stage(deal, stage, StageKind.WON)
    return deal_move_to_stage(
        deal=deal, stage=target, actor=actor, amount=deal.amount if amount is None else amount
    )


def deal_mark_lost(
    *,
    deal: Deal,
    actor: Any,
    reason: LostReason | int | None = None,
    lost_reason: LostReason | int | None = None,
    note: str = "",
    stage: Stage | None = None,
) -> Deal:
    """Lost, for a ``reason`` from the managed list (``lost_reason`` is an alias), with an
    optional ``note``."""
    policy.require(actor, "edit", deal)
    if deal.status == StageKind.LOST:
        raise ValidationError({"stage_id": [_("The deal is already lost.")]})
    target = _close_stage(deal, stage, StageKind.LOST)
    return deal_move_to_stage(
        deal=deal,
        stage=target,
        actor=actor,
        lost_reason=reason if reason is not None else lost_reason,
        note=note or "",
    )


def deal_reopen(*, deal: Deal, actor: Any, stage: Stage | None = None) -> Deal:
    """Undo won or lost: back to ``stage`` (an open stage of the pipeline), by default the
    stage the deal was in before it was closed. Lifecycle stages of contacts stay."""
    policy.require(actor, "edit", deal)
    if deal.status == StageKind.OPEN:
        raise ValidationError({"stage_id": [_("The deal is open.")]})
    if stage is None:
        previous = (
            StageChange.objects.filter(deal=deal, to_stage_id=deal.stage_id)
            .order_by("-at", "-id")
            .values_list("from_stage_id", flat=True)
            .first()
        )
        candidate = (
            Stage.objects.filter(
                pk=previous, pipeline_id=deal.pipeline_id, kind=StageKind.OPEN, archived=False
            ).first()
            if previous
            else None
        )
        stage = candidate or first_stage(deal.pipeline)
        if stage is None:
            raise ValidationError({"stage_id": [_("The pipeline has no open stage.")]})
    elif stage.pipeline_id != deal.pipeline_id or stage.kind != StageKind.OPEN or stage.archived:
        raise ValidationError({"stage_id": [_("Choose an open stage of the deal's pipeline.")]})
    return _move(deal=deal, stage=stage, actor=actor)


def deal_touch_activity(*, deal: Deal, at: dt.datetime | None = None) -> None:
    """Record that something happened on the deal (activities call this later)."""
    Deal.objects.filter(pk=deal.pk).update(last_activity_at=at or timezone.now())


# -- leads -----------------------------------------------------------------------------------


def lead_convert_to_deal(
    *,
    contact: Contact,
    actor: Any,
    pipeline: Pipeline | None = None,
    data: Mapping[str, Any] | None = None,
    role: str = DealContactRole.DECISION_MAKER,
) -> Deal:
    """Turn a lead into a deal: a deal with the contact (``role``) and the contact's company,
    and the contact's lifecycle stage moves to "opportunity" (unless already further)."""
    from accord.contacts.services import contact_set_lifecycle_stage

    policy.require(actor, "view", contact)
    values = dict(data or {})
    if pipeline is not None:
        values["pipeline_id"] = pipeline.pk
    values.setdefault("name", str(contact) or _("New deal"))
    if (
        contact.company_id is not None
        and "company_id" not in values
        and policy.scope(actor, Company.objects.filter(pk=contact.company_id)).exists()
    ):
        values["company_id"] = contact.company_id
    values["contacts"] = [{"contact_id": contact.pk, "role": role}]
    with transaction.atomic():
        deal = deal_create(actor=actor, data=values)
        beyond = {
            LifecycleStage.OPPORTUNITY,
            LifecycleStage.CUSTOMER,
            LifecycleStage.EVANGELIST,
        }
        if contact.lifecycle_stage not in beyond:
            contact_set_lifecycle_stage(
                contact=contact, stage=LifecycleStage.OPPORTUNITY, actor=actor
            )
    return deal


# -- bulk -----------------------------------------------------------------------------------


def deal_bulk_assign_owner(
    *, queryset: QuerySet[Deal], actor: Any, owner_id: int, batch: str = ""
) -> int:
    from accord.accounts.models import User

    if not User.objects.filter(pk=owner_id, is_active=True).exists():
        raise ValidationError({"owner_id": [_(NO_SUCH_RECORD)]})
    return core_services.bulk_update_fields(
        queryset, actor, {"owner_id": owner_id}, allowed={"owner_id"}, batch=batch
    )


def deal_bulk_move_stage(
    *, queryset: QuerySet[Deal], actor: Any, stage: Stage, batch: str = ""
) -> int:
    """Move every selected deal the actor may edit to an open ``stage``; all deals must be
    in the stage's pipeline (else nothing moves; errors keyed ``records.<pk>.stage_id``)."""
    policy.require_capability(actor, "bulk_update")
    if stage.kind != StageKind.OPEN or stage.archived:
        raise ValidationError({"stage_id": [_("Choose an open stage.")]})
    editable = policy.scope(actor, policy.scope(actor, queryset, "view"), "edit")
    batch_id = batch or f"bulk:{uuid.uuid4().hex}"
    moved = 0
    with transaction.atomic(), audit.batch(batch_id):
        rows = list(editable.order_by("pk").values_list("pk", "pipeline_id", "stage_id"))
        errors = {
            f"records.{pk}.stage_id": [_("Choose a stage of the deal's pipeline.")]
            for pk, pipeline_id, _stage in rows
            if pipeline_id != stage.pipeline_id
        }
        if errors:
            raise ValidationError(errors)
        for pk, _pipeline, stage_id in rows:
            if stage_id == stage.pk:
                continue
            _move(deal=Deal(pk=pk), stage=stage, actor=actor)
            moved += 1
    return moved


def deal_bulk_delete(*, queryset: QuerySet[Deal], actor: Any, batch: str = "") -> int:
    """Delete the selected deals the actor may delete (one audit entry each)."""
    policy.require_capability(actor, "bulk_update")
    deletable = policy.scope(actor, policy.scope(actor, queryset, "view"), "delete")
    batch_id = batch or f"bulk:{uuid.uuid4().hex}"
    with transaction.atomic(), audit.batch(batch_id):
        deals = list(deletable.select_for_update().order_by("pk"))
        audit.record_bulk(audit.build_delete(deal, actor) for deal in deals)
        pks = [deal.pk for deal in deals]
        Deal.objects.filter(pk__in=pks).delete()
        for pk in pks:
            events.emit(events.RecordDeleted(OBJECT_TYPE, pk, _actor_id(actor)))
    return len(pks)


# -- bulk create with history (imports, demo data) --------------------------------------------


def deal_bulk_create(
    *,
    rows: Iterable[Mapping[str, Any]],
    actor: Any,
    batch: str = "",
) -> list[Deal]:
    """Create many deals with their past: each row has the deal fields (``pipeline_id``
    required, ``owner_id``/``team_id`` within the actor's edit scope), ``created_at``
    (optional, default now) and ``history``: ``[(stage_id, at), ...]`` in time order (the
    first entry is the stage the deal was created in, the last its current stage). Won rows
    may give ``closed_amount``; lost rows ``lost_reason_id``. One audit entry per deal under
    one batch; all or nothing, errors keyed ``rows.<i>.<field>``."""
    if not policy.can(actor, "create", Deal):
        raise PermissionDenied(_("You are not allowed to create this kind of record."))
    batch_id = batch or f"bulk:{uuid.uuid4().hex}"
    now = timezone.now()
    stages = {s.pk: s for s in Stage.objects.all()}
    usable = set(pipelines_usable(actor).values_list("pk", flat=True))
    reasons = set(LostReason.objects.values_list("pk", flat=True))
    definitions = list(customfields.definitions_for(OBJECT_TYPE))
    prepared: list[tuple[Deal, list[tuple[Stage, dt.datetime]], list[tuple[int, str]]]] = []
    errors: Errors = {}
    for index, raw in enumerate(rows):
        row = _normalise(raw)
        prefix = f"rows.{index}."
        row_errors: Errors = {}
        raw_history = [(stages.get(sid), at) for sid, at in row.get("history") or []]
        history: list[tuple[Stage, dt.datetime]] = [
            (stage, at) for stage, at in raw_history if stage is not None
        ]
        pipeline_id = row.get("pipeline_id")
        if pipeline_id not in usable:
            row_errors["pipeline_id"] = [_(NO_SUCH_RECORD)]
        if (
            not history
            or len(history) != len(raw_history)
            or any(stage.pipeline_id != pipeline_id for stage, _at in history)
            or any(b[1] < a[1] for a, b in itertools.pairwise(history))
        ):
            row_errors["history"] = [_("Give the stages of the deal's pipeline in time order.")]
        deal = Deal(
            name=row.get("name", ""),
            pipeline_id=int(pipeline_id or 0),
            amount=row.get("amount", Decimal(0)),
            currency=row.get("currency") or currency.base_currency(),
            expected_close_date=row.get("expected_close_date"),
            company_id=row.get("company_id"),
            source=row.get("source", ""),
            next_step=row.get("next_step", ""),
            next_step_due_date=row.get("next_step_due_date"),
            kind=row.get("kind", "sale"),
            forecast_category=row.get("forecast_category", ForecastCategory.PIPELINE),
            description=row.get("description", ""),
            owner_id=row.get("owner_id", _actor_id(actor)),
            team_id=row.get("team_id"),
            last_activity_at=row.get("last_activity_at"),
        )
        try:
            deal.custom = customfields.clean_values(
                OBJECT_TYPE, row.get("custom") or {}, None, definitions=definitions
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                row_errors[f"custom.{name}"] = messages
        if not row_errors:
            last_stage, last_at = history[-1]
            deal.stage = last_stage
            deal.status = last_stage.kind
            deal.stage_entered_at = last_at
            if last_stage.kind == StageKind.WON:
                deal.won_at = last_at
                deal.closed_amount = row.get("closed_amount", deal.amount)
                deal.forecast_category = ForecastCategory.CLOSED
            elif last_stage.kind == StageKind.LOST:
                deal.lost_at = last_at
                reason = row.get("lost_reason_id")
                if reason not in reasons:
                    row_errors["lost_reason_id"] = [_("Choose a reason from the list.")]
                deal.lost_reason_id = reason
                deal.lost_note = row.get("lost_note", "")
                deal.forecast_category = ForecastCategory.OMITTED
            if (
                deal.company_id is not None
                and not policy.scope(actor, Company.objects.filter(pk=deal.company_id)).exists()
            ):
                row_errors["company_id"] = [_(NO_SUCH_RECORD)]
            try:
                deal.full_clean(exclude={"custom", "pipeline", "stage"})
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    key = f"{name}_id" if name in {"owner", "team", "company"} else name
                    row_errors[key] = messages
            if not row_errors and not policy.can(actor, "create", deal):
                row_errors["owner_id"] = [_("You may not create deals for this owner or team.")]
        contacts = [
            (int(c["contact_id"]), str(c.get("role") or DealContactRole.OTHER))
            for c in row.get("contacts") or []
        ]
        for name, messages in row_errors.items():
            errors[prefix + name] = messages
        first_at = history[0][1] if history else now
        deal._created_at = row.get("created_at") or first_at  # type: ignore[attr-defined]
        prepared.append((deal, history, contacts))
    if errors:
        raise ValidationError(errors)
    created: list[Deal] = []
    with transaction.atomic(), audit.batch(batch_id):
        for start in range(0, len(prepared), 500):
            chunk = prepared[start : start + 500]
            deals = Deal.objects.bulk_create([deal for deal, _h, _c in chunk])
            created_at_updates = []
            changes: list[StageChange] = []
            links: list[DealContact] = []
            for deal, history, contacts in chunk:
                deal.created_at = deal._created_at  # type: ignore[attr-defined]
                created_at_updates.append(deal)
                previous: tuple[Stage, dt.datetime] | None = None
                for stage, at in history:
                    changes.append(
                        StageChange(
                            deal=deal,
                            pipeline_id=stage.pipeline_id,
                            from_stage=previous[0] if previous else None,
                            to_stage=stage,
                            at=at,
                            actor_id=_actor_id(actor),
                            duration_seconds=(
                                int((at - previous[1]).total_seconds()) if previous else None
                            ),
                        )
                    )
                    previous = (stage, at)
                links.extend(
                    DealContact(deal=deal, contact_id=contact_id, role=role)
                    for contact_id, role in contacts
                )
            Deal.objects.bulk_update(created_at_updates, ["created_at"])
            StageChange.objects.bulk_create(changes)
            DealContact.objects.bulk_create(links)
            audit.record_bulk(audit.build_create(deal, actor) for deal in deals)
            created.extend(deals)
            for deal in deals:
                events.emit(events.RecordCreated(OBJECT_TYPE, deal.pk, _actor_id(actor)))
    return created
