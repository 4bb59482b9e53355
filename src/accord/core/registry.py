"""Extension points that later apps register into.

The UI shell (``accord.web``) renders whatever is registered here; domain apps register from
their ``AppConfig.ready()``. ``core`` imports no domain app, so this is how they meet.

- ``navigation``: items in the main navigation (label, URL name, icon, order, keyboard shortcut).
- ``palette``: commands of the command palette (Ctrl-K) that are not records.
- ``search_providers``: functions ``(user, query, limit) -> list[SearchHit]`` the global search
  and command palette call; each must scope its results by the access policy.
- ``dashboard_panels``: panels of the home dashboard, rendered by a template with a context
  function ``(request) -> dict``.
- ``record_panels``: panels of a 360° view, per object type.
- ``demo_loaders``: functions ``(stdout, options) -> None`` that ``accord demo`` calls in
  ``order`` after it has created the demo teams and users, so each app adds its demo data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    icon: str = "circle"
    order: int = 100
    shortcut: str = ""  # e.g. "g c" = press g then c
    permission: Callable[[Any], bool] | None = None


@dataclass(frozen=True)
class PaletteCommand:
    key: str
    label: str
    url_name: str
    keywords: str = ""
    order: int = 100
    permission: Callable[[Any], bool] | None = None
    icon: str = "chevron-right"  # a Lucide icon name
    method: str = "get"  # "post" for commands that change state (e.g. sign out)
    shortcut: str = ""  # shown beside the command, e.g. "g h"


@dataclass(frozen=True)
class SearchHit:
    kind: str  # e.g. "contact"
    kind_label: str
    title: str
    url: str
    subtitle: str = ""
    score: float = 0.0


SearchProvider = Callable[[Any, str, int], list[SearchHit]]


@dataclass(frozen=True)
class DemoLoader:
    """Demo data of one app. ``load(stdout, options)`` runs inside ``accord demo``.

    ``options`` holds ``users`` (email -> User of the demo users), ``teams`` (name -> Team),
    ``password`` (the demo password) and ``force``. A loader is called once per run.
    """

    key: str
    load: Callable[[Any, dict[str, Any]], None]
    order: int = 100


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    template: str
    context: Callable[[HttpRequest], dict[str, Any]]
    order: int = 100
    width: str = "half"  # half | full | third
    permission: Callable[[Any], bool] | None = None


@dataclass
class Registry:
    navigation: dict[str, NavItem] = field(default_factory=dict)
    palette: dict[str, PaletteCommand] = field(default_factory=dict)
    search_providers: dict[str, SearchProvider] = field(default_factory=dict)
    dashboard_panels: dict[str, Panel] = field(default_factory=dict)
    record_panels: dict[str, dict[str, Panel]] = field(default_factory=dict)
    demo_loaders: dict[str, DemoLoader] = field(default_factory=dict)

    def add_nav(self, item: NavItem) -> None:
        self.navigation[item.key] = item

    def add_command(self, command: PaletteCommand) -> None:
        self.palette[command.key] = command

    def add_search_provider(self, key: str, provider: SearchProvider) -> None:
        self.search_providers[key] = provider

    def add_dashboard_panel(self, panel: Panel) -> None:
        self.dashboard_panels[panel.key] = panel

    def add_record_panel(self, object_type: str, panel: Panel) -> None:
        self.record_panels.setdefault(object_type, {})[panel.key] = panel

    def add_demo_loader(self, loader: DemoLoader) -> None:
        self.demo_loaders[loader.key] = loader

    def demo_loaders_in_order(self) -> list[DemoLoader]:
        return sorted(self.demo_loaders.values(), key=lambda loader: (loader.order, loader.key))

    def nav_for(self, user: Any) -> list[NavItem]:
        items = [i for i in self.navigation.values() if i.permission is None or i.permission(user)]
        return sorted(items, key=lambda i: (i.order, i.label))

    def commands_for(self, user: Any) -> list[PaletteCommand]:
        items = [c for c in self.palette.values() if c.permission is None or c.permission(user)]
        return sorted(items, key=lambda c: (c.order, c.label))

    def dashboard_for(self, user: Any) -> list[Panel]:
        panels = [
            p for p in self.dashboard_panels.values() if p.permission is None or p.permission(user)
        ]
        return sorted(panels, key=lambda p: (p.order, p.title))

    def record_panels_for(self, object_type: str, user: Any) -> list[Panel]:
        panels = [
            p
            for p in self.record_panels.get(object_type, {}).values()
            if p.permission is None or p.permission(user)
        ]
        return sorted(panels, key=lambda p: (p.order, p.title))


registry = Registry()
