"""PostgreSQL: the ``search_entry`` table with ``pg_trgm`` GIN indexes on ``text``/``digits``.

``LIKE '%fragment%'`` and ``LIKE '% prefix%'`` are answered by the GIN trigram indexes; the
visibility condition (``team_id = ANY(...) OR owner_id = ANY(...)``) sits in the same WHERE,
so the planner intersects the trigram bitmap with the team/owner index bitmaps before it
touches the table. Title prefixes (1-2 character queries) use "C"-collated B-tree indexes.

Bulk writes stream rows with ``COPY`` into a temporary table and merge them with one
``INSERT ... ON CONFLICT DO UPDATE`` per chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from accord.search.engines.base import (
    LIKE_ESCAPE,
    SELECT_COLUMNS,
    Candidate,
    Clause,
    Column,
    PreparedRow,
    candidates,
    dedupe_rows,
    prefix_upper_bound,
)
from accord.search.types import Visibility

COPY_THRESHOLD = 200  # fewer rows: plain INSERT ... ON CONFLICT
CHUNK = 20000
C = 'COLLATE "C"'

_UPSERT_SET = (
    "owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id, title = EXCLUDED.title, "
    "subtitle = EXCLUDED.subtitle, title_norm = EXCLUDED.title_norm, text = EXCLUDED.text, "
    "digits = EXCLUDED.digits, updated_at = EXCLUDED.updated_at"
)
_COLUMNS = (
    "object_type, object_id, owner_id, team_id, title, subtitle, title_norm, text, digits, "
    "updated_at"
)


def _like_sql(column: Column, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
    sql = ""
    params: list[Any] = []
    for clause in clauses:
        ors = " OR ".join(f"e.{column} LIKE %s {LIKE_ESCAPE}" for _ in clause.likes)
        sql += f" AND ({ors})"
        params.extend(clause.likes)
    return sql, params


def _types_sql(object_types: tuple[str, ...] | None) -> tuple[str, list[Any]]:
    if object_types is None:
        return "", []
    return " AND e.object_type = ANY(%s)", [list(object_types)]


def _scope_sql(visibility: Visibility) -> tuple[str, list[Any]]:
    if visibility.see_all:
        return "", []
    parts = []
    params: list[Any] = []
    if visibility.team_ids:
        parts.append("e.team_id = ANY(%s)")
        params.append(sorted(visibility.team_ids))
    if visibility.owner_ids:
        parts.append("e.owner_id = ANY(%s)")
        params.append(sorted(visibility.owner_ids))
    return " AND (" + " OR ".join(parts) + ")", params


def _values(row: PreparedRow, now: datetime) -> tuple[Any, ...]:
    return (
        row.object_type,
        row.object_id,
        row.owner_id,
        row.team_id,
        row.title,
        row.subtitle,
        row.title_norm,
        row.text,
        row.digits,
        now,
    )


class PostgreSQLEngine:
    vendor = "postgresql"

    # --- writes --------------------------------------------------------------------------

    def upsert(self, cursor: Any, rows: Sequence[PreparedRow], now: datetime) -> None:
        unique = dedupe_rows(rows)
        if len(unique) < COPY_THRESHOLD:
            cursor.executemany(
                f"INSERT INTO search_entry ({_COLUMNS}) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                f"ON CONFLICT (object_type, object_id) DO UPDATE SET {_UPSERT_SET}",
                [_values(row, now) for row in unique],
            )
            return
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS search_entry_load ("
            "object_type varchar(100), object_id bigint, owner_id bigint, team_id bigint, "
            "title varchar(300), subtitle varchar(300), title_norm varchar(300), text text, "
            "digits text, updated_at timestamptz) ON COMMIT DROP"
        )
        for start in range(0, len(unique), CHUNK):
            cursor.execute("TRUNCATE search_entry_load")
            with cursor.copy(f"COPY search_entry_load ({_COLUMNS}) FROM STDIN") as copy:
                for row in unique[start : start + CHUNK]:
                    copy.write_row(_values(row, now))
            cursor.execute(
                f"INSERT INTO search_entry ({_COLUMNS}) SELECT {_COLUMNS} FROM search_entry_load "
                f"ON CONFLICT (object_type, object_id) DO UPDATE SET {_UPSERT_SET}"
            )

    def delete(self, cursor: Any, object_type: str, object_ids: Sequence[int]) -> int:
        cursor.execute(
            "DELETE FROM search_entry WHERE object_type = %s AND object_id = ANY(%s)",
            [object_type, list(object_ids)],
        )
        return int(cursor.rowcount)

    def delete_type(self, cursor: Any, object_type: str) -> int:
        cursor.execute("DELETE FROM search_entry WHERE object_type = %s", [object_type])
        return int(cursor.rowcount)

    def optimize(self, cursor: Any) -> None:
        """Refresh planner statistics and flush the GIN pending lists after big loads."""
        cursor.execute("ANALYZE search_entry")
        cursor.execute("SELECT gin_clean_pending_list('search_entry_text_trgm'::regclass)")
        cursor.execute("SELECT gin_clean_pending_list('search_entry_digits_trgm'::regclass)")

    # --- reads ---------------------------------------------------------------------------

    def title_prefix(
        self,
        cursor: Any,
        prefix: str,
        visibility: Visibility,
        object_types: tuple[str, ...] | None,
        limit: int,
    ) -> list[Candidate]:
        bounds = [prefix, prefix_upper_bound(prefix)]
        types_sql, types_params = _types_sql(object_types)
        where = f"e.title_norm {C} >= %s AND e.title_norm {C} < %s{types_sql}"
        order = f"ORDER BY e.title_norm {C}, e.id LIMIT {int(limit)}"
        scopes: list[tuple[str, list[Any]]] = []
        if visibility.see_all:
            scopes.append(("TRUE", []))
        else:
            scopes.extend(("e.team_id = %s", [team]) for team in sorted(visibility.team_ids))
            if visibility.owner_ids:
                owner_sql = "e.owner_id = ANY(%s)"
                owner_params: list[Any] = [sorted(visibility.owner_ids)]
                if visibility.team_ids:
                    owner_sql += " AND (e.team_id IS NULL OR NOT e.team_id = ANY(%s))"
                    owner_params.append(sorted(visibility.team_ids))
                scopes.append((owner_sql, owner_params))
        branches = []
        params: list[Any] = []
        for number, (scope_sql, scope_params) in enumerate(scopes):
            branches.append(
                f"SELECT * FROM (SELECT {SELECT_COLUMNS} FROM search_entry e "
                f"WHERE {scope_sql} AND {where} {order}) AS b{number}"
            )
            params.extend([*scope_params, *bounds, *types_params])
        if not branches:
            return []
        cursor.execute(
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) AS hits "
            f"ORDER BY title_norm {C}, id LIMIT {int(limit)}",
            params,
        )
        return candidates(cursor)

    def match(
        self,
        cursor: Any,
        column: Column,
        clauses: Sequence[Clause],
        visibility: Visibility,
        object_types: tuple[str, ...] | None,
        cap: int,
    ) -> list[Candidate]:
        like_sql, like_params = _like_sql(column, clauses)
        scope_sql, scope_params = _scope_sql(visibility)
        types_sql, types_params = _types_sql(object_types)
        cursor.execute(
            f"SELECT {SELECT_COLUMNS} FROM search_entry e WHERE TRUE{like_sql}{scope_sql}"
            f"{types_sql} LIMIT {int(cap)}",
            [*like_params, *scope_params, *types_params],
        )
        return candidates(cursor)
