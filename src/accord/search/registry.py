"""Reindexers: how ``accord search_reindex`` rebuilds each object type from its source.

A domain app registers one per object type it indexes, from its ``AppConfig.ready()``::

    from accord.search import IndexRow, search_reindexer_register

    def contact_index_rows(object_type: str) -> Iterator[IndexRow]:
        for contact in Contact.objects.iterator(chunk_size=2000):
            yield contact_index_row(contact)

    search_reindexer_register("contacts.contact", contact_index_rows)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from accord.search.types import IndexRow

Reindexer = Callable[[str], Iterable[IndexRow]]

_reindexers: dict[str, Reindexer] = {}


def search_reindexer_register(object_type: str, reindexer: Reindexer) -> None:
    """Register the function that yields every index row of ``object_type``."""
    _reindexers[object_type] = reindexer


def search_reindexer_unregister(object_type: str) -> None:
    _reindexers.pop(object_type, None)


def search_reindexers() -> dict[str, Reindexer]:
    """Registered reindexers by object type (a copy)."""
    return dict(sorted(_reindexers.items()))
