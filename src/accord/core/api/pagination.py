"""Keyset (cursor) pagination for every list endpoint.

A page is ``{"items": [...], "next_cursor": "..." | null}``. The cursor is opaque to clients:
base64url of the sort key of the last row on the page plus its id (and the ordering it was
made for), so the next page is ``WHERE (field, id) > (last_value, last_id)`` over an index
instead of an ``OFFSET`` that gets slower with every page and skips or repeats rows when rows
are added meanwhile.

Usage in an endpoint::

    @router.get("/contacts", response=CursorPage[ContactOut])
    def contact_list(request, params: Query[CursorParams]):
        queryset = contact_policy.scope(request.auth, Contact.objects.all())
        return paginate(queryset, params, ordering="-created_at")

``ordering`` is one field, optionally with ``-`` for descending; ``id`` is the tie-breaker.
Null values sort last in both directions.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import decimal
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import BaseModel

from accord.core.api.problems import BadRequest, FieldError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class CursorParams(Schema):
    """Query parameters of a paginated list: ``?cursor=...&limit=50``."""

    cursor: str | None = Field(
        None, description="next_cursor of the previous page; omit for the first page."
    )
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}."
    )


class CursorPage[ItemT](BaseModel):
    """``CursorPage[ContactOut]`` is the response schema of a paginated list."""

    items: list[ItemT]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[Any]
    next_cursor: str | None


def _parse_ordering(queryset: models.QuerySet[Any], ordering: str) -> tuple[str, bool, bool]:
    """Return (field name, descending, nullable) for ``ordering`` such as ``-created_at``."""
    descending = ordering.startswith("-")
    name = ordering.lstrip("-")
    try:
        field = queryset.model._meta.get_field(name)
    except FieldDoesNotExist as exc:
        raise ValueError(f"cannot paginate {queryset.model.__name__} by {name!r}") from exc
    if not isinstance(field, models.Field) or field.many_to_many or field.one_to_many:
        raise ValueError(f"cannot paginate {queryset.model.__name__} by {name!r}")
    return field.attname, descending, bool(field.null)


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision, unlike DjangoJSONEncoder
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"cannot put {type(value).__name__} into a cursor")


def encode_cursor(ordering: str, value: Any, pk: Any) -> str:
    raw = json.dumps([ordering, _encode_value(value), _encode_value(pk)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _bad_cursor(message: Any) -> BadRequest:
    return BadRequest(
        _("The cursor is not valid; start again without it."),
        errors=[FieldError("cursor", str(message), "invalid_cursor")],
    )


def decode_cursor(queryset: models.QuerySet[Any], ordering: str, cursor: str) -> tuple[Any, Any]:
    """Return (sort value, pk) of ``cursor``, or raise a 400 problem naming ``cursor``."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise _bad_cursor(_("This cursor cannot be read.")) from exc
    if not isinstance(data, list) or len(data) != 3:
        raise _bad_cursor(_("This cursor cannot be read."))
    cursor_ordering, raw_value, raw_pk = data
    if cursor_ordering != ordering:
        raise _bad_cursor(_("This cursor belongs to a list with another sort order."))
    name, _descending, nullable = _parse_ordering(queryset, ordering)
    meta = queryset.model._meta
    field = next(f for f in meta.concrete_fields if f.attname == name)
    try:
        value = None if raw_value is None else field.to_python(raw_value)
        pk = meta.pk.to_python(raw_pk) if meta.pk is not None else raw_pk
    except (DjangoValidationError, TypeError, ValueError) as exc:
        raise _bad_cursor(_("This cursor cannot be read.")) from exc
    if value is None and not nullable:
        raise _bad_cursor(_("This cursor cannot be read."))
    if pk is None:
        raise _bad_cursor(_("This cursor cannot be read."))
    return value, pk


def paginate(
    queryset: models.QuerySet[Any],
    params: CursorParams | None = None,
    *,
    ordering: str = "id",
    cursor: str | None = None,
    limit: int | None = None,
) -> Page:
    """One page of ``queryset`` ordered by ``ordering`` then ``id`` (same direction).

    ``params`` (from ``Query[CursorParams]``) or ``cursor``/``limit`` give the position.
    The queryset should already be scoped by the access policy.
    """
    if params is not None:
        cursor = params.cursor if cursor is None else cursor
        limit = params.limit if limit is None else limit
    limit = DEFAULT_LIMIT if limit is None else max(1, min(int(limit), MAX_LIMIT))
    name, descending, nullable = _parse_ordering(queryset, ordering)
    pk_name = "pk"

    if descending:
        order_by = [models.F(name).desc(nulls_last=True), models.F(pk_name).desc()]
    else:
        order_by = [models.F(name).asc(nulls_last=True), models.F(pk_name).asc()]
    rows = queryset.order_by(*order_by)

    if cursor:
        value, pk = decode_cursor(queryset, ordering, cursor)
        after_pk = {f"{pk_name}__lt" if descending else f"{pk_name}__gt": pk}
        if value is None:
            # Nulls come last: after a null only nulls with a later id follow.
            rows = rows.filter(models.Q(**{f"{name}__isnull": True}, **after_pk))
        else:
            beyond = {f"{name}__lt" if descending else f"{name}__gt": value}
            condition = models.Q(**beyond) | models.Q(**{name: value}, **after_pk)
            if nullable:
                condition |= models.Q(**{f"{name}__isnull": True})
            rows = rows.filter(condition)

    items = list(rows[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = encode_cursor(ordering, getattr(last, name), last.pk)
    return Page(items=items, next_cursor=next_cursor)
