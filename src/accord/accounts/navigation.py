"""Entries of the accounts app in the UI shell: the Settings item and palette commands."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from accord.core import policy
from accord.core.registry import NavItem, PaletteCommand, registry


def can_manage_settings(user: Any) -> bool:
    return policy.has_capability(user, "manage_settings")


def can_view_audit_log(user: Any) -> bool:
    return policy.has_capability(user, "view_audit_log")


def can_open_settings(user: Any) -> bool:
    return can_manage_settings(user) or can_view_audit_log(user)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def register() -> None:
    registry.add_nav(
        NavItem(
            key="settings",
            label=cast(str, _("Settings")),
            url_name="settings:index",
            icon="settings",
            order=900,
            shortcut="g s",
            permission=can_open_settings,
        )
    )
    commands = [
        (
            "settings.users",
            _("Users"),
            "settings:user_list",
            "people invite deactivate",
            "users",
            can_manage_settings,
        ),
        (
            "settings.invite",
            _("Invite a user"),
            "settings:user_invite",
            "add person user new",
            "user-plus",
            can_manage_settings,
        ),
        (
            "settings.teams",
            _("Teams"),
            "settings:team_list",
            "groups members managers",
            "users-round",
            can_manage_settings,
        ),
        (
            "settings.roles",
            _("Roles and permissions"),
            "settings:role_list",
            "access matrix scopes capabilities",
            "shield",
            can_manage_settings,
        ),
        (
            "settings.custom_fields",
            _("Custom fields"),
            "settings:customfield_list",
            "fields attributes properties",
            "list-plus",
            can_manage_settings,
        ),
        (
            "settings.audit",
            _("Audit log"),
            "settings:audit_list",
            "history changes who",
            "history",
            can_view_audit_log,
        ),
        (
            "settings.explain",
            _("Explain access"),
            "settings:explain",
            "permissions why",
            "search-check",
            can_manage_settings,
        ),
        (
            "accounts.security",
            _("Sign-in and security"),
            "accounts:security",
            "two-factor 2fa totp sessions devices",
            "shield-check",
            _signed_in,
        ),
    ]
    for key, label, url_name, keywords, icon, permission in commands:
        registry.add_command(
            PaletteCommand(
                key=key,
                label=cast(str, label),
                url_name=url_name,
                keywords=keywords,
                order=700,
                icon=icon,
                permission=permission,
            )
        )
