"""Sorting, keyset pagination and fast counts of list pages.

- :func:`resolve_sort` turns ``sort=-last_name`` (or ``custom.arr``) into a :class:`SortKey`
  from a filter set's whitelist (``FilterSet.sorts``) plus its custom fields; anything else is
  a :class:`~accord.lists.filters.FilterError` naming ``sort``.
- :func:`paginate` returns one page ordered by the sort key then ``id`` (a stable tiebreak),
  positioned by an opaque cursor (``after`` = next page, ``before`` = previous page): the
  query is ``WHERE (key, id) > (last key, last id) ORDER BY key, id LIMIT n+1`` over an index,
  never an ``OFFSET``, so page 10,000 costs what page 1 costs. Nulls sort last both ways.
  It mirrors :mod:`accord.core.api.pagination` but also sorts by expressions (custom fields,
  related columns such as ``company__name``) and goes backwards.
- :func:`count_capped` counts at most ``cap + 1`` rows (``SELECT COUNT(*) FROM (SELECT 1 ...
  LIMIT cap + 1)``): exact below the cap, "10,000+" above it, and bounded in cost.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import Combinable, OrderBy
from django.db.models.lookups import Exact, GreaterThan, IsNull, LessThan
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext

from accord.core import customfields
from accord.core.customfields import CustomFieldDefinition, FieldType
from accord.core.customfields.query import NumericParam
from accord.lists.filters import CUSTOM_PREFIX, FilterError

if TYPE_CHECKING:
    from accord.lists.filters import FilterSet

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 10_000


@dataclass(frozen=True)
class SortKey:
    """What a list is ordered by. ``kind``: text, int, number, date, datetime, boolean."""

    name: str
    descending: bool
    expression: Any
    kind: str
    nullable: bool
    label: str = ""
    custom_numeric: bool = False

    @property
    def token(self) -> str:
        return f"-{self.name}" if self.descending else self.name

    @property
    def reversed_token(self) -> str:
        return self.name if self.descending else f"-{self.name}"

    def order_by(self, *, reverse: bool = False) -> list[OrderBy]:
        descending = self.descending != reverse
        expression = self.expression
        if self.nullable:
            # nulls last in the list's direction (first when walking backwards)
            if reverse:
                key = OrderBy(expression, descending=descending, nulls_first=True)
            else:
                key = OrderBy(expression, descending=descending, nulls_last=True)
        else:
            key = OrderBy(expression, descending=descending)
        return [key, OrderBy(F("pk"), descending=descending)]


def _field_kind(model: type[models.Model], path: str) -> tuple[str, bool]:
    nullable = False
    field: Any = None
    current = model
    for part in path.split("__"):
        field = current._meta.get_field(part)
        nullable = nullable or bool(getattr(field, "null", False))
        if field.is_relation and field.related_model is not None:
            if field.many_to_many or field.one_to_many:
                raise ValueError(f"cannot sort by the to-many path {path!r}")
            current = field.related_model
            field = current._meta.pk
    if isinstance(field, models.DateTimeField):
        kind = "datetime"
    elif isinstance(field, models.DateField):
        kind = "date"
    elif isinstance(field, models.BooleanField):
        kind = "boolean"
    elif isinstance(field, models.IntegerField | models.AutoField):
        kind = "int"
    elif isinstance(field, models.DecimalField | models.FloatField):
        kind = "number"
    else:
        kind = "text"
    return kind, nullable


def _bad_sort(value: str) -> FilterError:
    return FilterError(
        {"sort": [gettext("This list cannot be sorted by %(value)s.") % {"value": value}]}
    )


def resolve_sort(
    filterset: type[FilterSet] | FilterSet,
    token: str | None,
    definitions: Sequence[CustomFieldDefinition] | None = None,
) -> SortKey:
    """The sort key for ``token`` (``"-created_at"``, ``"custom.arr"``); the filter set's
    ``default_sort`` when empty. Raises FilterError keyed ``sort`` for anything else."""
    token = (token or "").strip() or filterset.default_sort
    descending = token.startswith("-")
    name = token.lstrip("-")
    model = filterset.model
    if name.startswith(CUSTOM_PREFIX):
        key = name[len(CUSTOM_PREFIX) :]
        if definitions is None:
            definitions = customfields.definitions_for(model._meta.label_lower)
        definition = next((d for d in definitions if d.key == key and d.archived_at is None), None)
        if definition is None or definition.field_type == FieldType.MULTI_SELECT:
            raise _bad_sort(token)
        expression = customfields.value_expression(definition)
        numeric = expression.kind == "number"
        return SortKey(
            name=name,
            descending=descending,
            expression=expression,
            kind="number" if numeric else ("boolean" if expression.kind == "boolean" else "text"),
            nullable=True,
            label=definition.label,
            custom_numeric=numeric,
        )
    if name == "id":
        return SortKey(name, descending, F("pk"), "int", False, gettext("ID"))
    path = filterset.sorts.get(name)
    if path is None:
        raise _bad_sort(token)
    try:
        kind, nullable = _field_kind(model, path)
    except (FieldDoesNotExist, ValueError):
        raise _bad_sort(token) from None
    label = str(filterset.sort_labels.get(name, name))
    return SortKey(name, descending, F(path), kind, nullable, label)


# ---- cursors -----------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def encode_cursor(sort: SortKey, value: Any, pk: Any) -> str:
    raw = json.dumps([sort.token, _encode(value), pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor(param: str) -> FilterError:
    return FilterError({param: [gettext("This page link is out of date; start again.")]})


def _decode_value(sort: SortKey, raw: Any) -> Any:
    if raw is None:
        return None
    if sort.kind == "datetime":
        parsed: Any = parse_datetime(str(raw))
    elif sort.kind == "date":
        parsed = parse_date(str(raw))
    elif sort.kind == "int":
        parsed = int(raw)
    elif sort.kind == "number":
        parsed = Decimal(str(raw))
    elif sort.kind == "boolean":
        parsed = bool(raw)
    else:
        parsed = str(raw)
    if parsed is None:
        raise ValueError(raw)
    return parsed


def decode_cursor(sort: SortKey, cursor: str, param: str = "after") -> tuple[Any, int]:
    """(sort value, pk) of ``cursor``; FilterError keyed ``param`` when it cannot be used."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        token, raw_value, raw_pk = data
        if token != sort.token:
            raise ValueError(token)
        return _decode_value(sort, raw_value), int(raw_pk)
    except (ValueError, TypeError, binascii.Error, UnicodeError, InvalidOperation):
        raise _bad_cursor(param) from None


def _param(sort: SortKey, value: Any) -> Any:
    return NumericParam(value) if sort.custom_numeric else value


def _beyond(sort: SortKey, value: Any, pk: int, *, forward: bool) -> Q:
    """Rows after (forward) or before (not forward) the row (value, pk) in list order."""
    expression: Combinable = sort.expression
    pk_after = Q(pk__lt=pk) if sort.descending == forward else Q(pk__gt=pk)
    if value is None:
        if forward:  # after a null only nulls with a later id
            return Q(IsNull(expression, True)) & pk_after
        # before a null: every non-null, and earlier nulls
        return Q(IsNull(expression, False)) | (Q(IsNull(expression, True)) & pk_after)
    operand = _param(sort, value)
    smaller = sort.descending == forward
    further = LessThan(expression, operand) if smaller else GreaterThan(expression, operand)
    condition = Q(further) | (Q(Exact(expression, operand)) & pk_after)
    if sort.nullable and forward:
        condition |= Q(IsNull(expression, True))
    return condition


@dataclass(frozen=True)
class KeysetPage:
    items: list[Any]
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def clamp_limit(value: Any, default: int = DEFAULT_PAGE_SIZE) -> int:
    try:
        limit = int(value)
    except (TypeError, ValueError):
        return default
    return max(1, min(limit, MAX_PAGE_SIZE))


def paginate[M: models.Model](
    queryset: models.QuerySet[M],
    sort: SortKey,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
) -> KeysetPage:
    """One page of ``queryset`` (already scoped and filtered) in ``sort`` order.

    ``after`` = the ``next_cursor`` of the page before, ``before`` = the ``previous_cursor``
    of the page after. One query (``limit + 1`` rows to know whether there is more).
    """
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    rows = queryset.annotate(_sort_value=sort.expression)
    if before:
        value, pk = decode_cursor(sort, before, "before")
        rows = rows.filter(_beyond(sort, value, pk, forward=False))
        items = list(rows.order_by(*sort.order_by(reverse=True))[: limit + 1])
        more_before = len(items) > limit
        items = list(reversed(items[:limit]))
        has_previous, has_next = more_before, True
    else:
        if after:
            value, pk = decode_cursor(sort, after, "after")
            rows = rows.filter(_beyond(sort, value, pk, forward=True))
        items = list(rows.order_by(*sort.order_by())[: limit + 1])
        has_next = len(items) > limit
        items = items[:limit]
        has_previous = bool(after)
    next_cursor = previous_cursor = None
    if items:
        first, last = items[0], items[-1]
        if has_next:
            next_cursor = encode_cursor(sort, getattr(last, "_sort_value", None), last.pk)
        if has_previous:
            previous_cursor = encode_cursor(sort, getattr(first, "_sort_value", None), first.pk)
    return KeysetPage(items=items, next_cursor=next_cursor, previous_cursor=previous_cursor)


@dataclass(frozen=True)
class Count:
    value: int
    capped: bool  # True: at least ``value`` rows ("10,000+")


def count_capped(queryset: models.QuerySet[Any], cap: int = COUNT_CAP) -> Count:
    """Exact up to ``cap``; beyond it ``Count(cap, capped=True)``. One bounded query."""
    found = queryset.order_by().values("pk")[: cap + 1].count()
    if found > cap:
        return Count(cap, True)
    return Count(found, False)
