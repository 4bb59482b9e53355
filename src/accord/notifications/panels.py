"""What the notifications app adds to the shell: a dashboard panel and a palette command."""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accord.core.registry import PaletteCommand, Panel, registry
from accord.notifications import selectors


def recent_unread(request: HttpRequest) -> dict[str, Any]:
    return {
        "notifications": selectors.notification_list(request.user, unread_only=True, limit=5),
        "unread_count": selectors.notification_unread_count(request.user),
    }


def register() -> None:
    registry.add_dashboard_panel(
        Panel(
            key="notifications.recent",
            title=cast(str, _("Notifications")),
            template="notifications/panel_recent.html",
            context=recent_unread,
            order=20,
            width="half",
        )
    )
    registry.add_command(
        PaletteCommand(
            key="notifications.list",
            label=cast(str, _("Notifications")),
            url_name="notifications:notification_list",
            keywords="inbox bell alerts unread",
            order=30,
            icon="bell",
            shortcut="g n",
        )
    )
