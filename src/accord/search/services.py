"""The write path of the search index: domain services call these inside their transactions.

Each function runs in ``transaction.atomic()`` (a savepoint when the caller already has a
transaction), so the table and, on SQLite, its FTS5 index change together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from accord.search.engines import current_engine
from accord.search.engines.base import PreparedRow
from accord.search.text import index_digits, index_pieces, index_text, index_title
from accord.search.types import IndexRow

BULK_CHUNK = 20000


def prepare(row: IndexRow) -> PreparedRow:
    """Normalise one row for storage (see ``accord.search.text``)."""
    text = index_text(row.title, row.texts)
    digits = index_digits(row.phones)
    return PreparedRow(
        object_type=row.object_type,
        object_id=int(row.object_id),
        owner_id=row.owner_id,
        team_id=row.team_id,
        title=row.title[:300],
        subtitle=row.subtitle[:300],
        title_norm=index_title(row.title),
        text=text,
        digits=digits,
        pieces=index_pieces(text) if connection.vendor == "postgresql" else (),
    )


def _chunks(rows: Iterable[IndexRow], size: int) -> Iterator[list[PreparedRow]]:
    iterator = iter(rows)
    while chunk := [prepare(row) for row in islice(iterator, size)]:
        yield chunk


def search_index_upsert(
    object_type: str,
    object_id: int,
    *,
    title: str,
    subtitle: str = "",
    texts: list[str],
    phones: list[str],
    owner_id: int | None,
    team_id: int | None,
) -> None:
    """Add or replace the index row of one record."""
    row = IndexRow(
        object_type=object_type,
        object_id=object_id,
        title=title,
        subtitle=subtitle,
        texts=texts,
        phones=phones,
        owner_id=owner_id,
        team_id=team_id,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        current_engine().upsert(cursor, [prepare(row)], timezone.now())


def search_index_delete(object_type: str, object_id: int) -> bool:
    """Remove a record's index row; True if there was one."""
    return search_index_delete_many(object_type, [object_id]) > 0


def search_index_delete_many(object_type: str, object_ids: Iterable[int]) -> int:
    """Remove the index rows of several records of one type; returns how many there were."""
    ids = [int(object_id) for object_id in object_ids]
    if not ids:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        return current_engine().delete(cursor, object_type, ids)


def search_index_bulk_upsert(rows: Iterable[IndexRow]) -> int:
    """Add or replace many rows (imports, demo data); streams, so any iterable works.

    Returns the number of rows written. For a row given twice the last one wins.
    """
    engine = current_engine()
    written = 0
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        for chunk in _chunks(rows, BULK_CHUNK):
            engine.upsert(cursor, chunk, now)
            written += len(chunk)
    return written


def search_index_rebuild(object_type: str, rows: Iterable[IndexRow]) -> int:
    """Replace every row of ``object_type`` with ``rows`` in one transaction.

    Rows of other types in ``rows`` are rejected (ValueError) so a rebuild cannot touch them.
    Returns the number of rows written.
    """

    def checked() -> Iterator[IndexRow]:
        for row in rows:
            if row.object_type != object_type:
                raise ValueError(
                    f"search_index_rebuild({object_type!r}) got a row of {row.object_type!r}"
                )
            yield row

    with transaction.atomic():
        with connection.cursor() as cursor:
            current_engine().delete_type(cursor, object_type)
        return search_index_bulk_upsert(checked())


def search_index_optimize() -> None:
    """After big loads: merge SQLite's FTS segments / flush PostgreSQL's GIN pending lists,
    and refresh the planner's statistics. Safe to run any time; takes a while on big indexes."""
    with transaction.atomic(), connection.cursor() as cursor:
        current_engine().optimize(cursor)
