"""Retention and privacy: purging old entries and anonymising an erased record's history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from accord.core.audit.models import AuditEntry

ERASED = "[erased]"


def purge_expired(
    *, days: int | None = None, now: dt.datetime | None = None, chunk_size: int = 5000
) -> int:
    """Delete entries older than ``ACCORD_AUDIT_RETENTION_DAYS`` (0 keeps everything).

    Deletes in chunks so a large purge never holds one long transaction; safe to run twice.
    Meant to be scheduled as a periodic job. Returns the number of entries deleted.
    """
    keep_days = settings.ACCORD_AUDIT_RETENTION_DAYS if days is None else days
    if keep_days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep_days)
    deleted = 0
    while True:
        ids = list(
            AuditEntry.objects.filter(at__lt=cutoff)
            .order_by("id")
            .values_list("id", flat=True)[:chunk_size]
        )
        if not ids:
            return deleted
        with transaction.atomic():
            count, _ = AuditEntry.objects.filter(id__in=ids).delete()
        deleted += count


def _mask(value: Any) -> Any:
    return value if value is None or value == "" else ERASED


def anonymise_target(
    model: type[models.Model], pk: Any, *, keep_fields: frozenset[str] = frozenset()
) -> int:
    """Privacy hook for erasure: blank the personal data in every entry about one record.

    Keeps who changed the record, when, how and which fields (so the trail still shows that
    something happened) but replaces the values, the record's label and the detail with
    ``"[erased]"``. Fields in ``keep_fields`` (e.g. ``{"owner_id", "team_id"}``) keep their
    values. Call it inside the erasure service's transaction. Returns the number of entries.
    """
    entries = list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id=str(pk)
        ).only("id", "changes", "detail", "target_repr")
    )
    for entry in entries:
        entry.target_repr = ERASED
        entry.changes = {
            name: values if name in keep_fields else [_mask(v) for v in values]
            for name, values in (entry.changes or {}).items()
        }
        entry.detail = {"erased": True} if entry.detail else {}
    AuditEntry.objects.bulk_update(entries, ["target_repr", "changes", "detail"], batch_size=1000)
    return len(entries)
