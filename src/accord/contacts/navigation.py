"""What the contacts app adds to the shell: navigation, palette commands and its lists.

Called from ``ContactsConfig.ready()`` (``navigation.register_all()``).
"""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _

from accord.core.registry import NavItem, PaletteCommand, registry


def register_all() -> None:
    from accord.contacts import listing

    listing.register_all()
    registry.add_nav(
        NavItem(
            key="contacts",
            label=cast(str, _("Contacts")),
            url_name="contacts:contact_list",
            icon="users",
            order=10,
            shortcut="g c",
        )
    )
    registry.add_nav(
        NavItem(
            key="companies",
            label=cast(str, _("Companies")),
            url_name="contacts:company_list",
            icon="building-2",
            order=11,
            shortcut="g o",
        )
    )
    commands = [
        (
            "contacts.list",
            _("Go to Contacts"),
            "contacts:contact_list",
            "people persons",
            "users",
            20,
            "g c",
        ),
        (
            "companies.list",
            _("Go to Companies"),
            "contacts:company_list",
            "organisations accounts",
            "building-2",
            21,
            "g o",
        ),
        (
            "contacts.create",
            _("New contact"),
            "contacts:contact_create",
            "add create person lead",
            "user-plus",
            100,
            "",
        ),
        (
            "companies.create",
            _("New company"),
            "contacts:company_create",
            "add create organisation account",
            "building",
            101,
            "",
        ),
        (
            "contacts.duplicates",
            _("Find duplicate contacts"),
            "contacts:contact_duplicates",
            "merge dedupe",
            "copy",
            110,
            "",
        ),
    ]
    for key, label, url_name, keywords, icon, order, shortcut in commands:
        registry.add_command(
            PaletteCommand(
                key=key,
                label=cast(str, label),
                url_name=url_name,
                keywords=keywords,
                icon=icon,
                order=order,
                shortcut=shortcut,
            )
        )
