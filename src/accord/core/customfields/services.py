"""Changing custom field definitions: every change checked, validated against existing data,
audited and announced. Values are never deleted: archive hides a field, restore shows it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext

from accord.core import audit, events, policy
from accord.core.customfields import types
from accord.core.customfields.models import (
    SELECT_TYPES,
    UNIQUE_TYPES,
    CustomFieldDefinition,
    FieldType,
)
from accord.core.customfields.query import value_expression
from accord.core.customfields.values import model_for

EDITABLE = frozenset(
    {
        "label",
        "field_type",
        "options",
        "currency",
        "required",
        "unique",
        "default",
        "help_text",
        "order",
    }
)
OPTION_VALUE_MAX = 100
CONVERT_CHUNK = 1000


@dataclass(frozen=True)
class CustomFieldsChanged(events.Event):
    """A definition of ``object_type`` was created, changed, archived or restored."""

    object_type: str
    key: str
    actor_id: int | None


def _clean_options(raw: Any) -> list[dict[str, str]]:
    if raw is None or raw == "":
        return []
    if not isinstance(raw, list):
        raise ValidationError({"options": gettext("Enter a list of options.")})
    options: list[dict[str, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"value": item, "label": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("value"), str):
            raise ValidationError(
                {f"options.{index}": gettext('Enter {"value": ..., "label": ...}.')}
            )
        value = item["value"].strip()
        label = str(item.get("label") or value).strip()
        if not value or len(value) > OPTION_VALUE_MAX or "," in value:
            raise ValidationError(
                {
                    f"options.{index}": gettext(
                        "An option value needs 1 to %(max)d characters and no comma."
                    )
                    % {"max": OPTION_VALUE_MAX}
                }
            )
        if value.casefold() in seen:
            raise ValidationError(
                {f"options.{index}": gettext("Duplicate option %(value)s.") % {"value": value}}
            )
        seen.add(value.casefold())
        options.append({"value": value, "label": label[:200]})
    return options


def _validate(definition: CustomFieldDefinition) -> None:
    """Check a definition on its own (not against existing values)."""
    definition.options = _clean_options(definition.options)
    definition.currency = (definition.currency or "").strip().upper()
    kind = definition.field_type
    errors: dict[str, list[str]] = {}
    if kind == FieldType.CURRENCY:
        definition.currency = definition.currency or types.default_currency(definition).upper()
        if not types.CURRENCY_RE.match(definition.currency):
            errors["currency"] = [gettext("Enter a three-letter currency code (ISO 4217).")]
    elif definition.currency:
        errors["currency"] = [gettext("Only currency fields have a currency.")]
    try:
        definition.full_clean(
            exclude=list(errors), validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind in SELECT_TYPES and not definition.options:
        errors.setdefault("options", []).append(gettext("A select field needs options."))
    if kind not in SELECT_TYPES and definition.options:
        errors.setdefault("options", []).append(gettext("Only select fields have options."))
    if definition.unique and kind not in UNIQUE_TYPES:
        errors.setdefault("unique", []).append(gettext("Values of this type cannot be unique."))
    if definition.default is not None and kind in FieldType.values and not errors:
        try:
            definition.default = types.clean_value(definition, definition.default)
        except ValidationError as exc:
            errors.setdefault("default", []).extend(exc.messages)
        if definition.unique and definition.default is not None:
            errors.setdefault("default", []).append(
                gettext("A unique field cannot have a default.")
            )
    if errors:
        raise ValidationError(errors)


def _announce(definition: CustomFieldDefinition, actor: Any) -> None:
    events.emit(
        CustomFieldsChanged(
            object_type=definition.object_type,
            key=definition.key,
            actor_id=getattr(actor, "pk", None),
        )
    )


def custom_field_create(
    *,
    actor: Any,
    object_type: str,
    key: str,
    label: str,
    field_type: str,
    options: list[Any] | None = None,
    currency: str = "",
    required: bool = False,
    unique: bool = False,
    default: Any = None,
    help_text: str = "",
    order: int | None = None,
) -> CustomFieldDefinition:
    """Define a new field; needs the ``manage_settings`` capability.

    A key is never reused within a type, even after archiving (restore the archived field).
    """
    policy.require_capability(actor, "manage_settings")
    try:
        model_for(object_type)
    except LookupError:
        raise ValidationError(
            {"object_type": gettext("This record type has no custom fields.")}
        ) from None
    with transaction.atomic():
        existing = CustomFieldDefinition.objects.filter(object_type=object_type, key=key).first()
        if existing is not None:
            message = (
                gettext("An archived field has this key: restore it instead.")
                if existing.is_archived
                else gettext("A field with this key exists.")
            )
            raise ValidationError({"key": message})
        if order is None:
            highest = CustomFieldDefinition.objects.filter(object_type=object_type).aggregate(
                highest=Max("order")
            )["highest"]
            order = 0 if highest is None else highest + 1
        definition = CustomFieldDefinition(
            object_type=object_type,
            key=key,
            label=label,
            field_type=field_type,
            options=options or [],
            currency=currency,
            required=required,
            unique=unique,
            default=default,
            help_text=help_text,
            order=order,
        )
        _validate(definition)
        definition.save()
        audit.record_create(definition, actor)
        _announce(definition, actor)
    return definition


def _records_with_value(definition: CustomFieldDefinition) -> models.QuerySet[Any]:
    model = model_for(definition.object_type)
    return model._default_manager.filter(**{"custom__has_key": definition.key}).order_by("pk")


def _convert_values(definition: CustomFieldDefinition, actor: Any) -> None:
    """Re-clean every stored value with the changed definition; refuse if any fails."""
    records = _records_with_value(definition)
    failures: list[tuple[Any, Any]] = []
    failed = 0
    converted: list[tuple[models.Model, Any, Any]] = []
    for record in records.only("pk", "custom").iterator(chunk_size=CONVERT_CHUNK):
        custom: dict[str, Any] = record.custom
        old = custom.get(definition.key)
        if old is None:
            continue
        try:
            new = types.clean_value(definition, old)
        except ValidationError:
            failed += 1
            if len(failures) < 3:
                failures.append((record.pk, old))
            continue
        if new != old:
            converted.append((record, old, new))
    if failed:
        examples = "; ".join(f"#{pk}: {value!r}" for pk, value in failures)
        raise ValidationError(
            {
                "field_type": gettext(
                    "%(count)d existing values do not fit the new settings (for example "
                    "%(examples)s). Change or clear them first."
                )
                % {"count": failed, "examples": examples}
            }
        )
    model = model_for(definition.object_type)
    for start in range(0, len(converted), CONVERT_CHUNK):
        chunk = converted[start : start + CONVERT_CHUNK]
        entries = []
        for record, old, new in chunk:
            record.custom[definition.key] = new  # type: ignore[attr-defined]
            entry = audit.build_entry(
                record, audit.Verb.UPDATE, actor, {f"custom.{definition.key}": [old, new]}
            )
            entries.append(entry)
        model._default_manager.bulk_update([r for r, _, _ in chunk], ["custom"])
        audit.record_bulk(entries)


def _check_unique(definition: CustomFieldDefinition) -> None:
    model = model_for(definition.object_type)
    duplicates = (
        model._default_manager.annotate(_value=value_expression(definition))
        .filter(_value__isnull=False)
        .values("_value")
        .annotate(_count=Count("pk"))
        .filter(_count__gt=1)
        .order_by()
    )
    clashing = duplicates.count()
    if clashing:
        raise ValidationError(
            {
                "unique": gettext(
                    "%(count)d values are used by more than one record; make them unique first."
                )
                % {"count": clashing}
            }
        )


def custom_field_update(
    *, actor: Any, definition: CustomFieldDefinition, **changes: Any
) -> CustomFieldDefinition:
    """Change a field's settings (not its key or record type); needs ``manage_settings``.

    When the type, options or currency change, every stored value is converted to the new
    settings in the same transaction (audited per record); if any value does not convert, the
    change is refused with the count and examples, and nothing changes. Turning ``unique`` on
    is refused while duplicates exist. Turning ``required`` on applies to new records and to
    edits of this field.
    """
    policy.require_capability(actor, "manage_settings")
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(
            {name: gettext("This setting cannot be changed.") for name in sorted(unknown)}
        )
    with transaction.atomic():
        definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        if definition.is_archived:
            raise ValidationError(
                {NON_FIELD_ERRORS: gettext("Restore the field before changing it.")}
            )
        before = audit.snapshot(definition)
        old_type, old_options = definition.field_type, list(definition.options or [])
        old_currency, old_unique = definition.currency, definition.unique
        for name, value in changes.items():
            setattr(definition, name, value)
        if (
            "field_type" in changes
            and "options" not in changes
            and (definition.field_type not in SELECT_TYPES)
        ):
            definition.options = []
        if "field_type" in changes and definition.field_type != FieldType.CURRENCY:
            definition.currency = "" if "currency" not in changes else definition.currency
        _validate(definition)
        if (
            definition.field_type != old_type
            or definition.options != old_options
            or definition.currency != old_currency
        ):
            _convert_values(definition, actor)
        if definition.unique and (not old_unique or definition.field_type != old_type):
            _check_unique(definition)
        definition.save()
        if audit.record_update(definition, actor, before) is not None:
            _announce(definition, actor)
    return definition


def custom_field_archive(*, actor: Any, definition: CustomFieldDefinition) -> CustomFieldDefinition:
    """Hide a field from forms, lists, filters, the API and exports; its values stay stored."""
    policy.require_capability(actor, "manage_settings")
    with transaction.atomic():
        definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        if definition.is_archived:
            return definition
        before = audit.snapshot(definition)
        definition.archived_at = timezone.now()
        definition.save(update_fields=["archived_at", "updated_at"])
        audit.record_update(definition, actor, before)
        _announce(definition, actor)
    return definition


def custom_field_restore(*, actor: Any, definition: CustomFieldDefinition) -> CustomFieldDefinition:
    """Show an archived field again, with the values records had when it was archived."""
    policy.require_capability(actor, "manage_settings")
    with transaction.atomic():
        definition = CustomFieldDefinition.objects.select_for_update().get(pk=definition.pk)
        if not definition.is_archived:
            return definition
        before = audit.snapshot(definition)
        definition.archived_at = None
        definition.save(update_fields=["archived_at", "updated_at"])
        audit.record(
            definition,
            audit.Verb.RESTORE,
            actor,
            changes=audit.diff(before, audit.snapshot(definition)),
        )
        _announce(definition, actor)
    return definition


def custom_field_reorder(*, actor: Any, object_type: str, keys: list[str]) -> None:
    """Set the display order of ``object_type``'s fields to the order of ``keys``."""
    policy.require_capability(actor, "manage_settings")
    with transaction.atomic():
        definitions = {
            d.key: d
            for d in CustomFieldDefinition.objects.select_for_update().filter(
                object_type=object_type
            )
        }
        unknown = [key for key in keys if key not in definitions]
        if unknown:
            raise ValidationError(
                {"keys": gettext("Unknown fields: %(keys)s.") % {"keys": ", ".join(unknown)}}
            )
        entries = []
        changed = []
        for position, key in enumerate(keys):
            definition = definitions[key]
            if definition.order != position:
                entries.append(
                    audit.build_entry(
                        definition,
                        audit.Verb.UPDATE,
                        actor,
                        {"order": [definition.order, position]},
                    )
                )
                definition.order = position
                changed.append(definition)
        CustomFieldDefinition.objects.bulk_update(changed, ["order"])
        audit.record_bulk(entries)
