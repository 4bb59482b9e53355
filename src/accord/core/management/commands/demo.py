"""accord demo: realistic demo teams, users and (through registered loaders) records."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from accord.core.management.users import UserInputError, create_user
from accord.core.registry import registry

DEMO_PASSWORD = "accord-demo"  # noqa: S105 - printed on purpose; demo data only
DEMO_DOMAIN = "demo.example.com"

# (team, time zone, language, manager, reps)
DEMO_TEAMS: list[tuple[str, str, str, str, list[str]]] = [
    ("North America", "America/New_York", "en", "Dana Whitfield", ["Marcus Lee", "Priya Shah"]),
    ("Europe", "Europe/Berlin", "de", "Jonas Becker", ["Camille Martin", "Lucía Romero"]),
    ("Asia Pacific", "Asia/Singapore", "en", "Mei Tan", ["Arjun Rao", "Hana Kobayashi"]),
]
# (role, full name): members of every team.
DEMO_SPECIALISTS: list[tuple[str, str]] = [
    ("marketer", "Olivia Grant"),
    ("support-agent", "Sam Okafor"),
    ("read-only", "Ravi Kapoor"),
]


def demo_email(full_name: str) -> str:
    first, *rest = full_name.lower().replace("í", "i").split()
    return f"{first}.{rest[-1] if rest else 'user'}@{DEMO_DOMAIN}"


class Command(BaseCommand):
    help = (
        "Load realistic demo data: three teams, each with a manager and two sales reps, "
        f"plus a marketer, a support agent and a read-only user (password {DEMO_PASSWORD!r}, "
        f"emails at {DEMO_DOMAIN}), then the demo records of every installed app. "
        "Does nothing when demo data is already loaded, unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the apps' demo records again even if demo data exists "
            "(demo users that exist are reused).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        existing = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").count()
        if existing and not options["force"]:
            self.stdout.write(
                f"Demo data is already loaded ({existing} demo users); nothing to do. "
                "Use --force to load the demo records again."
            )
            return

        users: dict[str, Any] = {}
        teams: dict[str, Any] = {}
        with transaction.atomic():
            for team_name, time_zone, language, manager_name, rep_names in DEMO_TEAMS:
                people = [("manager", manager_name)] + [("sales-rep", n) for n in rep_names]
                for role, full_name in people:
                    users[demo_email(full_name)] = self.demo_user(
                        role, full_name, [team_name], time_zone, language
                    )
            all_teams = [team[0] for team in DEMO_TEAMS]
            for role, full_name in DEMO_SPECIALISTS:
                users[demo_email(full_name)] = self.demo_user(
                    role, full_name, all_teams, "UTC", "en"
                )
            Team = apps.get_model("accounts", "Team")
            teams = {team.name: team for team in Team.objects.filter(name__in=all_teams)}

            loader_options = {
                "users": users,
                "teams": teams,
                "password": DEMO_PASSWORD,
                "force": options["force"],
                "verbosity": options["verbosity"],
            }
            for loader in registry.demo_loaders_in_order():
                self.stdout.write(f"Loading demo data: {loader.key}")
                loader.load(self.stdout, loader_options)

        self.stdout.write(self.style.SUCCESS(f"Demo data loaded: {len(users)} demo users."))
        self.stdout.write(f"Sign in as any of them with the password {DEMO_PASSWORD!r}, e.g.:")
        for team_name, _tz, _lang, manager_name, rep_names in DEMO_TEAMS[:1]:
            self.stdout.write(f"  {demo_email(manager_name)}  (manager, {team_name})")
            self.stdout.write(f"  {demo_email(rep_names[0])}  (sales rep, {team_name})")

    def demo_user(
        self, role: str, full_name: str, team_names: list[str], time_zone: str, language: str
    ) -> Any:
        User = get_user_model()
        email = demo_email(full_name)
        user = User.objects.filter(email__iexact=email).first()
        if user is not None:
            return user
        try:
            return create_user(
                email=email,
                role=role,
                teams=team_names,
                full_name=full_name,
                password=DEMO_PASSWORD,
                validate=False,
                time_zone=time_zone,
                language=language,
            )
        except UserInputError as exc:
            raise CommandError(f"could not create demo user {email}: {exc}") from None
