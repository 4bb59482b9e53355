"""Bulk actions of the contact and company lists (assign owner, stage, tags, delete).

Each needs the ``bulk_update`` capability, acts only on the records of ``queryset`` inside
the actor's edit (or delete) scope, writes one audit entry per changed record under one
batch id, and refreshes the search index in the same transaction. ``queryset`` is whatever
the list selected (already scoped for viewing by the caller; scoped again here).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext

from accord.contacts import search
from accord.contacts.events import ContactLifecycleStageChanged
from accord.contacts.models import Company, Contact, LifecycleStage, LifecycleStageChange
from accord.contacts.services import children
from accord.core import audit, events, policy
from accord.core import services as core_services

CHUNK = 500


def _batch(batch: str) -> str:
    return batch or f"bulk:{uuid.uuid4().hex}"


def _editable_pks(actor: Any, queryset: QuerySet[Any], action: str = "edit") -> list[int]:
    scoped = policy.scope(actor, policy.scope(actor, queryset, "view"), action)
    return list(scoped.order_by("pk").values_list("pk", flat=True))


def _reindex(model: type[models.Model], pks: Sequence[int]) -> None:
    if model is Contact:
        search.index_contacts(pks)
    else:
        search.index_companies(pks)


def _object_type(model: type[models.Model]) -> str:
    return policy.object_type_of(model)


def bulk_assign_owner[M: (Contact, Company)](
    *,
    queryset: QuerySet[M],
    actor: Any,
    owner_id: int | None,
    team_id: int | None = None,
    set_team: bool = False,
    batch: str = "",
) -> int:
    """Give the records a new owner (and team, when ``set_team``); returns how many changed."""
    changes: dict[str, Any] = {"owner_id": owner_id}
    if set_team:
        changes["team_id"] = team_id
    policy.require_capability(actor, "bulk_update")
    pks = _editable_pks(actor, queryset)
    with transaction.atomic():
        count = core_services.bulk_update_fields(
            queryset.model._default_manager.filter(pk__in=pks),
            actor,
            changes,
            allowed={"owner_id", "team_id"},
            batch=_batch(batch),
        )
        _reindex(queryset.model, pks)
    return count


contact_bulk_assign_owner = bulk_assign_owner
company_bulk_assign_owner = bulk_assign_owner


def contact_bulk_set_stage(
    *, queryset: QuerySet[Contact], actor: Any, stage: str, batch: str = ""
) -> int:
    """Move contacts to a lifecycle stage; each change is recorded with its date."""
    if stage not in LifecycleStage.values:
        raise ValidationError({"lifecycle_stage": [gettext("Not a valid choice.")]})
    policy.require_capability(actor, "bulk_update")
    now = timezone.now()
    pks = _editable_pks(actor, queryset.exclude(lifecycle_stage=stage))
    batch_id = _batch(batch)
    actor_ref = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic(), audit.batch(batch_id):
        stages_before = dict(
            Contact.objects.filter(pk__in=pks).values_list("pk", "lifecycle_stage")
        )
        count = core_services.bulk_update_fields(
            Contact.objects.filter(pk__in=pks),
            actor,
            {"lifecycle_stage": stage, "lifecycle_stage_at": now},
            allowed={"lifecycle_stage", "lifecycle_stage_at"},
            batch=batch_id,
        )
        LifecycleStageChange.objects.bulk_create(
            [
                LifecycleStageChange(
                    contact_id=pk,
                    from_stage=stages_before.get(pk, ""),
                    stage=stage,
                    reached_at=now,
                    actor=actor_ref,
                )
                for pk in pks
            ],
            batch_size=1000,
        )
        for pk in pks:
            events.emit(
                ContactLifecycleStageChanged(
                    pk, stages_before.get(pk, ""), stage, getattr(actor_ref, "pk", None)
                )
            )
    return count


def _bulk_tags[M: (Contact, Company)](
    queryset: QuerySet[M], actor: Any, names: Sequence[str], *, add: bool, batch: str
) -> int:
    errors: dict[str, list[str]] = {}
    clean = children.clean_tag_names(list(names), errors)
    if errors:
        raise ValidationError(errors)
    if not clean:
        raise ValidationError({"tags": [gettext("Give at least one tag.")]})
    policy.require_capability(actor, "bulk_update")
    model = queryset.model
    pks = _editable_pks(actor, queryset)
    through = model.tags.through
    owner_column = f"{model._meta.model_name}_id"
    changed = 0
    with transaction.atomic(), audit.batch(_batch(batch)):
        if add:
            tags = children.tags_get_or_create(clean)
        else:
            from django.db.models.functions import Lower

            from accord.contacts.models import Tag

            lowered = [n.lower() for n in clean]
            tags = list(Tag.objects.annotate(lname=Lower("name")).filter(lname__in=lowered))
        tag_ids = {t.pk for t in tags}
        if not tag_ids:
            return 0
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            current: dict[int, dict[int, str]] = defaultdict(dict)
            for owner_pk, tag_id, tag_name in through.objects.filter(
                **{f"{owner_column}__in": chunk}
            ).values_list(owner_column, "tag_id", "tag__name"):
                current[owner_pk][tag_id] = tag_name
            objs = {o.pk: o for o in model._default_manager.filter(pk__in=chunk)}
            entries: list[Any] = []
            links: list[Any] = []
            removed_pks: list[int] = []
            for pk in chunk:
                before: dict[int, str] = current.get(pk, {})
                if add:
                    missing: list[Any] = [t for t in tags if t.pk not in before]
                    if not missing:
                        continue
                    links.extend(through(**{owner_column: pk, "tag_id": t.pk}) for t in missing)
                    after = sorted([*before.values(), *(t.name for t in missing)], key=str.lower)
                else:
                    if not tag_ids & set(before):
                        continue
                    removed_pks.append(pk)
                    after = sorted(
                        (n for i, n in before.items() if i not in tag_ids), key=str.lower
                    )
                old = sorted(before.values(), key=str.lower)
                obj = objs[pk]
                entries.append(
                    audit.build_update(
                        obj, actor, audit.snapshot(obj), extra={"tags": [old, after]}
                    )
                )
                changed += 1
            if links:
                through.objects.bulk_create(links, ignore_conflicts=True)
            if removed_pks:
                through.objects.filter(
                    **{f"{owner_column}__in": removed_pks, "tag_id__in": tag_ids}
                ).delete()
            audit.record_bulk(entries)
            touched = [int(e.target_id) for e in entries]
            if touched:  # the record changed: a new ETag, and lists sorted by "updated" see it
                model._default_manager.filter(pk__in=touched).update(updated_at=timezone.now())
    return changed


def contact_bulk_tag_add(
    *, queryset: QuerySet[Contact], actor: Any, tags: Sequence[str], batch: str = ""
) -> int:
    return _bulk_tags(queryset, actor, tags, add=True, batch=batch)


def contact_bulk_tag_remove(
    *, queryset: QuerySet[Contact], actor: Any, tags: Sequence[str], batch: str = ""
) -> int:
    return _bulk_tags(queryset, actor, tags, add=False, batch=batch)


def company_bulk_tag_add(
    *, queryset: QuerySet[Company], actor: Any, tags: Sequence[str], batch: str = ""
) -> int:
    return _bulk_tags(queryset, actor, tags, add=True, batch=batch)


def company_bulk_tag_remove(
    *, queryset: QuerySet[Company], actor: Any, tags: Sequence[str], batch: str = ""
) -> int:
    return _bulk_tags(queryset, actor, tags, add=False, batch=batch)


def _bulk_delete[M: (Contact, Company)](queryset: QuerySet[M], actor: Any, batch: str) -> int:
    policy.require_capability(actor, "bulk_update")
    model = queryset.model
    pks = _editable_pks(actor, queryset, "delete")
    object_type = _object_type(model)
    affected_contacts: list[int] = []
    if model is Company:
        affected_contacts = list(
            Contact.objects.filter(company_id__in=pks).values_list("pk", flat=True)
        )
    try:
        with transaction.atomic(), audit.batch(_batch(batch)):
            for start in range(0, len(pks), CHUNK):
                chunk = pks[start : start + CHUNK]
                objs = list(model._default_manager.filter(pk__in=chunk))
                audit.record_bulk(audit.build_delete(o, actor) for o in objs)
                model._default_manager.filter(pk__in=chunk).delete()
                search.unindex(object_type, chunk)
            for pk in pks:
                events.emit(events.RecordDeleted(object_type, pk, getattr(actor, "pk", None)))
            if affected_contacts:
                search.index_contacts(affected_contacts)
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(
            gettext("Some of these records are still used by other records."), code="protected"
        ) from exc
    return len(pks)


def contact_bulk_delete(*, queryset: QuerySet[Contact], actor: Any, batch: str = "") -> int:
    """Delete the contacts the actor may delete; returns how many."""
    return _bulk_delete(queryset, actor, batch)


def company_bulk_delete(*, queryset: QuerySet[Company], actor: Any, batch: str = "") -> int:
    """Delete the companies the actor may delete (their contacts stay); returns how many."""
    return _bulk_delete(queryset, actor, batch)
