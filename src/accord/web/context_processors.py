"""Context every page of the shell needs.

Values that cost a query are callables, so a template (or an HTMX partial) that never
shows them never pays for them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from accord.core.registry import NavItem, registry
from accord.notifications.selectors import notification_unread_count


@dataclass(frozen=True)
class NavEntry:
    item: NavItem
    url: str
    active: bool


def nav_entries(request: HttpRequest) -> list[NavEntry]:
    """The navigation of the signed-in user, with URLs resolved and the current entry marked.

    An item whose URL does not resolve (an app that is not installed) is left out.
    """
    entries: list[NavEntry] = []
    home = reverse("web:home")
    for item in registry.nav_for(request.user):
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == home else request.path.startswith(url)
        entries.append(NavEntry(item=item, url=url, active=active))
    return entries


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "theme": "auto", "unread_notifications": 0}
    return {
        "nav_items": functools.partial(nav_entries, request),
        "theme": user.theme or "auto",
        "unread_notifications": functools.partial(notification_unread_count, user),
    }
