"""Admin-defined fields per object type; values live in each record's ``custom`` JSON."""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.models import TimeStampedModel

KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
KEY_RE = re.compile(KEY_PATTERN)


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DECIMAL = "decimal", _("Decimal")
    CURRENCY = "currency", _("Currency")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes or no")
    SINGLE_SELECT = "single_select", _("Single select")
    MULTI_SELECT = "multi_select", _("Multi select")
    URL = "url", _("URL")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


SELECT_TYPES = frozenset({FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT})
# Types whose values can be required to be unique across records.
UNIQUE_TYPES = frozenset(
    {
        FieldType.TEXT,
        FieldType.NUMBER,
        FieldType.DECIMAL,
        FieldType.DATE,
        FieldType.DATETIME,
        FieldType.URL,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.SINGLE_SELECT,
    }
)


class CustomFieldDefinition(TimeStampedModel):
    """One custom field of one object type (e.g. ``tier`` on ``contacts.contact``).

    The key is the name of the value in ``record.custom`` and in the API; it never changes and
    is never reused (an archived field keeps its key and its values, and restoring it brings
    them back). Change definitions only through ``customfields.services``.
    """

    object_type = models.CharField(_("record type"), max_length=100)
    key = models.CharField(
        _("key"),
        max_length=63,
        validators=[
            RegexValidator(
                KEY_PATTERN,
                _("Use lower-case letters, digits and underscores, starting with a letter."),
            )
        ],
    )
    label = models.CharField(_("label"), max_length=200)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    # Select options: [{"value": "gold", "label": "Gold"}, ...]; values are keys like ``key``.
    options = models.JSONField(_("options"), default=list, blank=True)
    # ISO 4217 code used when a currency value is given without one.
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    required = models.BooleanField(_("required"), default=False)
    unique = models.BooleanField(_("unique"), default=False)
    # The canonical JSON value applied when a record is created without this field.
    default = models.JSONField(_("default"), null=True, blank=True)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        app_label = "core"
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["object_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "key"], name="customfield_type_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.object_type}.{self.key})"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def error_key(self) -> str:
        """Key of this field in ValidationErrors raised by services: ``custom.<key>``."""
        return f"custom.{self.key}"

    def option_values(self) -> list[str]:
        return [str(option["value"]) for option in self.options or []]
