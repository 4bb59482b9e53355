"""Columns of a list: fixed ones declared by the app, plus one per custom field.

A :class:`Column` knows how to show a value in a cell (``html(obj)``, escaped by default)
and how to write it to CSV (``text(obj)``). ``sort`` names the sort key (see
``FilterSet.sorts``) that clicking its header applies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import is_aware, localtime
from django.utils.translation import gettext

from accord.core.customfields import CustomFieldDefinition, FieldType
from accord.lists.filters import CUSTOM_PREFIX


def plain(value: Any) -> str:
    """A value as CSV / display text: dates in ISO, booleans Yes/No, None as ""."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, dt.datetime):
        return (localtime(value) if is_aware(value) else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    return str(value)


def display(value: Any) -> str:
    """A value for a cell: dates in the user's format."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return date_format(localtime(value) if is_aware(value) else value, "SHORT_DATE_FORMAT")
    if isinstance(value, dt.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return plain(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable[[Any], Any]
    sort: str = ""
    default: bool = False
    always: bool = False  # cannot be hidden (the record's name)
    numeric: bool = False
    render: Callable[[Any], str] | None = None  # custom cell HTML (must escape itself)
    export: Callable[[Any], str] | None = None  # custom CSV text
    css: str = ""
    group: str = ""

    def html(self, obj: Any) -> SafeString:
        if self.render is not None:
            return mark_safe(self.render(obj))  # the renderer escapes
        text = display(self.value(obj))
        if not text:
            return format_html('<span class="cell-empty">{}</span>', "—")
        return SafeString(conditional_escape(text))

    def text(self, obj: Any) -> str:
        if self.export is not None:
            return self.export(obj)
        return plain(self.value(obj))


def _custom_value(definition: CustomFieldDefinition) -> Callable[[Any], Any]:
    key = definition.key
    labels = {str(o.get("value")): str(o.get("label")) for o in definition.options or []}

    def value(obj: Any) -> Any:
        raw = (getattr(obj, "custom", None) or {}).get(key)
        if raw is None:
            return None
        kind = definition.field_type
        if kind == FieldType.SINGLE_SELECT:
            return labels.get(str(raw), str(raw))
        if kind == FieldType.MULTI_SELECT and isinstance(raw, list):
            return ", ".join(labels.get(str(v), str(v)) for v in raw)
        if kind == FieldType.CURRENCY and isinstance(raw, dict):
            return f"{raw.get('amount', '')} {raw.get('currency', '')}".strip()
        if kind == FieldType.BOOLEAN:
            return bool(raw)
        if kind == FieldType.DATETIME and isinstance(raw, str):
            return raw.replace("T", " ").replace("Z", " UTC")
        return raw

    return value


def custom_columns(definitions: Sequence[CustomFieldDefinition]) -> list[Column]:
    columns = []
    for definition in definitions:
        if definition.archived_at is not None:
            continue
        numeric = definition.field_type in (
            FieldType.NUMBER,
            FieldType.DECIMAL,
            FieldType.CURRENCY,
        )
        columns.append(
            Column(
                key=f"{CUSTOM_PREFIX}{definition.key}",
                label=definition.label,
                value=_custom_value(definition),
                sort=""
                if definition.field_type == FieldType.MULTI_SELECT
                else f"{CUSTOM_PREFIX}{definition.key}",
                numeric=numeric,
                group="custom",
            )
        )
    return columns


@dataclass
class ColumnSet:
    """Every column of a list and the chosen ones, in order."""

    available: list[Column]
    chosen_keys: list[str] = field(default_factory=list)

    @property
    def by_key(self) -> dict[str, Column]:
        return {c.key: c for c in self.available}

    def chosen(self) -> list[Column]:
        by_key = self.by_key
        keys = [k for k in self.chosen_keys if k in by_key]
        if not keys:
            keys = [c.key for c in self.available if c.default or c.always]
        for column in self.available:
            if column.always and column.key not in keys:
                keys.insert(0, column.key)
        return [by_key[k] for k in keys]
