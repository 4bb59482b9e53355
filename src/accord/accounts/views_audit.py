"""The audit log (``view_audit_log``): filtered list with keyset pagination, CSV export,
one entry's field diff; and the "explain access" page (``manage_settings``)."""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accord.accounts.forms import AuditFilterForm, ExplainForm
from accord.accounts.views_settings import manage_settings, requires_capability
from accord.core import audit, policy
from accord.core.htmx import render_page_or_partial

PAGE_SIZE = 50
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

view_audit_log = requires_capability("view_audit_log")


def _encode_cursor(entry: audit.AuditEntry) -> str:
    raw = f"{entry.at.isoformat()}|{entry.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at_text, _sep, pk_text = base64.urlsafe_b64decode(padded).decode().partition("|")
        at = dt.datetime.fromisoformat(at_text)
        if timezone.is_naive(at):
            return None
        return at, int(pk_text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def _filtered(form: AuditFilterForm) -> QuerySet[audit.AuditEntry]:
    data = form.cleaned_data if form.is_valid() else {}
    tz = timezone.get_current_timezone()
    since = data.get("since")
    until = data.get("until")
    actor = data.get("actor")
    return audit.audit_entries(
        actor_id=actor.pk if actor else None,
        origin=data.get("origin") or None,
        verb=data.get("verb") or None,
        object_type=data.get("object_type") or None,
        target_id=data.get("target_id") or None,
        batch=data.get("batch") or None,
        since=dt.datetime.combine(since, dt.time.min, tzinfo=tz) if since else None,
        until=(
            dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            if until
            else None
        ),
    )


def _query_without_cursor(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("cursor", None)
    return params.urlencode()


@view_audit_log
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Newest first; ``?cursor=`` continues after the last entry of the previous page."""
    form = AuditFilterForm(request.GET or None)
    entries = _filtered(form)
    cursor = _decode_cursor(request.GET.get("cursor", ""))
    if cursor is not None:
        at, pk = cursor
        entries = entries.filter(Q(at__lt=at) | Q(at=at, pk__lt=pk))
    page = list(entries[: PAGE_SIZE + 1])
    next_cursor = _encode_cursor(page[PAGE_SIZE - 1]) if len(page) > PAGE_SIZE else ""
    context: dict[str, Any] = {
        "form": form,
        "entries": page[:PAGE_SIZE],
        "next_cursor": next_cursor,
        "query": _query_without_cursor(request),
        "is_continued": cursor is not None,
        "retention_days": settings.ACCORD_AUDIT_RETENTION_DAYS,
        "object_types": policy.object_types(),
    }
    return render_page_or_partial(request, "accounts/settings/audit_list.html", "rows", context)


def neutralise(value: Any) -> str:
    """A CSV cell that spreadsheets never run as a formula (``=``, ``+``, ``-``, ``@``)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


CSV_HEADER = [
    "at",
    "actor",
    "origin",
    "verb",
    "action",
    "record_type",
    "record_id",
    "record",
    "changes",
    "batch",
    "request_id",
]


def _csv_rows(entries: QuerySet[audit.AuditEntry]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                neutralise(entry.at.astimezone(dt.UTC).isoformat()),
                neutralise(entry.actor_label),
                neutralise(entry.origin),
                neutralise(entry.verb),
                neutralise(entry.action),
                neutralise(f"{entry.target_type.app_label}.{entry.target_type.model}"),
                neutralise(entry.target_id),
                neutralise(entry.target_repr),
                neutralise(json.dumps(entry.changes, ensure_ascii=False, sort_keys=True)),
                neutralise(entry.batch),
                neutralise(entry.request_id),
            ]
        )


@view_audit_log
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, streamed (no size limit, constant memory)."""
    form = AuditFilterForm(request.GET or None)
    entries = _filtered(form)
    response = StreamingHttpResponse(_csv_rows(entries), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="accord-audit-{stamp}.csv"'
    return response


@view_audit_log
@require_GET
def audit_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_object_or_404(
        audit.AuditEntry.objects.select_related("actor", "target_type"), pk=entry_id
    )
    changes = [
        {"field": name, "before": values[0], "after": values[1] if len(values) > 1 else None}
        for name, values in sorted((entry.changes or {}).items())
    ]
    object_type = f"{entry.target_type.app_label}.{entry.target_type.model}"
    return render(
        request,
        "accounts/settings/audit_detail.html",
        {
            "entry": entry,
            "changes": changes,
            "object_type": object_type,
            "detail_json": json.dumps(entry.detail, indent=2, ensure_ascii=False)
            if entry.detail
            else "",
        },
    )


# --- Explain access -------------------------------------------------------------------------


@manage_settings
@require_GET
def explain(request: HttpRequest) -> HttpResponse:
    """What a user may do with each record type, and why (``policy.explain``)."""
    form = ExplainForm(request.GET or None)
    explanations: list[dict[str, Any]] = []
    capabilities: tuple[policy.CapabilityExplanation, ...] = ()
    subject = None
    if form.is_bound and form.is_valid():
        subject = form.cleaned_data["user"]
        policy.forget(subject)
        wanted = form.cleaned_data.get("object_type") or ""
        types = [wanted] if wanted else list(policy.object_types())
        for object_type in types:
            model = policy.policy_for(object_type).model
            explanations.append(
                {
                    "object_type": object_type,
                    "label": str(model._meta.verbose_name_plural).capitalize(),
                    "explanation": policy.explain(subject, object_type),
                }
            )
        if explanations:
            capabilities = explanations[0]["explanation"].capabilities
    team_names: dict[int, str] = {}
    if subject is not None:
        team_names = dict(subject.teams.values_list("pk", "name"))
    return render(
        request,
        "accounts/settings/explain.html",
        {
            "form": form,
            "subject": subject,
            "explanations": explanations,
            "capabilities": capabilities,
            "team_names": team_names,
            "no_types": not policy.object_types(),
            "explain_title": _("Explain access"),
        },
    )
