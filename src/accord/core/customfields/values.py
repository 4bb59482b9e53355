"""Validating the custom values a service is about to write."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext

from accord.core.customfields import types
from accord.core.customfields.models import CustomFieldDefinition, FieldType


def definitions_for(
    object_type: str, *, include_archived: bool = False
) -> list[CustomFieldDefinition]:
    """The fields of ``object_type`` in display order (one query)."""
    definitions = CustomFieldDefinition.objects.filter(object_type=object_type)
    if not include_archived:
        definitions = definitions.filter(archived_at__isnull=True)
    return list(definitions.order_by("order", "id"))


def model_for(object_type: str) -> type[models.Model]:
    """The model behind ``object_type`` (``"contacts.contact"``); it must have ``custom``."""
    from accord.core.models import CustomFieldsMixin

    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        raise LookupError(f"{object_type!r} is not a model") from None
    if not issubclass(model, CustomFieldsMixin):
        raise LookupError(f"{object_type!r} has no custom fields (add CustomFieldsMixin)")
    return model


def has_custom_fields(object_type: str) -> bool:
    try:
        model_for(object_type)
    except LookupError:
        return False
    return True


def _equals(definition: CustomFieldDefinition, value: Any) -> Q:
    from accord.core.customfields.query import condition_for

    return condition_for(definition, "eq", value)


def taken_values(
    object_type: str,
    definition: CustomFieldDefinition,
    values: Iterable[Any],
    *,
    exclude_pks: Iterable[Any] = (),
) -> set[Any]:
    """Which of the (canonical) ``values`` other records already have for a unique field.

    One query for a whole batch: imports call this instead of checking row by row.
    """
    wanted = [v for v in dict.fromkeys(values) if v is not None]
    if not wanted:
        return set()
    from accord.core.customfields.query import value_expression

    model = model_for(object_type)
    condition = Q(pk__in=[])
    for value in wanted:
        condition |= _equals(definition, value)
    found = (
        model._default_manager.filter(condition)
        .exclude(pk__in=list(exclude_pks))
        .annotate(_taken=value_expression(definition))
        .values_list("_taken", flat=True)
    )
    numeric = definition.field_type in (FieldType.NUMBER, FieldType.DECIMAL)

    def normal(value: Any) -> Any:
        return types.to_decimal(value) if numeric else value

    found_normal = {normal(raw) for raw in found if raw is not None}
    return {value for value in wanted if normal(value) in found_normal}


def clean_values(
    object_type: str,
    values: Mapping[str, Any] | None,
    instance: models.Model | None = None,
    *,
    definitions: Sequence[CustomFieldDefinition] | None = None,
    check_unique: bool = True,
) -> dict[str, Any]:
    """Validate ``values`` and return the complete ``custom`` dict to store.

    - ``values`` maps field keys to raw input (JSON, form or CSV values); only the keys given
      are changed, ``None``/"" clears one. Values of archived fields already on the record are
      kept untouched; writing to an archived or unknown key is an error.
    - Creating (``instance`` is None or unsaved): defaults fill the missing fields, and every
      required field must end up with a value. Updating: a required field cannot be cleared
      (records created before the field was added are not blocked from other edits).
    - Unique fields are checked against all other records of the type (``check_unique=False``
      lets an import check a whole batch with :func:`taken_values` instead).

    Raises ``ValidationError`` with every problem at once, keyed ``custom.<key>``.
    Pass ``definitions`` (from :func:`definitions_for` with ``include_archived=True``) to save
    the query when cleaning many rows.
    """
    if definitions is None:
        definitions = definitions_for(object_type, include_archived=True)
    by_key = {d.key: d for d in definitions}
    if values is None:
        values = {}
    if not isinstance(values, Mapping):
        raise ValidationError({"custom": gettext("Enter an object of field keys and values.")})
    creating = instance is None or instance._state.adding
    stored = getattr(instance, "custom", None) if not creating else None
    result: dict[str, Any] = dict(stored) if isinstance(stored, Mapping) else {}
    errors: dict[str, list[str]] = {}
    changed: set[str] = set()
    for key, raw in values.items():
        definition = by_key.get(str(key))
        error_key = f"custom.{key}"
        if definition is None:
            errors[error_key] = [gettext("Unknown field.")]
            continue
        if definition.is_archived:
            errors[error_key] = [gettext("This field is archived.")]
            continue
        try:
            value = types.clean_value(definition, raw)
        except ValidationError as exc:
            errors[error_key] = exc.messages
            continue
        if value is None:
            if definition.required:
                errors[error_key] = [gettext("This field is required.")]
            result.pop(definition.key, None)
        else:
            result[definition.key] = value
        changed.add(definition.key)
    if creating:
        for definition in definitions:
            if definition.is_archived or definition.key in result:
                continue
            if definition.key in changed:
                continue  # explicitly cleared: already reported if required
            if definition.default is not None:
                result[definition.key] = definition.default
            elif definition.required:
                errors[definition.error_key] = [gettext("This field is required.")]
    if check_unique:
        for definition in definitions:
            if not definition.unique or definition.is_archived or definition.error_key in errors:
                continue
            value = result.get(definition.key)
            if value is None or (not creating and definition.key not in changed):
                continue
            exclude = [] if creating or instance is None else [instance.pk]
            if taken_values(object_type, definition, [value], exclude_pks=exclude):
                errors[definition.error_key] = [gettext("Another record already has this value.")]
    if errors:
        raise ValidationError(errors)
    return result


def visible_values(
    custom: Mapping[str, Any] | None, definitions: Sequence[CustomFieldDefinition]
) -> dict[str, Any]:
    """The values of the non-archived ``definitions`` (what pages, the API and exports show)."""
    custom = custom or {}
    return {d.key: custom.get(d.key) for d in definitions if not d.is_archived}
