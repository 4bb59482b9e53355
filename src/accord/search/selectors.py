"""The read path: ``search_query`` and its ranking.

How a query runs (the same on both engines; only the SQL differs, see ``engines/``):

1. ``parse_query`` normalises it and picks a kind: ``short`` (1-2 characters: title-prefix
   range on an index), ``phone`` (digits and phone punctuation with 3+ digits: ``digits``
   column) or ``text``.
2. Tiers, best first: *exact* (every query word is a whole stored word: pattern
   ``" word "``), *prefix* (``" word"``), *substring* (``"word"``). Each tier is one indexed
   query with the visibility condition inside its WHERE, returning at most ``CANDIDATE_CAP``
   rows. The next tier runs only while fewer than ``limit`` records were found.
3. The candidates are scored in Python (see ``SearchResult``) and sorted by score, then
   normalised title.
4. A text query that found nothing gets a typo-tolerant pass: each query word of 4+
   characters may differ from a stored word (or word start) by one edit: a wrong, missing,
   extra or swapped character ("jonh" finds "John", "smiht" finds "Smith"). Candidates come
   from the trigram index (the word's halves), the edit is checked in SQL with ``LIKE``
   patterns, and the result is ranked by edit distance (rapidfuzz's OSA distance).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.db import connection
from rapidfuzz.distance import OSA

from accord.search.engines import current_engine
from accord.search.engines.base import Candidate, Clause, Column, Engine
from accord.search.text import (
    ParsedQuery,
    Tier,
    anchored_piece,
    index_title,
    index_words,
    like_escape,
    parse_query,
    pattern,
    probable_piece,
    tier_of,
)
from accord.search.types import SearchResult, Visibility

# At most this many rows per tier are fetched and ranked; beyond it a tier's rows are taken in
# index order (team by team), so ties are ordered by title among those.
CANDIDATE_CAP = 200
SELECTIVE_WORD = 5  # a query word this long (or with digits/punctuation) is selective
FUZZY_CANDIDATE_CAP = 200
FUZZY_MIN_LENGTH = 4
MIN_PHRASE = 3  # the trigram index needs 3 characters


def search_query(
    q: str,
    *,
    object_types: Iterable[str] | None = None,
    visibility: Visibility | Mapping[str, Visibility],
    limit: int = 20,
) -> list[SearchResult]:
    """Records matching ``q`` that ``visibility`` allows, best first, at most ``limit``.

    ``visibility`` is one :class:`Visibility` for every object type, or one per object type
    (``visibilities_for(user, types)``); with a mapping only its types are searched, and types
    that share a visibility are searched in one query.
    """
    parsed = parse_query(q)
    if parsed is None or limit <= 0:
        return []
    wanted = tuple(sorted(set(object_types))) if object_types is not None else None
    if isinstance(visibility, Visibility):
        return _search(parsed, wanted, visibility, limit)
    groups: dict[Visibility, list[str]] = {}
    for object_type in sorted(visibility):
        if wanted is None or object_type in wanted:
            groups.setdefault(visibility[object_type], []).append(object_type)
    results: list[SearchResult] = []
    for group_visibility, types in groups.items():
        results.extend(_search(parsed, tuple(types), group_visibility, limit))
    if len(groups) > 1:
        results.sort(key=lambda r: (-r.score, index_title(r.title), r.object_type, r.object_id))
    return results[:limit]


def _search(
    parsed: ParsedQuery,
    types: tuple[str, ...] | None,
    visibility: Visibility,
    limit: int,
) -> list[SearchResult]:
    if visibility.sees_nothing or types == ():
        return []
    engine = current_engine()
    with connection.cursor() as cursor:
        if parsed.kind == "short":
            rows = engine.title_prefix(cursor, parsed.normalized, visibility, types, limit)
            return [_result(row, _score_short(parsed, row)) for row in rows]
        if parsed.kind == "phone":
            results = _tiered(
                engine, cursor, "digits", parsed, visibility, types, limit, _phone_clauses
            )
            if results:
                return results
            parsed = ParsedQuery(parsed.raw, parsed.normalized, "text", _words(parsed.normalized))
        results = _tiered(engine, cursor, "text", parsed, visibility, types, limit, _text_clauses)
        if results:
            return results
        return _fuzzy(engine, cursor, parsed, visibility, types, limit)


# --- tiers -------------------------------------------------------------------------------


def _words(normalized: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(normalized.split(" ")))


def _clause(word: str, tier: Tier) -> Clause:
    """Look for ``word`` in ``tier``: by trigram index when long enough, by piece if anchored."""
    phrase = pattern(word, tier)
    piece = anchored_piece(word, tier)
    return Clause(
        likes=(f"%{like_escape(phrase)}%",),
        phrases=(phrase,) if len(phrase) >= MIN_PHRASE else (),
        pieces=(piece,) if piece else (),
        probe=probable_piece(word) if tier == "substring" else None,
    )


def _text_clauses(words: tuple[str, ...], tier: Tier) -> list[Clause]:
    return [_clause(word, tier) for word in words]


def _phone_clauses(variants: tuple[str, ...], tier: Tier) -> list[Clause]:
    # Any of the digit forms may match (e.g. "0049..." also as "49...").
    # Phone digits are not in PostgreSQL's word table: no pieces, trigram look-ups.
    phrases = tuple(pattern(v, tier) for v in variants)
    return [Clause(likes=tuple(f"%{p}%" for p in phrases), phrases=phrases)]


ClauseBuilder = Callable[[tuple[str, ...], Tier], list[Clause]]


def _tiered(
    engine: Engine,
    cursor: object,
    column: Column,
    parsed: ParsedQuery,
    visibility: Visibility,
    types: tuple[str, ...] | None,
    limit: int,
    build: ClauseBuilder,
) -> list[SearchResult]:
    cap = max(CANDIDATE_CAP, limit)
    found: dict[int, Candidate] = {}

    def fetch(tier: Tier) -> int | None:
        """Add a tier's rows; how many it had (None: nothing the index can look up)."""
        clauses = build(parsed.words, tier)
        if not any(clause.phrases for clause in clauses):
            return None  # a scan would be too slow
        rows = engine.match(cursor, column, clauses, visibility, types, cap)
        for row in rows:
            found.setdefault(row.id, row)
        return len(rows)

    # Every exact or prefix match is also a substring match: when the substring tier is not
    # cut off by the cap it holds every match, and one query is enough. Selective queries
    # (phone digits, a long word, an email or domain fragment) try that first. Short words
    # match too many rows for it: they start with the selective tiers, and the substring
    # tier runs only if those find fewer than ``limit`` records.
    selective = column == "digits" or any(
        len(w) >= SELECTIVE_WORD or not w.isalpha() for w in parsed.words
    )
    # PostgreSQL: phone digits are not in the word table (every tier is a trigram look-up),
    # and a fragment with punctuation ("gmx.de") is looked up as a substring only: its exact
    # and prefix tiers would scan every word "gmx" for the rare one followed by ".de ". When
    # such a fragment matches more than the cap, the best of a sample of the cap are shown.
    punctuated = any(not w.isalnum() for w in parsed.words)
    tiers_after = engine.substring_first or column == "digits"
    if selective and (tiers_after or punctuated):
        substring = fetch("substring")
        if (substring is not None and substring < cap) or not tiers_after:
            order: tuple[Tier, ...] = ()
        else:
            order = ("exact", "prefix")
    else:
        order = ("exact", "prefix", "substring")
    for tier in order:
        fetched = fetch(tier)
        if fetched is not None and fetched >= limit:
            break
        if tier == "prefix" and len(found) >= limit:
            break
    score = _score_phone if column == "digits" else _score_text
    scored = [(score(parsed, row), row) for row in found.values()]
    return _top(((s, row) for s, row in scored if s > 0), limit)


def _top(scored: Iterable[tuple[float, Candidate]], limit: int) -> list[SearchResult]:
    ranked = heapq.nsmallest(
        limit, scored, key=lambda item: (-item[0], item[1].title_norm, item[1].id)
    )
    return [_result(row, s) for s, row in ranked]


def _result(row: Candidate, score: float) -> SearchResult:
    return SearchResult(
        object_type=row.object_type,
        object_id=row.object_id,
        title=row.title,
        subtitle=row.subtitle,
        score=score,
    )


# --- scores ------------------------------------------------------------------------------


def _padded_title(title_norm: str) -> str:
    if title_norm.replace(" ", "").isalnum():  # no punctuation: the words are the title
        return f" {title_norm} "
    return " " + " ".join(index_words(title_norm)) + " "


def _score_short(parsed: ParsedQuery, row: Candidate) -> float:
    return 5.0 if row.title_norm == parsed.normalized else 3.5


def _score_text(parsed: ParsedQuery, row: Candidate) -> float:
    if row.title_norm == parsed.normalized:
        return 5.0
    in_text = tier_of(parsed.words, row.text)
    if not in_text:
        return 0.0
    in_title = tier_of(parsed.words, _padded_title(row.title_norm))  # title words are in text
    return float(max(in_text, in_title + 0.5 if in_title else 0))


def _score_phone(parsed: ParsedQuery, row: Candidate) -> float:
    return float(max(tier_of((variant,), row.digits) for variant in parsed.words))


# --- typo tolerance ----------------------------------------------------------------------


def edit_patterns(word: str) -> list[str]:
    """``LIKE`` patterns for a stored word (or word start) one edit away from ``word``."""
    esc = like_escape
    variants: set[str] = {esc(word)}
    for i in range(len(word)):
        variants.add(esc(word[:i]) + esc(word[i + 1 :]))  # missing character
        variants.add(esc(word[:i]) + "_" + esc(word[i + 1 :]))  # wrong character
        if i + 1 < len(word):  # swapped characters
            variants.add(esc(word[:i] + word[i + 1] + word[i] + word[i + 2 :]))
    for i in range(len(word) + 1):
        variants.add(esc(word[:i]) + "_" + esc(word[i:]))  # extra character
    return sorted(f"% {variant}%" for variant in variants if variant)


def fuzzy_phrases(word: str) -> tuple[str, ...]:
    """Index look-ups that find every word one edit away from ``word`` (a superset).

    One edit leaves the first or the second half intact (pigeonhole); a swap across the
    middle breaks both, so the swapped word's first half is looked up as well.
    """
    half = len(word) // 2
    right = word[half:]
    swapped = word[: half - 1] + word[half] + word[half - 1] + word[half + 1 :]
    phrases = [" " + word[:half], right if len(right) >= MIN_PHRASE else right + " "]
    phrases.append(" " + swapped[:half])
    return tuple(dict.fromkeys(phrases))


def _fuzzy_clause(word: str) -> Clause:
    if len(word) < FUZZY_MIN_LENGTH:
        return _clause(word, "prefix")
    phrases = fuzzy_phrases(word)
    # The phrases that start a word can be word-table look-ups (PostgreSQL); the others stay
    # trigram look-ups. Without letter/digit-only starts, trigrams do it all.
    starts = [p.strip() for p in phrases if p.startswith(" ")]
    pieces = tuple((s, False) for s in starts) if all(map(_is_piece, starts)) else ()
    return Clause(
        likes=tuple(edit_patterns(word)),
        phrases=phrases,
        phrases_exact=False,
        pieces=pieces,
        pieces_complete=False,
    )


def _is_name(word: str) -> bool:
    return word.replace("-", "").replace("'", "").isalpha()


def _is_piece(value: str) -> bool:
    return bool(value) and value.isalnum()


def word_similarity(word: str, stored_words: Sequence[str]) -> float:
    """1.0 for an equal word, less for a word or word start at an edit distance."""
    best = 0.0
    size = len(word)
    for stored in stored_words:
        if stored == word:
            return 1.0
        whole = 1 - OSA.distance(word, stored) / max(size, len(stored))
        start = min(OSA.distance(word, stored[: size + k]) for k in (-1, 0, 1))
        best = max(best, whole, 0.9 * (1 - start / size))
    return best


def _fuzzy(
    engine: Engine,
    cursor: object,
    parsed: ParsedQuery,
    visibility: Visibility,
    types: tuple[str, ...] | None,
    limit: int,
) -> list[SearchResult]:
    if not any(len(word) >= FUZZY_MIN_LENGTH for word in parsed.words):
        return []
    if not all(_is_name(word) for word in parsed.words):
        return []  # typos are looked for in names, not in emails, domains or numbers
    clauses = [_fuzzy_clause(word) for word in parsed.words]
    cap = max(FUZZY_CANDIDATE_CAP, limit)
    rows = engine.match(cursor, "text", clauses, visibility, types, cap)
    unique = {row.id: row for row in rows}  # a row can come from several look-ups
    scored = []
    for row in unique.values():
        stored = row.text.split()
        similarity = sum(word_similarity(w, stored) for w in parsed.words) / len(parsed.words)
        scored.append((round(similarity, 4), row))
    return _top(scored, limit)
