"""Django form fields for custom fields (the UI adds them to a record's form).

A custom field ``tier`` becomes the form field ``custom_tier``. The form only shapes input;
the service validates it again with ``clean_values`` (the one place the rules live), and
:func:`form_errors` moves the service's ``custom.tier`` errors onto ``custom_tier``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from accord.core.customfields import types
from accord.core.customfields.models import CustomFieldDefinition, FieldType
from accord.core.customfields.values import definitions_for

FORM_PREFIX = "custom_"


def form_field_name(key: str) -> str:
    return f"{FORM_PREFIX}{key}"


def _choices(definition: CustomFieldDefinition) -> list[tuple[str, str]]:
    return [(str(o["value"]), str(o.get("label") or o["value"])) for o in definition.options or []]


def form_field(definition: CustomFieldDefinition) -> forms.Field:
    """The form field of one definition (label, help text and required from the definition)."""
    common: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": definition.required,
    }
    kind = definition.field_type
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=types.TEXT_MAX, **common)
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(
            max_length=types.LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if kind in (FieldType.NUMBER, FieldType.DECIMAL):
        return forms.DecimalField(widget=forms.NumberInput(attrs={"step": "any"}), **common)
    if kind == FieldType.CURRENCY:
        return forms.CharField(
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "placeholder": f"0.00 {definition.currency}"}
            ),
            **common,
        )
    if kind == FieldType.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if kind == FieldType.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            **common,
        )
    if kind == FieldType.BOOLEAN:
        common["required"] = False  # "required" means "answered"; the service checks it
        return forms.NullBooleanField(**common)
    if kind == FieldType.SINGLE_SELECT:
        return forms.ChoiceField(choices=[("", "---------"), *_choices(definition)], **common)
    if kind == FieldType.MULTI_SELECT:
        return forms.MultipleChoiceField(
            choices=_choices(definition), widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == FieldType.URL:
        return forms.URLField(max_length=types.URL_MAX, assume_scheme="https", **common)
    if kind == FieldType.EMAIL:
        return forms.EmailField(max_length=types.EMAIL_MAX, **common)
    if kind == FieldType.PHONE:
        return forms.CharField(
            max_length=64, widget=forms.TextInput(attrs={"type": "tel"}), **common
        )
    raise ValueError(f"unknown field type {kind!r}")


def form_fields(
    object_type: str, *, definitions: Sequence[CustomFieldDefinition] | None = None
) -> dict[str, forms.Field]:
    """``{"custom_<key>": field}`` for the non-archived fields of ``object_type``, in order."""
    if definitions is None:
        definitions = definitions_for(object_type)
    return {form_field_name(d.key): form_field(d) for d in definitions if not d.is_archived}


def form_initial(
    custom: Mapping[str, Any] | None, definitions: Sequence[CustomFieldDefinition]
) -> dict[str, Any]:
    """Initial form values from a record's stored ``custom`` dict."""
    custom = custom or {}
    initial: dict[str, Any] = {}
    for definition in definitions:
        value = custom.get(definition.key)
        if value is None or definition.is_archived:
            continue
        if definition.field_type == FieldType.CURRENCY and isinstance(value, Mapping):
            value = f"{value.get('amount')} {value.get('currency')}"
        elif definition.field_type == FieldType.DATETIME and isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        initial[form_field_name(definition.key)] = value
    return initial


def values_from_form(
    cleaned_data: Mapping[str, Any], definitions: Sequence[CustomFieldDefinition]
) -> dict[str, Any]:
    """The ``values`` argument for ``clean_values`` (via the service) from a bound form."""
    values: dict[str, Any] = {}
    for definition in definitions:
        name = form_field_name(definition.key)
        if not definition.is_archived and name in cleaned_data:
            values[definition.key] = cleaned_data[name]
    return values


def form_errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError with ``custom.<key>`` renamed to ``custom_<key>``, for
    ``form.add_error(None, ...)``-style handling: ``for f, msgs in ...: form.add_error(f, msgs)``.
    """
    if not hasattr(error, "error_dict"):
        return {"__all__": error.messages}
    return {
        (form_field_name(k.removeprefix("custom.")) if k.startswith("custom.") else k): [
            message for e in errors for message in e.messages
        ]
        for k, errors in error.error_dict.items()
    }
