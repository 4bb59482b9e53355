"""PostgreSQL: the ``search_entry`` table with ``pg_trgm`` GIN indexes on ``text``/``digits``.

``LIKE '%fragment%'`` and ``LIKE '% prefix%'`` are answered by the GIN trigram indexes; the
visibility condition (``team_id = ANY(...) OR owner_id = ANY(...)``) sits in the same WHERE,
so the planner intersects the trigram bitmap with the team/owner index bitmaps before it
touches the table. Title prefixes (1-2 character queries) use "C"-collated B-tree indexes.

Bulk writes stream rows with ``COPY`` into a temporary table and merge them with one
``INSERT ... ON CONFLICT DO UPDATE`` per chunk.
"""

from __future__ import annotations

import itertools
import re
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
from accord.search.text import like_escape
from accord.search.types import Visibility

COPY_THRESHOLD = 200  # fewer rows: plain INSERT ... ON CONFLICT
CHUNK = 20000
C = 'COLLATE "C"'
_RUN = re.compile(r"[^\W_]{2}")
_RUNS = re.compile(r"[^\W_]+")
MAX_TEAM_GAPS = 32
MIN_PIECE = 3  # shorter pieces match too many words to drive a query when trigrams can

_UPSERT_SET = (
    "owner_id = EXCLUDED.owner_id, team_id = EXCLUDED.team_id, title = EXCLUDED.title, "
    "subtitle = EXCLUDED.subtitle, title_norm = EXCLUDED.title_norm, text = EXCLUDED.text, "
    "digits = EXCLUDED.digits, updated_at = EXCLUDED.updated_at"
)
_COLUMNS = (
    "object_type, object_id, owner_id, team_id, title, subtitle, title_norm, text, digits, "
    "updated_at"
)


def _types_sql(object_types: tuple[str, ...] | None) -> tuple[str, list[Any]]:
    if object_types is None:
        return "", []
    return " AND e.object_type = ANY(%s)", [list(object_types)]


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
    substring_first = False

    # --- writes --------------------------------------------------------------------------

    def upsert(self, cursor: Any, rows: Sequence[PreparedRow], now: datetime) -> None:
        unique = dedupe_rows(rows)
        if len(unique) < COPY_THRESHOLD:
            for row in unique:
                cursor.execute(
                    f"INSERT INTO search_entry ({_COLUMNS}) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    f"ON CONFLICT (object_type, object_id) DO UPDATE SET {_UPSERT_SET} "
                    "RETURNING id",
                    _values(row, now),
                )
                entry_id = cursor.fetchone()[0]
                cursor.execute("DELETE FROM search_word WHERE entry_id = %s", [entry_id])
                cursor.execute(
                    "INSERT INTO search_word (entry_id, team_id, word) "
                    "SELECT %s, %s, unnest(%s::varchar[])",
                    [entry_id, row.team_id, list(row.pieces)],
                )
            return
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS search_entry_load ("
            "object_type varchar(100), object_id bigint, owner_id bigint, team_id bigint, "
            "title varchar(300), subtitle varchar(300), title_norm varchar(300), text text, "
            "digits text, updated_at timestamptz, pieces text) ON COMMIT DROP"
        )
        for start in range(0, len(unique), CHUNK):
            cursor.execute("TRUNCATE search_entry_load")
            with cursor.copy(f"COPY search_entry_load ({_COLUMNS}, pieces) FROM STDIN") as copy:
                for row in unique[start : start + CHUNK]:
                    copy.write_row((*_values(row, now), " ".join(row.pieces)))
            cursor.execute(
                "DELETE FROM search_word w USING search_entry e, search_entry_load l "
                "WHERE w.entry_id = e.id AND e.object_type = l.object_type "
                "AND e.object_id = l.object_id"
            )
            cursor.execute(
                f"INSERT INTO search_entry ({_COLUMNS}) SELECT {_COLUMNS} FROM search_entry_load "
                f"ON CONFLICT (object_type, object_id) DO UPDATE SET {_UPSERT_SET}"
            )
            cursor.execute(
                "INSERT INTO search_word (entry_id, team_id, word) "
                "SELECT e.id, e.team_id, unnest(string_to_array(l.pieces, ' ')) "
                "FROM search_entry_load l JOIN search_entry e "
                "ON e.object_type = l.object_type AND e.object_id = l.object_id "
                "WHERE l.pieces <> '' ORDER BY 2, 3"  # index order: fewer pages touched
            )

    def delete(self, cursor: Any, object_type: str, object_ids: Sequence[int]) -> int:
        where = "object_type = %s AND object_id = ANY(%s)"
        params = [object_type, list(object_ids)]
        entries = f"SELECT id FROM search_entry WHERE {where}"
        cursor.execute(f"DELETE FROM search_word WHERE entry_id IN ({entries})", params)
        cursor.execute(f"DELETE FROM search_entry WHERE {where}", params)
        return int(cursor.rowcount)

    def delete_type(self, cursor: Any, object_type: str) -> int:
        cursor.execute(
            "DELETE FROM search_word WHERE entry_id IN "
            "(SELECT id FROM search_entry WHERE object_type = %s)",
            [object_type],
        )
        cursor.execute("DELETE FROM search_entry WHERE object_type = %s", [object_type])
        return int(cursor.rowcount)

    def optimize(self, cursor: Any) -> None:
        """Refresh planner statistics and flush the GIN pending lists after big loads."""
        cursor.execute("ANALYZE search_entry")
        cursor.execute("ANALYZE search_word")
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
                scopes.append(_owner_scope_sql(visibility))
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
        chosen = _driver(clauses)
        if chosen is None:
            return []  # nothing an index can look up: a scan would be too slow
        driver, by_words = chosen
        if not by_words:
            probe = next((c for c in clauses if c.probe), None)
            if probe is not None and probe.probe is not None:
                rows = self.match(
                    cursor,
                    column,
                    [*clauses, Clause(likes=("%",), pieces=(probe.probe,))],
                    visibility,
                    object_types,
                    cap,
                )
                if len(rows) >= cap:
                    return rows
        filter_sql, filter_params = _filter_sql(column, clauses)
        types_sql, types_params = _types_sql(object_types)
        tail_sql = f"{filter_sql}{types_sql}"
        tail_params = [*filter_params, *types_params]
        branches: list[str] = []
        params: list[Any] = []
        teams: list[int | None] = [None]  # None: any team
        if not visibility.see_all:
            teams = [*sorted(visibility.team_ids)]
        for value, exact in driver.pieces if by_words else ():
            word_params = [value] if exact else [value, prefix_upper_bound(value)]
            for team in teams:
                # Scoped to a team: (team_id, word, entry_id). Every team: the expression
                # index on (word || ''), which the scoped form cannot be planned onto.
                word = "w.word" if team is not None else "(w.word || '')"
                word_sql = f"{word} = %s" if exact else f"{word} >= %s AND {word} < %s"
                # OFFSET 0 keeps the word scan a separate step that drives the join: the
                # planner must not start from the team's entries instead.
                team_sql = "" if team is None else " AND w.team_id = %s"
                entry_team_sql = "" if team is None else " AND e.team_id = %s"
                branches.append(
                    f"SELECT {SELECT_COLUMNS} FROM (SELECT w.entry_id FROM search_word w "
                    f"WHERE {word_sql}{team_sql} OFFSET 0) AS w JOIN search_entry e "
                    f"ON e.id = w.entry_id WHERE TRUE{entry_team_sql}{tail_sql}"
                )
                params.extend([*word_params, *([] if team is None else [team])])
                params.extend([*([] if team is None else [team]), *tail_params])
        trigram = _trigram_phrases(driver) if not (by_words and driver.pieces_complete) else ()
        if trigram:
            index_sql = " OR ".join(f"e.{column} LIKE %s {LIKE_ESCAPE}" for _ in trigram)
            scope_sql, scope_params = _team_scope_sql(visibility)
            branches.append(
                f"SELECT {SELECT_COLUMNS} FROM search_entry e "
                f"WHERE ({index_sql}){scope_sql}{tail_sql}"
            )
            params.extend([*(f"%{like_escape(_trigram_key(p))}%" for p in trigram)])
            params.extend(scope_params)
            params.extend(tail_params)
        if not visibility.see_all and visibility.owner_ids:
            owner_sql, owner_params = _owner_scope_sql(visibility)
            branches.append(
                f"SELECT {SELECT_COLUMNS} FROM search_entry e WHERE {owner_sql}{tail_sql}"
            )
            params.extend([*owner_params, *tail_params])
        if not branches:
            return []
        cursor.execute(f"{' UNION ALL '.join(branches)} LIMIT {int(cap)}", params)
        return candidates(cursor)


def _driver(clauses: Sequence[Clause]) -> tuple[Clause, bool] | None:
    """The clause whose index look-up starts the query, and whether it looks up words.

    Word-table pieces when some clause has one of at least ``MIN_PIECE`` characters and at
    least as long as its trigram key (bounded range scans; the longest is the most
    selective), else typo look-ups, else trigrams, else the remaining pieces.
    """

    def piece_length(clause: Clause) -> int:
        return min(len(value) for value, _ in clause.pieces) if clause.pieces else 0

    def trigram_length(clause: Clause) -> int:
        return min((len(_trigram_key(p).strip()) for p in _trigram_phrases(clause)), default=0)

    def one_word(clause: Clause) -> bool:
        return all(p.strip().isalnum() for p in clause.phrases)

    complete = [c for c in clauses if c.pieces and c.pieces_complete]
    # A whole word ("joh" -> pieces starting with "joh"), or a piece longer than the
    # fragment's trigram key ("tronvolo43.com" -> the trigram key "tronvolo43", not the piece
    # "com"; "sa@gmai" -> trigrams of "gmai", not every piece "gmai...").
    long_pieces = [
        c
        for c in complete
        if piece_length(c) >= MIN_PIECE and (one_word(c) or piece_length(c) > trigram_length(c))
    ]
    if long_pieces:
        return max(long_pieces, key=piece_length), True
    typo = [c for c in clauses if c.pieces and not c.pieces_complete]
    if typo:
        return max(typo, key=piece_length), True
    with_phrases = [c for c in clauses if trigram_length(c)]
    if with_phrases:
        return max(with_phrases, key=trigram_length), False
    if complete:
        return max(complete, key=piece_length), True
    return None


def _trigram_phrases(clause: Clause) -> tuple[str, ...]:
    """The phrases the trigram index can look up for this clause."""
    phrases = clause.phrases
    if clause.pieces and not clause.pieces_complete:
        # typo clause: word starts are pieces, the rest trigrams
        phrases = tuple(p for p in phrases if not p.startswith(" "))
    # pg_trgm needs letters or digits to extract trigrams from; without, it scans everything.
    return tuple(p for p in phrases if _RUN.search(p))


def _trigram_key(phrase: str) -> str:
    """What the trigram index looks up for a phrase: the phrase itself when it is one word,
    else its longest letter/digit run (``tepodo52.com`` -> ``tepodo52``): runs like ``com``
    or ``de`` occur in nearly every row, and pg_trgm reads every trigram's whole posting list.
    The exact phrase is checked by the filter either way."""
    if phrase.strip().isalnum():
        return phrase
    runs = [run for run in _RUNS.findall(phrase) if len(run) >= 3]
    return max(runs, key=len) if runs else phrase


def _filter_sql(column: Column, clauses: Sequence[Clause]) -> tuple[str, list[Any]]:
    """Every clause's exact condition, written so that the planner does not use it as an
    index condition (the look-up is chosen by ``_driver``; ``'' ||`` hides the column)."""
    sql = ""
    params: list[Any] = []
    for clause in clauses:
        ors = " OR ".join(f"('' || e.{column}) LIKE %s {LIKE_ESCAPE}" for _ in clause.likes)
        sql += f" AND ({ors})"
        params.extend(clause.likes)
    return sql, params


def _team_scope_sql(visibility: Visibility) -> tuple[str, list[Any]]:
    if visibility.see_all:
        return "", []
    if not visibility.team_ids:
        return " AND FALSE", []
    return " AND e.team_id = ANY(%s)", [sorted(visibility.team_ids)]


def _owner_scope_sql(visibility: Visibility) -> tuple[str, list[Any]]:
    """Rows the user sees as owner that the team part does not already cover.

    The teams not covered are written as ranges between the visible team ids, so that the
    ``(owner_id, team_id)`` index skips the owner's rows in visible teams (usually all of
    them) without reading those rows.
    """
    sql = "e.owner_id = ANY(%s)"
    params: list[Any] = [sorted(visibility.owner_ids)]
    teams = sorted(visibility.team_ids)
    if not teams:
        return sql, params
    if len(teams) > MAX_TEAM_GAPS:
        sql += " AND (e.team_id IS NULL OR NOT e.team_id = ANY(%s))"
        return sql, [*params, teams]
    gaps = ["e.team_id IS NULL", "e.team_id < %s"]
    gap_params: list[Any] = [teams[0]]
    for low, high in itertools.pairwise(teams):
        if high > low + 1:
            gaps.append("(e.team_id > %s AND e.team_id < %s)")
            gap_params.extend([low, high])
    gaps.append("e.team_id > %s")
    gap_params.append(teams[-1])
    return f"{sql} AND ({' OR '.join(gaps)})", [*params, *gap_params]
