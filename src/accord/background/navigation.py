"""Entries of the background app in the UI shell's registry."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _

from accord.background.policy import can_manage_jobs
from accord.core.registry import PaletteCommand, registry


def register() -> None:
    registry.add_command(
        PaletteCommand(
            key="background.jobs",
            label=cast(str, _("Background jobs")),  # lazy: translated when shown
            url_name="background:job_list",
            keywords="jobs queue workers periodic failed retry",
            order=900,
            permission=can_manage_jobs,
        )
    )
