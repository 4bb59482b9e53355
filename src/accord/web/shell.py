"""What the shell itself registers: the Home entry, core palette commands, a dashboard panel.

Other apps register theirs the same way from their ``AppConfig.ready()``; see docs/ui.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from accord.core.registry import NavItem, PaletteCommand, Panel, registry


def _lazy(text: Any) -> str:
    """A lazily translated label, typed as ``str`` for the registry's dataclasses."""
    return cast(str, text)


@dataclass(frozen=True)
class Step:
    title: str
    text: str
    url: str
    done: bool
    icon: str


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def getting_started(request: HttpRequest) -> dict[str, Any]:
    """Steps of a new user's first day; steps of apps that are not installed are left out."""
    user = request.user
    candidates = [
        Step(
            title=_lazy(_("Add your first contact")),
            text=_lazy(_("People and companies are the heart of Accord.")),
            url=_url("contacts:contact_create") or _url("contacts:contact_list"),
            done=False,
            icon="user-plus",
        ),
        Step(
            title=_lazy(_("Import a spreadsheet")),
            text=_lazy(_("Bring your existing customers in from CSV or Excel.")),
            url=_url("imports:import_create") or _url("imports:import_list"),
            done=False,
            icon="file-spreadsheet",
        ),
        Step(
            title=_lazy(_("Set your time zone and language")),
            text=_lazy(_("Dates, numbers and money are shown the way you read them.")),
            url=_url("web:profile"),
            done=bool(getattr(user, "full_name", "")),
            icon="user-cog",
        ),
        Step(
            title=_lazy(_("Create an API token")),
            text=_lazy(_("Connect scripts and other tools to the JSON API.")),
            url=_url("accounts:token_list"),
            done=False,
            icon="key-round",
        ),
    ]
    steps = [step for step in candidates if step.url]
    return {"steps": steps, "done_count": sum(1 for step in steps if step.done)}


def register() -> None:
    registry.add_nav(
        NavItem(
            key="home",
            label=_lazy(_("Home")),
            url_name="web:home",
            icon="house",
            order=0,
            shortcut="g h",
        )
    )
    commands = [
        PaletteCommand(
            key="core.home",
            label=_lazy(_("Go to Home")),
            url_name="web:home",
            keywords="dashboard start",
            order=10,
            icon="house",
            shortcut="g h",
        ),
        PaletteCommand(
            key="core.search",
            label=_lazy(_("Search everything")),
            url_name="web:search",
            keywords="find lookup",
            order=20,
            icon="search",
            shortcut="/",
        ),
        PaletteCommand(
            key="core.profile",
            label=_lazy(_("Profile and preferences")),
            url_name="web:profile",
            keywords="settings account time zone language theme dark light",
            order=40,
            icon="user-cog",
            shortcut="g p",
        ),
        PaletteCommand(
            key="core.password",
            label=_lazy(_("Change password")),
            url_name="web:password_change",
            keywords="security account",
            order=50,
            icon="lock",
        ),
        PaletteCommand(
            key="core.api_tokens",
            label=_lazy(_("API tokens")),
            url_name="accounts:token_list",
            keywords="api keys integration",
            order=60,
            icon="key-round",
        ),
        PaletteCommand(
            key="core.admin",
            label=_lazy(_("Administration")),
            url_name="admin:index",
            keywords="admin users teams roles",
            order=80,
            icon="shield",
            permission=lambda user: bool(getattr(user, "is_staff", False)),
        ),
        PaletteCommand(
            key="core.logout",
            label=_lazy(_("Sign out")),
            url_name="accounts:logout",
            keywords="log out logout exit",
            order=900,
            icon="log-out",
            method="post",
        ),
    ]
    for command in commands:
        registry.add_command(command)
    registry.add_dashboard_panel(
        Panel(
            key="core.getting_started",
            title=_lazy(_("Getting started")),
            template="web/panels/getting_started.html",
            context=getting_started,
            order=10,
            width="half",
        )
    )
