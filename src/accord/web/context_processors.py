"""Context every page of the shell needs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accord.core.registry import registry


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": registry.nav_for(user)}
