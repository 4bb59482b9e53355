"""Accord's search module: one index for every record type, on SQLite and PostgreSQL.

Domain apps write through the services (inside their own transactions) and read through
``search_query``; see ``docs/search.md``. ``accord.core`` does not import this package.

    from accord.search import IndexRow, Visibility, search_index_upsert, search_query
"""

from accord.search.registry import (
    Reindexer,
    search_reindexer_register,
    search_reindexer_unregister,
    search_reindexers,
)
from accord.search.selectors import search_query
from accord.search.services import (
    search_index_bulk_upsert,
    search_index_delete,
    search_index_delete_many,
    search_index_optimize,
    search_index_rebuild,
    search_index_upsert,
)
from accord.search.text import normalize
from accord.search.types import IndexRow, Result, SearchResult, Visibility

__all__ = [
    "IndexRow",
    "Reindexer",
    "Result",
    "SearchResult",
    "Visibility",
    "normalize",
    "search_index_bulk_upsert",
    "search_index_delete",
    "search_index_delete_many",
    "search_index_optimize",
    "search_index_rebuild",
    "search_index_upsert",
    "search_query",
    "search_reindexer_register",
    "search_reindexer_unregister",
    "search_reindexers",
]
