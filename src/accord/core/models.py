"""Shared model bases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Every Accord row knows when it was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class OwnedModel(models.Model):
    """A record that belongs to a user and a team: the two columns the access policy scopes by.

    ``accord.core.policy.scope()`` turns a role's scope into ``owner_id = <user>`` and/or
    ``team_id IN (<the user's teams>)``; both columns are indexed. A record with no team is
    seen by its owner and by roles with the ``all`` scope only. Users and teams are never
    deleted while they own records (PROTECT): deactivate the user or move the records first.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
        db_index=True,
    )
    team = models.ForeignKey(
        "accounts.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
        db_index=True,
    )

    class Meta:
        abstract = True


class CustomFieldsMixin(models.Model):
    """Values of admin-defined custom fields, keyed by field key (see ``accord.core.customfields``).

    Values are written only through ``customfields.clean_values()`` (called by services), so
    every stored value has the canonical JSON form of its type; values of archived fields stay.
    """

    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True


# Concrete models of the shared kernel live in their packages; importing them here registers
# them with the ``core`` app. Keep these imports last: those modules import the bases above.
from accord.core.audit.models import AuditEntry  # noqa: E402
from accord.core.customfields.models import CustomFieldDefinition  # noqa: E402

__all__ = [
    "AuditEntry",
    "CustomFieldDefinition",
    "CustomFieldsMixin",
    "OwnedModel",
    "TimeStampedModel",
]
