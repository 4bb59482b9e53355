"""CSV export of a list: streamed row by row in constant memory.

Cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) get a leading apostrophe, so an export opened in Excel or
LibreOffice never executes content that came from a record (CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import models
from django.http import StreamingHttpResponse

from accord.lists.columns import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def neutralise(value: str) -> str:
    """``=SUM(A1)`` -> ``'=SUM(A1)``; everything else unchanged."""
    if value and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Any], columns: Sequence[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(str(c.label)) for c in columns])
    for row in rows:
        yield writer.writerow([neutralise(c.text(row)) for c in columns])


def csv_response(
    queryset: models.QuerySet[Any], columns: Sequence[Column], filename: str
) -> StreamingHttpResponse:
    """Stream ``queryset`` (already scoped, filtered and ordered) as ``filename``.

    Rows are read with ``iterator(chunk_size=...)`` (a server-side cursor on PostgreSQL,
    ``fetchmany`` on SQLite; prefetches run per chunk), so memory stays flat however many
    rows there are.
    """
    rows = queryset.iterator(chunk_size=CHUNK_SIZE)
    response = StreamingHttpResponse(
        ("\ufeff" if i == 0 else "") + line for i, line in enumerate(csv_lines(rows, columns))
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
