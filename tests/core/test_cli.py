"""accord help, createuser and demo."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.accounts.models import Membership, Team, User
from accord.cli import main
from accord.core.management.commands.demo import DEMO_DOMAIN, DEMO_PASSWORD
from accord.core.registry import DemoLoader, registry

ACCORD_COMMANDS = ["serve", "web", "createuser", "demo", "backup", "restore", "check"]


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin else {}
    call_command(*args, stdout=out, stderr=io.StringIO(), **extra)
    return out.getvalue()


def test_accord_without_arguments_lists_accords_commands(capsys: pytest.CaptureFixture[str]):
    main([])
    out = capsys.readouterr().out
    assert out.startswith("Accord: an open-source CRM.\n")
    for name in ACCORD_COMMANDS:
        assert f"\n  {name} " in out
    assert "accord help --all" in out
    # Django's long tail is not in the curated page.
    assert "squashmigrations" not in out


def test_accord_help_all_lists_djangos_commands(capsys: pytest.CaptureFixture[str]):
    main(["help", "--all"])
    out = capsys.readouterr().out
    assert "squashmigrations" in out
    assert "createuser" in out


@pytest.mark.parametrize("name", ACCORD_COMMANDS)
def test_every_command_has_help(name: str, capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: accord {name} ")
    assert len(out) > 300


def test_createuser_with_generated_password(db: None):
    out = run(
        "createuser",
        "--email",
        "Jane@Example.com",
        "--role",
        "sales-rep",
        "--team",
        "Sales North",
        "--full-name",
        "Jane Doe",
    )
    user = User.objects.get(email="jane@example.com")
    assert user.full_name == "Jane Doe"
    assert user.role is not None
    assert user.role.slug == "sales-rep"
    assert not user.is_staff
    assert not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert membership.team.name == "Sales North"
    assert membership.is_manager is False
    password_lines = [line for line in out.splitlines() if line.startswith("Password: ")]
    assert len(password_lines) == 1
    password = password_lines[0].removeprefix("Password: ")
    assert len(password) == 16
    assert user.check_password(password)


def test_createuser_reuses_existing_team_and_makes_managers_manage_it(db: None):
    team = Team.objects.create(name="Europe")
    run("createuser", "--email", "boss@example.com", "--role", "manager", "--team", "Europe")
    membership = Membership.objects.get(user__email="boss@example.com")
    assert membership.team == team
    assert membership.is_manager is True
    assert Team.objects.filter(name="Europe").count() == 1


def test_createuser_admin_may_use_the_admin_site(db: None):
    run("createuser", "--email", "root@example.com", "--role", "admin")
    user = User.objects.get(email="root@example.com")
    assert user.is_staff
    assert user.is_superuser
    assert user.memberships.count() == 0


def test_createuser_password_from_stdin_is_not_printed(db: None):
    out = run(
        "createuser",
        "--email",
        "kim@example.com",
        "--role",
        "marketer",
        "--password-stdin",
        stdin="a-long-enough-passphrase\n",
    )
    assert "a-long-enough-passphrase" not in out
    assert "Password:" not in out
    assert User.objects.get(email="kim@example.com").check_password("a-long-enough-passphrase")


def test_createuser_rejects_a_weak_password_from_stdin(db: None):
    with pytest.raises(CommandError, match=r"^password: This password is too short"):
        run(
            "createuser",
            "--email",
            "kim@example.com",
            "--role",
            "marketer",
            "--password-stdin",
            stdin="short\n",
        )
    assert not User.objects.filter(email="kim@example.com").exists()


def test_createuser_rejects_an_unknown_role_listing_the_valid_ones(db: None):
    with pytest.raises(CommandError) as error:
        run("createuser", "--email", "x@example.com", "--role", "boss", "--team", "New team")
    assert str(error.value) == (
        "--role: unknown role 'boss'; valid roles are: "
        "admin, manager, marketer, read-only, sales-rep, support-agent"
    )
    assert not User.objects.filter(email="x@example.com").exists()
    assert not Team.objects.filter(name="New team").exists()


def test_createuser_refuses_a_duplicate_email(db: None):
    run("createuser", "--email", "dup@example.com", "--role", "sales-rep")
    with pytest.raises(CommandError) as error:
        run("createuser", "--email", "DUP@example.com", "--role", "manager", "--team", "T")
    assert str(error.value) == "--email: a user with email dup@example.com already exists"
    assert User.objects.filter(email__iexact="dup@example.com").count() == 1
    assert not Team.objects.filter(name="T").exists()


def test_createuser_rejects_an_invalid_email(db: None):
    with pytest.raises(CommandError) as error:
        run("createuser", "--email", "not-an-email", "--role", "sales-rep")
    assert str(error.value) == "--email: 'not-an-email' is not a valid email address"


@pytest.fixture
def only_test_loader(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the registered demo loaders by one that records its calls."""
    calls: list[dict[str, Any]] = []

    def load(stdout: Any, options: dict[str, Any]) -> None:
        calls.append(options)
        stdout.write("test loader ran")

    monkeypatch.setattr(registry, "demo_loaders", {})
    registry.add_demo_loader(DemoLoader(key="test", load=load, order=10))
    return calls


def test_demo_creates_teams_and_users_and_calls_loaders_once(
    db: None, only_test_loader: list[dict[str, Any]]
):
    out = run("demo")
    demo_users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert demo_users.count() == 12
    assert sorted(Team.objects.values_list("name", flat=True)) == [
        "Asia Pacific",
        "Europe",
        "North America",
    ]
    roles = sorted(demo_users.values_list("role__slug", flat=True))
    assert roles.count("manager") == 3
    assert roles.count("sales-rep") == 6
    assert {"marketer", "support-agent", "read-only"} <= set(roles)
    manager = User.objects.get(email=f"dana.whitfield@{DEMO_DOMAIN}")
    assert manager.check_password(DEMO_PASSWORD)
    assert manager.time_zone == "America/New_York"
    assert Membership.objects.get(user=manager).is_manager is True
    viewer = User.objects.get(role__slug="read-only", email__endswith=DEMO_DOMAIN)
    assert viewer.teams.count() == 3
    assert DEMO_PASSWORD in out
    assert "test loader ran" in out
    assert len(only_test_loader) == 1
    options = only_test_loader[0]
    assert options["password"] == DEMO_PASSWORD
    assert options["force"] is False
    assert sorted(options["teams"]) == ["Asia Pacific", "Europe", "North America"]
    assert len(options["users"]) == 12


def test_demo_is_idempotent_and_force_runs_the_loaders_again(
    db: None, only_test_loader: list[dict[str, Any]]
):
    run("demo")
    out = run("demo")
    assert "already loaded (12 demo users)" in out
    assert len(only_test_loader) == 1
    assert User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count() == 12

    run("demo", "--force")
    assert len(only_test_loader) == 2
    assert only_test_loader[1]["force"] is True
    assert User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count() == 12
