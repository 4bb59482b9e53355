"""Writing audit entries. Call these inside the service's ``transaction.atomic()`` block."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import islice
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accord.core.audit.context import current
from accord.core.audit.models import AuditEntry, Verb

Snapshot = dict[str, Any]
Changes = dict[str, list[Any]]
CUSTOM_PREFIX = "custom."


def json_value(value: Any, field: models.Field[Any, Any] | None = None) -> Any:
    """``value`` in the JSON form the audit trail stores (stable, so equal values compare equal)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        places = getattr(field, "decimal_places", None)
        if isinstance(field, models.DecimalField) and places is not None and value.is_finite():
            value = value.quantize(Decimal(1).scaleb(-places))
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, models.Model):
        return json_value(value.pk)
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((json_value(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    if isinstance(value, bytes | memoryview):
        return f"<{len(value)} bytes>"
    return str(value)


def _audited_fields(model: type[models.Model]) -> Iterable[models.Field[Any, Any]]:
    exclude = set(getattr(model, "audit_exclude", ()))
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in exclude:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        yield field


def _has_custom_values(obj: models.Model) -> bool:
    from accord.core.models import CustomFieldsMixin

    return isinstance(obj, CustomFieldsMixin)


def snapshot(obj: models.Model) -> Snapshot:
    """The audited state of ``obj``: ``{column: json value}`` and ``custom.<key>`` per custom value.

    Primary key, ``auto_now`` timestamps and names listed in the model's ``audit_exclude``
    (e.g. a password hash) are left out. Take it before changing a record, pass it to
    :func:`record_update` after saving.
    """
    result: Snapshot = {}
    has_custom = _has_custom_values(obj)
    for field in _audited_fields(type(obj)):
        value = field.value_from_object(obj)
        if has_custom and field.name == "custom":
            for key, item in sorted((value or {}).items()):
                result[f"{CUSTOM_PREFIX}{key}"] = json_value(item)
            continue
        result[field.attname] = json_value(value, field)
    return result


def diff(before: Snapshot, after: Snapshot) -> Changes:
    """``{field: [before, after]}`` for every field whose value differs (missing counts as None)."""
    changes: Changes = {}
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old != new:
            changes[name] = [old, new]
    return changes


def actor_label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        context = current()
        return context.actor_label or context.origin
    return str(getattr(actor, "email", "") or actor)[:255]


def build_entry(
    target: models.Model,
    verb: str,
    actor: Any,
    changes: Mapping[str, list[Any]] | None = None,
    *,
    action: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """An unsaved entry about ``target`` with the current origin, batch and request id."""
    if verb not in Verb.values:
        raise ValueError(f"unknown audit verb {verb!r}")
    if target.pk is None:
        raise ValueError("audit entries need a saved record (record deletions before deleting)")
    context = current()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry(
        at=timezone.now(),
        actor=actor if authenticated else None,
        actor_label=actor_label(actor),
        origin=context.origin,
        verb=verb,
        action=action[:100],
        target_type=ContentType.objects.get_for_model(target),
        target_id=str(target.pk),
        target_repr=str(target)[:255],
        changes=dict(changes or {}),
        detail=json_value(dict(detail or {})),
        batch=context.batch,
        request_id=context.request_id,
    )


def build_create(obj: models.Model, actor: Any) -> AuditEntry:
    """Entry for a new record: every non-empty audited value as ``[None, value]``."""
    changes = {
        name: [None, value]
        for name, value in snapshot(obj).items()
        if value not in (None, "", [], {})
    }
    return build_entry(obj, Verb.CREATE, actor, changes)


def build_update(
    obj: models.Model, actor: Any, before: Snapshot, *, extra: Mapping[str, list[Any]] | None = None
) -> AuditEntry | None:
    """Entry for a changed record, or None when nothing audited changed.

    ``extra`` adds changes a snapshot cannot see (e.g. ``{"tag_ids": [[1], [1, 2]]}``).
    """
    changes = diff(before, snapshot(obj))
    if extra:
        changes.update({name: [json_value(a), json_value(b)] for name, (a, b) in extra.items()})
    if not changes:
        return None
    return build_entry(obj, Verb.UPDATE, actor, changes)


def build_delete(obj: models.Model, actor: Any) -> AuditEntry:
    """Entry for a record about to be deleted: its full audited state as ``[value, None]``."""
    changes = {
        name: [value, None]
        for name, value in snapshot(obj).items()
        if value not in (None, "", [], {})
    }
    return build_entry(obj, Verb.DELETE, actor, changes)


def record_create(obj: models.Model, actor: Any) -> AuditEntry:
    entry = build_create(obj, actor)
    entry.save()
    return entry


def record_update(
    obj: models.Model, actor: Any, before: Snapshot, *, extra: Mapping[str, list[Any]] | None = None
) -> AuditEntry | None:
    """Save an entry with the field diff since ``before``; returns None (and writes nothing) when
    nothing changed."""
    entry = build_update(obj, actor, before, extra=extra)
    if entry is not None:
        entry.save()
    return entry


def record_delete(obj: models.Model, actor: Any) -> AuditEntry:
    """Call *before* ``obj.delete()`` (Django clears the primary key on delete)."""
    entry = build_delete(obj, actor)
    entry.save()
    return entry


def record(
    obj: models.Model,
    verb: str,
    actor: Any,
    *,
    changes: Mapping[str, list[Any]] | None = None,
    action: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Any other verb: merge, restore, erase, or ``custom`` with an ``action`` name."""
    entry = build_entry(obj, verb, actor, changes, action=action, detail=detail)
    entry.save()
    return entry


def record_bulk(entries: Iterable[AuditEntry | None], *, batch_size: int = 1000) -> int:
    """Insert many entries with ``bulk_create`` in chunks (Nones are skipped); returns the count."""
    iterator = (entry for entry in entries if entry is not None)
    written = 0
    while chunk := list(islice(iterator, batch_size)):
        AuditEntry.objects.bulk_create(chunk, batch_size=batch_size)
        written += len(chunk)
    return written
