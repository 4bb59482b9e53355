"""SQLite: the ``search_entry`` table plus an FTS5 trigram index kept in step by hand.

``search_entry_fts`` is an external-content FTS5 table (content = ``search_entry``, rowid =
``fts_rowid``) with the ``trigram`` tokenizer: any substring of three or more characters is an
index look-up, which serves name prefixes (``" joh"``: the stored text puts a space before
every word), email fragments and phone digits alike.

Access scoping without post-filtering: ``fts_rowid`` is ``(team band << 40) | id``, so all
rows of one team form one contiguous rowid range. A search for a user who sees teams 3 and 17
runs the full-text match once per team with ``rowid BETWEEN`` that team's range, which FTS5
answers by seeking inside its doclists: the cost follows the rows the user may see, not the
size of the table. Rows the user sees only as their owner (in a team they do not see) come
from the ``(owner_id, team_id)`` index with ``LIKE`` checks.

Writes: an external-content table must be told the *old* values of a row to remove it
(``INSERT INTO fts(fts, rowid, ...) VALUES('delete', ...)``), so every write reads the old row
first; all of it runs inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
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
    in_list,
    prefix_upper_bound,
)
from accord.search.types import Visibility

BAND_SHIFT = 40  # up to 2**40 index rows
BAND_MASK = (1 << 23) - 1  # team ids beyond this share bands; the team_id check still applies
MAX_BANDS = 64  # more teams than this: one match over the whole index, filtered by team_id
CHUNK = 500
FTS = "search_entry_fts"


def fts_rowid(team_id: int | None, entry_id: int) -> int:
    return (((team_id or 0) & BAND_MASK) << BAND_SHIFT) | entry_id


def band_range(team_id: int) -> tuple[int, int]:
    band = team_id & BAND_MASK
    return band << BAND_SHIFT, ((band + 1) << BAND_SHIFT) - 1


def fts_phrase(column: Column, phrase: str) -> str:
    return f'{column} : "{phrase.replace('"', '""')}"'


def _fts_expression(column: Column, clauses: Sequence[Clause]) -> str:
    parts = []
    for clause in clauses:
        if clause.phrases:
            parts.append("(" + " OR ".join(fts_phrase(column, p) for p in clause.phrases) + ")")
    return " AND ".join(parts)


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
    return f" AND e.object_type IN ({in_list(object_types)})", list(object_types)


def _owner_scope_sql(visibility: Visibility) -> tuple[str, list[Any]]:
    """Rows the user sees as owner that the team part does not already cover."""
    owners = sorted(visibility.owner_ids)
    sql = f"e.owner_id IN ({in_list(owners)})"
    params: list[Any] = list(owners)
    teams = sorted(visibility.team_ids)
    if teams:
        sql += f" AND (e.team_id IS NULL OR e.team_id NOT IN ({in_list(teams)}))"
        params.extend(teams)
    return sql, params


class SQLiteEngine:
    vendor = "sqlite"
    substring_first = True

    # --- writes --------------------------------------------------------------------------

    def upsert(self, cursor: Any, rows: Sequence[PreparedRow], now: datetime) -> None:
        unique = dedupe_rows(rows)
        for start in range(0, len(unique), CHUNK):
            self._upsert_chunk(cursor, unique[start : start + CHUNK], now)

    def _upsert_chunk(self, cursor: Any, rows: Sequence[PreparedRow], now: datetime) -> None:
        ids_by_type: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            ids_by_type[row.object_type].append(row.object_id)
        existing: dict[tuple[str, int], tuple[int, int | None, str, str]] = {}
        for object_type, object_ids in ids_by_type.items():
            cursor.execute(
                "SELECT id, object_id, fts_rowid, text, digits FROM search_entry "
                f"WHERE object_type = %s AND object_id IN ({in_list(object_ids)})",
                [object_type, *object_ids],
            )
            for entry_id, object_id, rowid, text, digits in cursor.fetchall():
                existing[(object_type, object_id)] = (entry_id, rowid, text, digits)
        if existing:
            cursor.executemany(
                f"INSERT INTO {FTS}({FTS}, rowid, text, digits) VALUES ('delete', %s, %s, %s)",
                [(rowid, text, digits) for _, rowid, text, digits in existing.values() if rowid],
            )
        updates: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        fts_rows: list[tuple[int, str, str]] = []
        new_rows = [row for row in rows if (row.object_type, row.object_id) not in existing]
        next_id = self._next_id(cursor) if new_rows else 0
        for row in rows:
            found = existing.get((row.object_type, row.object_id))
            if found is None:
                entry_id = next_id
                next_id += 1
            else:
                entry_id = found[0]
            rowid = fts_rowid(row.team_id, entry_id)
            values = (
                row.owner_id,
                row.team_id,
                row.title,
                row.subtitle,
                row.title_norm,
                row.text,
                row.digits,
                rowid,
                now,
            )
            if found is None:
                inserts.append((entry_id, row.object_type, row.object_id, *values))
            else:
                updates.append((*values, entry_id))
            fts_rows.append((rowid, row.text, row.digits))
        if updates:
            cursor.executemany(
                "UPDATE search_entry SET owner_id = %s, team_id = %s, title = %s, subtitle = %s, "
                "title_norm = %s, text = %s, digits = %s, fts_rowid = %s, updated_at = %s "
                "WHERE id = %s",
                updates,
            )
        if inserts:
            cursor.executemany(
                "INSERT INTO search_entry (id, object_type, object_id, owner_id, team_id, title, "
                "subtitle, title_norm, text, digits, fts_rowid, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                inserts,
            )
        cursor.executemany(f"INSERT INTO {FTS}(rowid, text, digits) VALUES (%s, %s, %s)", fts_rows)

    def _next_id(self, cursor: Any) -> int:
        # Explicit ids let the FTS rowid be computed before the insert. AUTOINCREMENT's
        # sqlite_sequence keeps ids of deleted rows from coming back.
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'search_entry'), 0),"
            " COALESCE((SELECT MAX(id) FROM search_entry), 0))"
        )
        return int(cursor.fetchone()[0]) + 1

    def delete(self, cursor: Any, object_type: str, object_ids: Sequence[int]) -> int:
        deleted = 0
        for start in range(0, len(object_ids), CHUNK):
            chunk = list(object_ids[start : start + CHUNK])
            where = f"object_type = %s AND object_id IN ({in_list(chunk)})"
            cursor.execute(
                f"INSERT INTO {FTS}({FTS}, rowid, text, digits) "
                f"SELECT 'delete', fts_rowid, text, digits FROM search_entry WHERE {where} "
                "AND fts_rowid IS NOT NULL",
                [object_type, *chunk],
            )
            cursor.execute(f"DELETE FROM search_entry WHERE {where}", [object_type, *chunk])
            deleted += cursor.rowcount
        return deleted

    def delete_type(self, cursor: Any, object_type: str) -> int:
        cursor.execute(
            f"INSERT INTO {FTS}({FTS}, rowid, text, digits) "
            "SELECT 'delete', fts_rowid, text, digits FROM search_entry "
            "WHERE object_type = %s AND fts_rowid IS NOT NULL",
            [object_type],
        )
        cursor.execute("DELETE FROM search_entry WHERE object_type = %s", [object_type])
        return int(cursor.rowcount)

    def optimize(self, cursor: Any) -> None:
        """Merge the FTS5 segments into one (after big loads) and refresh planner statistics."""
        cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")
        cursor.execute("ANALYZE search_entry")

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
        where = f"e.title_norm >= %s AND e.title_norm < %s{types_sql}"
        order = f"ORDER BY e.title_norm, e.id LIMIT {int(limit)}"
        scopes: list[tuple[str, list[Any]]] = []
        if visibility.see_all:
            scopes.append(("1 = 1", []))
        else:
            scopes.extend(("e.team_id = %s", [team]) for team in sorted(visibility.team_ids))
            if visibility.owner_ids:
                scopes.append(_owner_scope_sql(visibility))
        branches = []
        params: list[Any] = []
        for scope_sql, scope_params in scopes:
            branches.append(
                f"SELECT * FROM (SELECT {SELECT_COLUMNS} FROM search_entry e "
                f"WHERE {scope_sql} AND {where} {order})"
            )
            params.extend([*scope_params, *bounds, *types_params])
        if not branches:
            return []
        cursor.execute(
            f"SELECT * FROM ({' UNION ALL '.join(branches)}) ORDER BY title_norm, id "
            f"LIMIT {int(limit)}",
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
        expression = _fts_expression(column, clauses)
        if not expression:
            return []
        verify = [c for c in clauses if not (c.phrases and c.phrases_exact)]
        verify_sql, verify_params = _like_sql(column, verify)
        types_sql, types_params = _types_sql(object_types)
        fts_from = (
            f"SELECT {SELECT_COLUMNS} FROM {FTS} CROSS JOIN search_entry e "
            f"ON e.fts_rowid = {FTS}.rowid WHERE {FTS} MATCH %s"
        )
        branches: list[str] = []
        params: list[Any] = []
        if visibility.see_all:
            branches.append(f"{fts_from}{verify_sql}{types_sql}")
            params.extend([expression, *verify_params, *types_params])
        else:
            teams = sorted(visibility.team_ids)
            if len(teams) > MAX_BANDS:
                branches.append(
                    f"{fts_from} AND e.team_id IN ({in_list(teams)}){verify_sql}{types_sql}"
                )
                params.extend([expression, *teams, *verify_params, *types_params])
            else:
                for team in teams:
                    branches.append(
                        f"{fts_from} AND {FTS}.rowid BETWEEN %s AND %s AND e.team_id = %s"
                        f"{verify_sql}{types_sql}"
                    )
                    params.extend(
                        [expression, *band_range(team), team, *verify_params, *types_params]
                    )
            if visibility.owner_ids:
                owner_sql, owner_params = _owner_scope_sql(visibility)
                like_sql, like_params = _like_sql(column, clauses)
                branches.append(
                    f"SELECT {SELECT_COLUMNS} FROM search_entry e "
                    f"WHERE {owner_sql}{like_sql}{types_sql}"
                )
                params.extend([*owner_params, *like_params, *types_params])
        if not branches:
            return []
        cursor.execute(f"{' UNION ALL '.join(branches)} LIMIT {int(cap)}", params)
        return candidates(cursor)
