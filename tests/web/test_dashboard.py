"""The home dashboard renders registered panels in order, or a welcome state."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.core.registry import Panel, Registry

pytestmark = pytest.mark.django_db


def test_dashboard_shows_getting_started_and_notifications(user_client: Client) -> None:
    response = user_client.get(reverse("web:home"))
    assert response.status_code == 200
    keys = [entry["panel"].key for entry in response.context["panels"]]
    # The shell's own panels, in order; other apps (sales...) add theirs around them.
    shell_keys = [key for key in keys if key.startswith(("core.", "notifications."))]
    assert shell_keys == ["core.getting_started", "notifications.recent"]
    assert keys.index("core.getting_started") == 0
    html = response.content.decode()
    assert 'id="panel-coregetting_started"' in html
    assert "Set your time zone and language" in html
    assert "You are all caught up." in html


def test_getting_started_marks_profile_done_when_name_set(user_client: Client, user: User) -> None:
    response = user_client.get(reverse("web:home"))
    getting_started = response.context["panels"][0]["context"]
    profile_step = next(s for s in getting_started["steps"] if s.url == reverse("web:profile"))
    assert profile_step.done is True
    user.full_name = ""
    user.save(update_fields=["full_name"])
    response = user_client.get(reverse("web:home"))
    profile_step = next(
        s
        for s in response.context["panels"][0]["context"]["steps"]
        if s.url == reverse("web:profile")
    )
    assert profile_step.done is False


def test_registered_panel_renders_with_its_context(
    user_client: Client, isolated_registry: Registry, tmp_path: Any, settings: Any
) -> None:
    (tmp_path / "panel.html").write_text("<p class='probe'>{{ answer }}/{{ panel.key }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]},
    ]

    def context(request: HttpRequest) -> dict[str, Any]:
        return {"answer": f"42 for {request.user.email}"}

    isolated_registry.add_dashboard_panel(
        Panel(
            key="probe",
            title="Probe",
            template="panel.html",
            context=context,
            order=1,
            width="full",
        )
    )
    html = user_client.get(reverse("web:home")).content.decode()
    assert "<p class='probe'>42 for rep@example.com/probe</p>" in html
    assert 'class="card panel panel-full" id="panel-probe"' in html


def test_dashboard_without_panels_shows_welcome(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.dashboard_panels.clear()
    html = user_client.get(reverse("web:home")).content.decode()
    assert "Welcome to Accord" in html
    assert f'href="{reverse("web:profile")}"' in html


def test_panel_permission_hides_panel(user_client: Client, isolated_registry: Registry) -> None:
    isolated_registry.dashboard_panels.clear()
    isolated_registry.add_dashboard_panel(
        Panel(
            key="admins",
            title="Admins only",
            template="x.html",
            context=lambda r: {},
            permission=lambda user: False,
        )
    )
    response = user_client.get(reverse("web:home"))
    assert response.context["panels"] == []


def test_a_failing_panel_does_not_break_the_dashboard(
    user_client: Client, isolated_registry: Registry
) -> None:
    def broken(request: HttpRequest) -> dict[str, Any]:
        raise RuntimeError("report database offline")

    isolated_registry.add_dashboard_panel(
        Panel(key="broken", title="Broken panel", template="x.html", context=broken, order=1)
    )
    response = user_client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Broken panel" in html
    assert "This panel could not be loaded right now." in html
    assert "Getting started" in html
