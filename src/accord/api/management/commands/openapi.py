"""accord openapi: write the OpenAPI schema of /api/v1/ (docs/openapi.json is checked in)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def openapi_schema_text() -> str:
    """The schema as the checked-in file holds it: indented JSON, keys in ninja's order."""
    from accord.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


class Command(BaseCommand):
    help = (
        "Print the OpenAPI 3.1 schema of the JSON API, or write it with -o. "
        "After changing an endpoint run `accord openapi -o docs/openapi.json` and commit the "
        "file; a test fails while it is stale. --check exits with status 1 if the file differs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write to FILE instead of standard output."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="With -o: do not write; fail if FILE is not the current schema.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_schema_text()
        output = options["output"]
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if options["check"]:
            current = path.read_text(encoding="utf-8") if path.exists() else ""
            if current != text:
                self.stderr.write(f"{path} is stale: run `accord openapi -o {path}`.")
                raise SystemExit(1)
            self.stdout.write(f"{path} is current.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote the OpenAPI schema to {path}.")
