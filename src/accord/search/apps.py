from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _clear_orphaned_fts(using: str = "default", **kwargs: Any) -> None:
    """After ``flush`` (which also sends post_migrate) empty the FTS5 index of an empty table.

    ``flush`` empties the model tables but knows nothing of the SQLite FTS5 index; left alone,
    it would keep entries for rows that no longer exist (tests that flush between cases, e.g.
    browser tests, do this all the time).
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "search_entry_fts" not in tables:
            return
        cursor.execute("SELECT 1 FROM search_entry LIMIT 1")
        if cursor.fetchone() is None:
            cursor.execute("INSERT INTO search_entry_fts(search_entry_fts) VALUES ('delete-all')")


class SearchConfig(AppConfig):
    name = "accord.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        post_migrate.connect(_clear_orphaned_fts, sender=self)
