"""accord createuser: add a user with a role and a team."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.management.users import UserInputError, create_user, generate_password


class Command(BaseCommand):
    help = (
        "Create a user who signs in with their email. The team is created if it does not exist; "
        "users with the manager role manage their teams, users with the admin role may also "
        "use the admin site. Without --password-stdin a random password is generated and "
        "printed once."
    )
    stealth_options = ("stdin",)  # call_command(..., stdin=io.StringIO(...)) in tests

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="Email address; signs in with it.")
        parser.add_argument(
            "--role",
            required=True,
            metavar="SLUG",
            help="Role slug: admin, manager, sales-rep, marketer, support-agent, read-only.",
        )
        parser.add_argument(
            "--team",
            action="append",
            default=[],
            metavar="NAME",
            help="Team to join (created if missing). Repeat for several teams.",
        )
        parser.add_argument("--full-name", default="", help="The person's name, shown in Accord.")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input instead of "
            "generating one (e.g. `printf '%%s\\n' \"$PASSWORD\" | accord createuser ...`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        generated = not options["password_stdin"]
        if generated:
            password = generate_password()
        else:
            stdin = options.get("stdin") or sys.stdin
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("--password-stdin: standard input had no password")
        try:
            user = create_user(
                email=options["email"],
                role=options["role"],
                teams=options["team"],
                full_name=options["full_name"],
                password=password,
                validate=not generated,
            )
        except UserInputError as exc:
            raise CommandError(str(exc)) from None

        teams = ", ".join(options["team"]) or "no team"
        self.stdout.write(
            self.style.SUCCESS(f"Created user {user.email} (role {options['role']}; {teams}).")
        )
        if generated:
            self.stdout.write(f"Password: {password}")
            self.stdout.write("It is shown only this once: store it in a password manager.")
