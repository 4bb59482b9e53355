"""``{% history_panel obj %}``: the audit history of a record, newest first.

The caller fetched ``obj`` through its scope (principle 2). People with ``view_audit_log``
also get a link to the record's full history in the audit log.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from accord.core import audit, policy

register = template.Library()

DEFAULT_LIMIT = 20


@register.inclusion_tag("accounts/includes/history.html", takes_context=True)
def history_panel(context: Any, obj: models.Model, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    entries = list(audit.history_for(obj)[: limit + 1])
    request = context.get("request")
    user = getattr(request, "user", None)
    audit_url = ""
    if user is not None and policy.has_capability(user, "view_audit_log"):
        try:
            audit_url = (
                reverse("settings:audit_list")
                + "?"
                + urlencode({"object_type": obj._meta.label_lower, "target_id": str(obj.pk)})
            )
        except NoReverseMatch:
            audit_url = ""
    return {
        "entries": entries[:limit],
        "has_more": len(entries) > limit,
        "audit_url": audit_url,
        "panel_id": f"{obj._meta.label_lower.replace('.', '-')}-{obj.pk}",
    }
