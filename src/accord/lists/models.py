"""Saved views and column choices of lists (any record type, named by its object type)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.core.models import TimeStampedModel


class SavedView(TimeStampedModel):
    """A named set of filters, a sort and columns of one list.

    Private to its owner, or shared with one team (``shared_with_team``): members of that team
    see it; only the owner changes or deletes it. ``is_default`` opens it when the owner visits
    the list without parameters (at most one default per owner and list).
    """

    object_type = models.CharField(_("record type"), max_length=100)
    name = models.CharField(_("name"), max_length=100)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    shared_with_team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("shared with team"),
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    sort = models.CharField(_("sort"), max_length=120, blank=True)
    columns = models.JSONField(_("columns"), default=list, blank=True)
    is_default = models.BooleanField(_("default view"), default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        indexes = [
            models.Index(fields=["object_type", "owner"], name="lists_view_owner_idx"),
            models.Index(fields=["object_type", "shared_with_team"], name="lists_view_team_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "owner"],
                condition=Q(is_default=True),
                name="lists_view_one_default",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ListPreference(TimeStampedModel):
    """A user's columns of a list when no saved view is open."""

    object_type = models.CharField(_("record type"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences"
    )
    columns = models.JSONField(_("columns"), default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "object_type"], name="lists_pref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.object_type}"
