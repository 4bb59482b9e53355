"""Optimistic concurrency: ``ETag`` on reads, ``If-Match`` on writes.

A read returns the representation with a strong ``ETag``. A client that wants to be sure it
does not overwrite someone else's change sends that value back in ``If-Match`` on its PATCH,
PUT or DELETE; if the record changed meanwhile the write is refused with 412 and a problem
body that holds the current ETag (also in the ``ETag`` header) and the current representation
under ``current``, so the client can merge and retry. A write without ``If-Match`` is allowed
(last write wins); ``If-Match: *`` matches any current version.

The version comes from, in this order: a ``version`` integer field of the model, its
``updated_at`` timestamp, or a hash of the representation itself (``data``).

The check must happen on the row as it is locked for the write, so a concurrent write cannot
slip in between (on SQLite the transaction itself starts with ``BEGIN IMMEDIATE``)::

    with transaction.atomic():
        # of=("self",): PostgreSQL cannot lock the nullable side of a select_related join.
        deal = Deal.objects.select_for_update(of=("self",)).get(pk=deal_id)
        check_if_match(request, etag_for(deal), current=lambda: DealOut.from_orm(deal))
        deal_update(deal=deal, actor=request.auth, changes=payload)
    set_etag(response, etag_for(deal))
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from pydantic import BaseModel

from accord.core.api.problems import PreconditionFailed


def _quote(basis: str) -> str:
    return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'


def etag_for(obj: models.Model | None = None, *, data: Any = None) -> str:
    """A strong ETag (quoted) for ``obj`` or, if it has no version, for ``data``."""
    if obj is not None:
        label = obj._meta.label_lower
        version = getattr(obj, "version", None)
        if isinstance(version, int) and not isinstance(version, bool):
            return _quote(f"{label}:{obj.pk}:v{version}")
        updated_at = getattr(obj, "updated_at", None)
        if updated_at is not None and data is None:
            return _quote(f"{label}:{obj.pk}:{updated_at.isoformat()}")
    if data is None:
        raise ValueError("etag_for needs a model with version/updated_at, or data")
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return _quote(json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder))


def parse_etags(header: str) -> list[str]:
    """``'"a", W/"b"'`` -> ``['"a"', 'W/"b"']`` (entity tags never contain a comma)."""
    return [part.strip() for part in header.split(",") if part.strip()]


def check_if_match(
    request: HttpRequest,
    current_etag: str,
    *,
    current: Callable[[], Any] | Any = None,
) -> None:
    """Raise a 412 problem if ``If-Match`` is present and does not name ``current_etag``.

    ``current`` (a value, a schema or a callable that makes one) becomes the ``current``
    member of the problem body. Weak tags (``W/"..."``) never match: writes need strong tags.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return
    tags = parse_etags(header)
    if "*" in tags or current_etag in tags:
        return
    representation = current() if callable(current) else current
    if isinstance(representation, BaseModel):
        representation = representation.model_dump(mode="json")
    raise PreconditionFailed(
        _("The resource has changed since you read it; fetch it again and retry."),
        headers={"ETag": current_etag},
        extra={"current_etag": current_etag, "current": representation},
    )


def is_not_modified(request: HttpRequest, current_etag: str) -> bool:
    """True if ``If-None-Match`` names ``current_etag`` (answer 304 to a GET)."""
    header = request.headers.get("If-None-Match")
    if header is None:
        return False
    tags = [tag.removeprefix("W/") for tag in parse_etags(header)]
    return "*" in tags or current_etag in tags


IF_MATCH_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "in": "header",
            "name": "If-Match",
            "required": False,
            "schema": {"type": "string"},
            "description": "The ETag of your last read; a 412 problem if the resource changed "
            "since. Without it the write is applied (last write wins).",
        }
    ]
}
"""``@router.patch(..., openapi_extra=IF_MATCH_OPENAPI)`` documents the header."""


def set_etag(response: HttpResponseBase, etag: str) -> None:
    response["ETag"] = etag
