"""The engine of the current database connection (SQLite or PostgreSQL)."""

from __future__ import annotations

from django.db import connection

from accord.search.engines.base import Engine
from accord.search.engines.postgresql import PostgreSQLEngine
from accord.search.engines.sqlite import SQLiteEngine

_ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgreSQLEngine()}


class UnsupportedDatabase(RuntimeError):
    """The search index supports SQLite and PostgreSQL only."""


def current_engine() -> Engine:
    try:
        return _ENGINES[connection.vendor]
    except KeyError:
        raise UnsupportedDatabase(f"search does not support {connection.vendor}") from None
