"""What the sales app adds to the shell: navigation, palette commands, the deal list and the
dashboard and record panels.

Called from ``SalesConfig.ready()`` (``navigation.register_all()``).
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from accord.core import policy
from accord.core.registry import NavItem, PaletteCommand, registry


def can_manage_settings(user: Any) -> bool:
    return policy.has_capability(user, "manage_settings")


def register_all() -> None:
    from accord.sales import panels
    from accord.sales.views import listing

    listing.register_all()
    panels.register_all()
    registry.add_nav(
        NavItem(
            key="deals",
            label=cast(str, _("Deals")),
            url_name="sales:deal_board",
            icon="handshake",
            order=20,
            shortcut="g d",
        )
    )
    registry.add_nav(
        NavItem(
            key="forecast",
            label=cast(str, _("Forecast")),
            url_name="sales:forecast",
            icon="chart-line",
            order=21,
            shortcut="g f",
        )
    )
    commands: list[tuple[str, Any, str, str, str, int, str, Any]] = [
        (
            "deals.board",
            _("Go to the deal board"),
            "sales:deal_board",
            "pipeline kanban deals opportunities",
            "kanban",
            150,
            "g d",
            None,
        ),
        (
            "deals.list",
            _("Go to the deal list"),
            "sales:deal_list",
            "deals opportunities table",
            "list",
            151,
            "",
            None,
        ),
        (
            "deals.forecast",
            _("Go to the forecast"),
            "sales:forecast",
            "quota target revenue",
            "chart-line",
            152,
            "g f",
            None,
        ),
        (
            "deals.create",
            _("New deal"),
            "sales:deal_create",
            "add create opportunity",
            "circle-plus",
            102,
            "",
            None,
        ),
        (
            "deals.health",
            _("Process health"),
            "sales:process_health",
            "stalled held up next step manager report",
            "heart-pulse",
            120,
            "",
            None,
        ),
        (
            "deals.stages",
            _("Stage report"),
            "sales:stage_report",
            "conversion win rate days per stage report",
            "chart-column",
            121,
            "",
            None,
        ),
        (
            "deals.settings",
            _("Pipeline settings"),
            "sales:pipeline_settings",
            "stages lost reasons exchange rates targets currency",
            "settings",
            130,
            "",
            can_manage_settings,
        ),
    ]
    for key, label, url_name, keywords, icon, order, shortcut, permission in commands:
        registry.add_command(
            PaletteCommand(
                key=key,
                label=cast(str, label),
                url_name=url_name,
                keywords=keywords,
                icon=icon,
                order=order,
                shortcut=shortcut,
                permission=permission,
            )
        )
