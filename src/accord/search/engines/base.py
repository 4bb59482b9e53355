"""What the two engines share: the row shapes and the interface the selectors call."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple, Protocol

from accord.search.types import Visibility

Column = Literal["text", "digits"]

# Columns every query returns, in this order (see Candidate).
SELECT_COLUMNS = (
    "e.id, e.object_type, e.object_id, e.title, e.subtitle, e.title_norm, e.text, e.digits"
)
LIKE_ESCAPE = "ESCAPE '\\'"


@dataclass(frozen=True)
class PreparedRow:
    """An index row after normalisation, ready to write."""

    object_type: str
    object_id: int
    owner_id: int | None
    team_id: int | None
    title: str
    subtitle: str
    title_norm: str
    text: str
    digits: str
    pieces: tuple[str, ...] = ()


class Candidate(NamedTuple):
    """A stored row a query matched, before scoring (a tuple: built by the hundred)."""

    id: int
    object_type: str
    object_id: int
    title: str
    subtitle: str
    title_norm: str
    text: str
    digits: str


@dataclass(frozen=True)
class Clause:
    """One condition of a query; a query's clauses are AND-ed.

    ``likes`` (OR-ed ``LIKE`` patterns on the column) is the exact condition. ``phrases``
    (OR-ed substrings of at least 3 characters) is what the trigram index can look up; it
    selects a superset of ``likes`` unless ``phrases_exact`` says the two are the same.
    Empty ``phrases``: the trigram index cannot help with this clause.
    """

    likes: tuple[str, ...]
    phrases: tuple[str, ...] = ()
    phrases_exact: bool = True
    # Word-table look-ups (PostgreSQL), OR-ed: (value, exact) = a piece equal to / starting
    # with value. A superset of ``likes``; empty: none.
    pieces: tuple[tuple[str, bool], ...] = ()
    # False (typo clauses): only ``pieces`` together with the phrases that do not start a word
    # (trigram look-ups) form a superset of ``likes``.
    pieces_complete: bool = True
    # A piece most matches have but not all (``hotmail.com`` -> a piece equal to "hotmail",
    # though "xhotmail.com" would match too): PostgreSQL tries it first and keeps its rows
    # only if they fill the cap (a sample is all a capped tier promises anyway).
    probe: tuple[str, bool] | None = None


class Engine(Protocol):
    vendor: str
    # Whether a selective query should try the substring tier first (SQLite: one trigram
    # look-up that is cheap when selective). PostgreSQL answers the exact and prefix tiers
    # from its word table more cheaply than any trigram look-up, so it starts with those.
    substring_first: bool

    def upsert(self, cursor: Any, rows: Sequence[PreparedRow], now: datetime) -> None: ...

    def delete(self, cursor: Any, object_type: str, object_ids: Sequence[int]) -> int: ...

    def delete_type(self, cursor: Any, object_type: str) -> int: ...

    def optimize(self, cursor: Any) -> None: ...

    def title_prefix(
        self,
        cursor: Any,
        prefix: str,
        visibility: Visibility,
        object_types: tuple[str, ...] | None,
        limit: int,
    ) -> list[Candidate]: ...

    def match(
        self,
        cursor: Any,
        column: Column,
        clauses: Sequence[Clause],
        visibility: Visibility,
        object_types: tuple[str, ...] | None,
        cap: int,
    ) -> list[Candidate]: ...


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def in_list(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def dedupe_rows(rows: Sequence[PreparedRow]) -> list[PreparedRow]:
    """One row per (object_type, object_id): the last one given wins."""
    by_key = {(row.object_type, row.object_id): row for row in rows}
    return list(by_key.values())


def candidates(cursor: Any) -> list[Candidate]:
    return list(map(Candidate._make, cursor.fetchall()))
