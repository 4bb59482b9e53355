"""Reading the audit trail: a record's history and the admin log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from accord.core.audit.models import AuditEntry


def content_type_for(object_type: str) -> ContentType:
    """``"contacts.contact"`` -> its ContentType (raises ContentType.DoesNotExist)."""
    app_label, _, model = object_type.partition(".")
    return ContentType.objects.get_by_natural_key(app_label, model.lower())


def history_for(obj: models.Model) -> QuerySet[AuditEntry]:
    """Every entry about ``obj``, newest first. The caller fetched ``obj`` through a scope."""
    return history_of(type(obj), obj.pk)


def history_of(model: type[models.Model], pk: Any) -> QuerySet[AuditEntry]:
    """Entries about the record ``pk`` of ``model``, which may have been deleted."""
    return (
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(model), target_id=str(pk)
        )
        .select_related("actor")
        .order_by("-at", "-id")
    )


def audit_entries(
    *,
    actor_id: int | None = None,
    origin: str | None = None,
    verb: str | None = None,
    object_type: str | None = None,
    target_id: str | None = None,
    batch: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """The admin audit log with its filters (each one indexed), newest first.

    The adapter checks the ``view_audit_log`` capability before calling this.
    """
    entries = AuditEntry.objects.select_related("actor", "target_type")
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if origin:
        entries = entries.filter(origin=origin)
    if verb:
        entries = entries.filter(verb=verb)
    if object_type:
        entries = entries.filter(target_type=content_type_for(object_type))
    if target_id is not None:
        entries = entries.filter(target_id=str(target_id))
    if batch:
        entries = entries.filter(batch=batch)
    if since is not None:
        entries = entries.filter(at__gte=since)
    if until is not None:
        entries = entries.filter(at__lt=until)
    return entries.order_by("-at", "-id")
