"""Command palette and global search: commands, provider hits, failing providers."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accord.core.registry import PaletteCommand, Registry, SearchHit

pytestmark = pytest.mark.django_db


def contacts_provider(user: Any, query: str, limit: int) -> list[SearchHit]:
    people = ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    return [
        SearchHit(
            kind="contact",
            kind_label="Contacts",
            title=name,
            url=f"/contacts/{i}/",
            subtitle=f"{name.split()[0].lower()}@example.com",
            score=1.0,
        )
        for i, name in enumerate(people)
        if query.lower() in name.lower()
    ][:limit]


def broken_provider(user: Any, query: str, limit: int) -> list[SearchHit]:
    raise RuntimeError("index offline")


def test_palette_requires_login(client: Client) -> None:
    response = client.get(reverse("web:search_palette"), {"q": "home"})
    assert response.status_code == 302


def test_palette_without_query_lists_core_commands(user_client: Client) -> None:
    response = user_client.get(reverse("web:search_palette"))
    assert response.status_code == 200
    keys = [match.command.key for match in response.context["results"].commands]
    assert keys.index("core.home") < keys.index("core.search") < keys.index("core.profile")
    assert "core.admin" not in keys  # staff only
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-palette-item href="/"' in html


def test_palette_matches_label_and_keywords(user_client: Client) -> None:
    response = user_client.get(reverse("web:search_palette"), {"q": "dark theme"})
    keys = [match.command.key for match in response.context["results"].commands]
    assert keys == ["core.profile"]


def test_palette_sign_out_is_a_post_command(user_client: Client) -> None:
    html = user_client.get(reverse("web:search_palette"), {"q": "sign"}).content.decode()
    assert f'href="{reverse("accounts:logout")}"\n       data-method="post"' in html


def test_palette_admin_command_only_for_staff(admin_client: Client, user_client: Client) -> None:
    response = admin_client.get(reverse("web:search_palette"), {"q": "administration"})
    assert [match.command.key for match in response.context["results"].commands] == ["core.admin"]
    response = user_client.get(reverse("web:search_palette"), {"q": "administration"})
    assert response.context["results"].commands == []


def test_palette_returns_provider_hits(user_client: Client, isolated_registry: Registry) -> None:
    isolated_registry.add_search_provider("contacts", contacts_provider)
    response = user_client.get(reverse("web:search_palette"), {"q": "ada"})
    groups = response.context["results"].groups
    assert [(g.label, [h.title for h in g.hits]) for g in groups] == [
        ("Contacts", ["Ada Lovelace"])
    ]
    html = response.content.decode()
    assert 'href="/contacts/0/"' in html
    assert "ada@example.com" in html


def test_palette_survives_a_failing_provider(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.add_search_provider("broken", broken_provider)
    isolated_registry.add_search_provider("contacts", contacts_provider)
    response = user_client.get(reverse("web:search_palette"), {"q": "grace"})
    assert response.status_code == 200
    results = response.context["results"]
    assert results.failed_providers == ["broken"]
    assert [h.title for g in results.groups for h in g.hits] == ["Grace Hopper"]
    assert "Some results could not be searched right now." in response.content.decode()


def test_palette_hides_commands_whose_url_does_not_resolve(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.add_command(
        PaletteCommand(key="ghost", label="Ghost page", url_name="ghost:page")
    )
    response = user_client.get(reverse("web:search_palette"), {"q": "ghost"})
    assert response.context["results"].commands == []


def test_search_page_lists_hits_and_empty_state(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.add_search_provider("contacts", contacts_provider)
    html = user_client.get(reverse("web:search"), {"q": "turing"}).content.decode()
    assert "Alan Turing" in html
    assert "<html" in html
    empty = user_client.get(reverse("web:search"), {"q": "zzzz"}).content.decode()
    assert "Nothing matches “zzzz”" in empty


def test_search_page_htmx_renders_only_results(
    user_client: Client, isolated_registry: Registry
) -> None:
    isolated_registry.add_search_provider("contacts", contacts_provider)
    response = user_client.get(
        reverse("web:search"), {"q": "hopper"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="search-results"')
    assert "Grace Hopper" in html
