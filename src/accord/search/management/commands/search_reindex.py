"""``accord search_reindex [--type T]``: rebuild the search index from the registered sources."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.search.registry import search_reindexers
from accord.search.services import search_index_optimize, search_index_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the search index from each registered reindexer (or one object type), then "
        "optimise it. Each type is replaced in one transaction: searches see the old rows "
        "until it commits."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--type",
            dest="object_types",
            action="append",
            metavar="T",
            help="Only this object type, e.g. contacts.contact (repeatable).",
        )
        parser.add_argument(
            "--no-optimize",
            action="store_true",
            help="Skip merging the index afterwards (faster; queries may be a little slower).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reindexers = search_reindexers()
        wanted: list[str] = options["object_types"] or list(reindexers)
        for object_type in wanted:
            if object_type not in reindexers:
                known = ", ".join(reindexers) or "none"
                raise CommandError(f"no reindexer for {object_type!r} (registered: {known})")
        for object_type in wanted:
            started = time.monotonic()
            count = search_index_rebuild(object_type, reindexers[object_type](object_type))
            seconds = time.monotonic() - started
            self.stdout.write(f"{object_type}: {count} rows indexed in {seconds:.1f} s")
        if not options["no_optimize"]:
            search_index_optimize()
            self.stdout.write("index optimised")
