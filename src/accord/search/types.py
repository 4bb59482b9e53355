"""Value types of the search module: what callers pass in and get back."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Visibility:
    """Which index rows a searcher may see; applied inside the search query.

    A row is visible when ``see_all`` is true, or its ``team_id`` is in ``team_ids``, or its
    ``owner_id`` is in ``owner_ids``. Build it from the access policy (teams the user belongs
    to or manages, the user's own id, admin = ``see_all``).
    """

    see_all: bool = False
    owner_ids: frozenset[int] = frozenset()
    team_ids: frozenset[int] = frozenset()

    @classmethod
    def everything(cls) -> Visibility:
        return cls(see_all=True)

    @property
    def sees_nothing(self) -> bool:
        return not self.see_all and not self.owner_ids and not self.team_ids


@dataclass(frozen=True)
class SearchResult:
    """One hit: the record's type and id, its display text, and a score (higher is better).

    Scores: 5 the whole title equals the query; 4.5 / 3.5 / 2.5 every query word is a whole
    word / a word prefix / a substring of the title; 4 / 3 / 2 the same in the other indexed
    text (emails, company, domains, phone digits); below 1 a typo-tolerant match (1 minus the
    relative edit distance). Equal scores are ordered by normalised title.
    """

    object_type: str
    object_id: int
    title: str
    subtitle: str
    score: float


Result = SearchResult


@dataclass(frozen=True)
class IndexRow:
    """One record to index, as domain apps hand it to the bulk paths and reindexers.

    ``texts``: everything the record is found by besides the title (names, emails, company
    name, domains...), raw: the module normalises. ``phones``: phone numbers with any
    formatting; E.164 (``+49...``) numbers are also found by their national form.
    """

    object_type: str
    object_id: int
    title: str
    subtitle: str = ""
    texts: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    owner_id: int | None = None
    team_id: int | None = None
