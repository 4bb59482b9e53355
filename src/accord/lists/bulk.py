"""Bulk actions of a list: what the selected rows (or every row matching the filters) can
have done to them. Each action calls the domain's bulk service; the framework renders the
confirmation page (with the action's form), scopes the selection and reports the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.http import HttpResponse

# run(queryset, actor, cleaned_data) -> number of records changed
BulkRun = Callable[[models.QuerySet[Any], Any, dict[str, Any]], int]
# form(user, data) -> the options form (None: no options)
BulkForm = Callable[[Any, Any], forms.Form]
# respond(queryset, actor) -> a download (e.g. vCards of the selection), no confirmation
BulkRespond = Callable[[models.QuerySet[Any], Any], HttpResponse]


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: str
    run: BulkRun | None = None
    form: BulkForm | None = None
    capability: str = "bulk_update"  # "" = none needed (the service still checks policy)
    danger: bool = False
    icon: str = "check"
    # "%(count)s" is replaced; shown on the confirmation page and after the action
    confirm_text: str = ""
    done_text: str = ""
    respond: BulkRespond | None = None
