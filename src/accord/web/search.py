"""Global search and the command palette.

Palette commands come from ``registry.palette``; records come from every registered search
provider. Each provider scopes its hits by the access policy itself; a provider that fails is
logged and left out, so one broken app never breaks search for everyone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from accord.core.registry import PaletteCommand, SearchHit, registry

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class CommandMatch:
    command: PaletteCommand
    url: str


@dataclass
class HitGroup:
    label: str
    hits: list[SearchHit] = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    commands: list[CommandMatch] = field(default_factory=list)
    groups: list[HitGroup] = field(default_factory=list)
    failed_providers: list[str] = field(default_factory=list)

    @property
    def hit_count(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.commands and not self.groups


def clean_query(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def palette_commands(user: Any, query: str, *, limit: int = 8) -> list[CommandMatch]:
    """Commands whose label or keywords contain every word of ``query``.

    Label-prefix matches rank first. With an empty query every command is offered.
    """
    words = query.casefold().split()
    ranked: list[tuple[int, int, CommandMatch]] = []
    for position, command in enumerate(registry.commands_for(user)):
        try:
            url = reverse(command.url_name)
        except NoReverseMatch:
            continue
        label = str(command.label).casefold()
        haystack = f"{label} {str(command.keywords).casefold()}"
        if not all(word in haystack for word in words):
            continue
        rank = 0 if words and label.startswith(words[0]) else 1 if words else 0
        ranked.append((rank, position, CommandMatch(command=command, url=url)))
    ranked.sort(key=lambda entry: (entry[0], entry[1]))
    return [match for _rank, _position, match in ranked[:limit]]


def provider_hits(user: Any, query: str, *, limit: int) -> tuple[list[HitGroup], list[str]]:
    """Hits of every search provider, grouped by kind, and the keys of providers that failed."""
    groups: dict[str, HitGroup] = {}
    failed: list[str] = []
    if not query:
        return [], failed
    for key, provider in registry.search_providers.items():
        try:
            hits = list(provider(user, query, limit))
        except Exception:
            logger.exception("search provider %s failed for a query", key)
            failed.append(key)
            continue
        for hit in sorted(hits, key=lambda h: -h.score)[:limit]:
            groups.setdefault(str(hit.kind_label), HitGroup(label=str(hit.kind_label)))
            groups[str(hit.kind_label)].hits.append(hit)
    return list(groups.values()), failed


def search(
    user: Any, raw_query: str | None, *, hit_limit: int, command_limit: int
) -> SearchResults:
    query = clean_query(raw_query)
    results = SearchResults(query=query)
    if command_limit:
        results.commands = palette_commands(user, query, limit=command_limit)
    results.groups, results.failed_providers = provider_hits(user, query, limit=hit_limit)
    return results
