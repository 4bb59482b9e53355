"""The audit trail: one row per change, written by services in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Origin(models.TextChoices):
    """How a change reached the service layer."""

    WEB = "web", _("Web")
    API = "api", _("API")
    JOB = "job", _("Background job")
    IMPORT = "import", _("Import")
    CLI = "cli", _("Command line")
    AUTOMATION = "automation", _("Automation")
    SYSTEM = "system", _("System")


class Verb(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    MERGE = "merge", _("Merged")
    RESTORE = "restore", _("Restored")
    ERASE = "erase", _("Erased")
    CUSTOM = "custom", _("Other")


class AuditEntry(models.Model):
    """Who changed what, when, how, and the field-level before and after.

    ``changes`` is ``{field: [before, after]}`` with JSON values; foreign keys appear under
    their column name (``company_id``) and custom fields as ``custom.<key>``. ``batch`` groups
    the entries of one operation (an import, a bulk update) so it can be listed and undone.
    """

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_index=False,  # covered by audit_actor_at_idx
    )
    actor_label = models.CharField(_("actor"), max_length=255, blank=True)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    verb = models.CharField(_("verb"), max_length=20, choices=Verb.choices)
    # A finer name for custom verbs and domain actions, e.g. "deal.stage_changed".
    action = models.CharField(_("action"), max_length=100, blank=True)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("record type"),
        db_index=False,  # covered by audit_target_at_idx and audit_type_at_idx
    )
    target_id = models.CharField(_("record id"), max_length=64)
    target_repr = models.CharField(_("record"), max_length=255, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    batch = models.CharField(_("batch"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [
            # history of one record
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_at_idx"),
            # the admin log (newest first) and the retention purge
            models.Index(fields=["-at"], name="audit_at_idx"),
            # admin log filters
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
            models.Index(fields=["target_type", "-at"], name="audit_type_at_idx"),
            models.Index(fields=["origin", "-at"], name="audit_origin_at_idx"),
            # an import's or bulk operation's entries (undo)
            models.Index(
                fields=["batch", "verb"],
                name="audit_batch_idx",
                condition=~models.Q(batch=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.verb} {self.target_repr} at {self.at:%Y-%m-%d %H:%M}"
