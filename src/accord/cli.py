"""The `accord` command: Django's manage.py with a curated help page.

``accord`` or ``accord --help`` lists Accord's own commands with one line each;
``accord help --all`` lists every Django management command; ``accord help NAME`` or
``accord NAME --help`` explains one command.
"""

from __future__ import annotations

import os
import sys

# Accord's commands as users meet them, in the order a newcomer needs them. A command is only
# listed when it is installed (some arrive with later apps).
CURATED_COMMANDS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Run",
        [
            ("serve", "web server and one job worker together; migrates first (make run)"),
            ("web", "the web server alone (gunicorn), e.g. several behind a proxy"),
            ("worker", "a background job worker alone; run as many as you need"),
        ],
    ),
    (
        "Set up",
        [
            ("migrate", "create or upgrade the database tables (safe to run again)"),
            ("createuser", "add a user with a role and team; prints a password once"),
            ("demo", "load realistic demo teams, users and records"),
            ("token", "create, list and revoke personal API tokens"),
        ],
    ),
    (
        "Data",
        [
            ("import", "import records from CSV or XLSX"),
            ("export", "export records to CSV or XLSX"),
            ("backup", "online, consistent copy of the SQLite database and uploaded files"),
            ("restore", "replace the SQLite database with a backup (server stopped)"),
        ],
    ),
    (
        "Maintain",
        [
            ("check", "check the configuration; add --deploy for production settings"),
            ("collectstatic", "gather static files for the web server (make install does it)"),
            ("search_reindex", "rebuild the global search index"),
            ("openapi", "write the OpenAPI schema of the JSON API (/api/v1/)"),
            ("changepassword", "set a user's password"),
            ("shell", "a Python shell with Accord loaded"),
            ("dbshell", "the database's own shell (sqlite3 or psql)"),
        ],
    ),
]


def _available_commands() -> set[str] | None:
    """Names of the installed management commands, or None if settings cannot be loaded."""
    try:
        import django
        from django.core.management import get_commands

        django.setup()
        return set(get_commands())
    except Exception:
        return None


def curated_help() -> str:
    available = _available_commands()
    lines = [
        "Accord: an open-source CRM.",
        "",
        "Usage: accord COMMAND [OPTIONS]     (accord COMMAND --help for its options)",
    ]
    for section, commands in CURATED_COMMANDS:
        shown = [(n, t) for n, t in commands if available is None or n in available]
        if not shown:
            continue
        lines += ["", f"{section}:"]
        lines += [f"  {name:<15} {text}" for name, text in shown]
    lines += [
        "",
        "accord help --all lists every command, including Django's own.",
        "Configuration comes from ACCORD_* environment variables: see .env.example and",
        "docs/operations.md.",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    args = list(argv if argv is not None else sys.argv[1:])

    from accord.config import ConfigError

    try:
        if not args or args in (["-h"], ["--help"], ["help"]):
            sys.stdout.write(curated_help())
            return
        if args[0] == "help" and "--all" in args[1:]:
            args = ["help", *[a for a in args[1:] if a != "--all"]]
        from django.core.management import execute_from_command_line

        execute_from_command_line(["accord", *args])
    except ConfigError as exc:
        print(f"accord: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
