"""Custom fields in the JSON API.

The OpenAPI document is generated from static pydantic schemas, but custom fields change at
run time. The approach:

1. Record schemas have ``custom: dict[str, Any]`` declared with
   ``Field(default_factory=dict, json_schema_extra=custom_schema_extra("contacts.contact"))``;
   input is validated by the service (``clean_values``), errors keyed ``custom.<key>``.
2. ``GET /api/v1/custom-fields?object_type=contacts.contact`` lists the definitions
   (:func:`definition_payload`) with a JSON Schema per field.
3. The API's OpenAPI view passes its document through :func:`inject_openapi`, which replaces
   each marked ``custom`` property by an object schema of the fields defined right now. The
   checked-in ``openapi.json`` (made on an empty database) shows a free-form object.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from accord.core.customfields import types
from accord.core.customfields.models import CustomFieldDefinition, FieldType
from accord.core.customfields.values import definitions_for

MARKER = "x-accord-custom-fields"


class CurrencyValue(BaseModel):
    amount: str = Field(pattern=r"^-?\d+(\.\d+)?$", examples=["1250.00"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])


def json_schema(definition: CustomFieldDefinition) -> dict[str, Any]:
    """JSON Schema of the canonical value (what the API returns) of one field."""
    kind = definition.field_type
    schema: dict[str, Any]
    if kind == FieldType.TEXT:
        schema = {"type": "string", "maxLength": types.TEXT_MAX}
    elif kind == FieldType.LONG_TEXT:
        schema = {"type": "string", "maxLength": types.LONG_TEXT_MAX}
    elif kind == FieldType.NUMBER:
        schema = {"type": "number"}
    elif kind == FieldType.DECIMAL:
        schema = {"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"}
    elif kind == FieldType.CURRENCY:
        schema = {
            "type": "object",
            "properties": {
                "amount": {"type": "string", "format": "decimal"},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
            },
            "required": ["amount", "currency"],
        }
    elif kind == FieldType.DATE:
        schema = {"type": "string", "format": "date"}
    elif kind == FieldType.DATETIME:
        schema = {"type": "string", "format": "date-time"}
    elif kind == FieldType.BOOLEAN:
        schema = {"type": "boolean"}
    elif kind == FieldType.SINGLE_SELECT:
        schema = {"type": "string", "enum": definition.option_values()}
    elif kind == FieldType.MULTI_SELECT:
        schema = {
            "type": "array",
            "items": {"type": "string", "enum": definition.option_values()},
            "uniqueItems": True,
        }
    elif kind == FieldType.URL:
        schema = {"type": "string", "format": "uri", "maxLength": types.URL_MAX}
    elif kind == FieldType.EMAIL:
        schema = {"type": "string", "format": "email", "maxLength": types.EMAIL_MAX}
    elif kind == FieldType.PHONE:
        schema = {"type": "string", "description": "E.164", "pattern": r"^\+\d{3,15}$"}
    else:
        raise ValueError(f"unknown field type {kind!r}")
    schema["title"] = definition.label
    if definition.help_text:
        schema["description"] = definition.help_text
    return {"anyOf": [schema, {"type": "null"}], "title": definition.label}


def openapi_properties(
    object_type: str, *, definitions: Sequence[CustomFieldDefinition] | None = None
) -> dict[str, Any]:
    """Object schema of the ``custom`` property of ``object_type`` with today's fields."""
    if definitions is None:
        definitions = definitions_for(object_type)
    active = [d for d in definitions if not d.is_archived]
    return {
        "type": "object",
        "title": "Custom fields",
        "description": f"Custom fields of {object_type}; see GET /api/v1/custom-fields.",
        "properties": {d.key: json_schema(d) for d in active},
        "additionalProperties": False,
        MARKER: object_type,
    }


def custom_schema_extra(object_type: str) -> dict[str, Any]:
    """``json_schema_extra`` of a schema's ``custom`` field, marked for :func:`inject_openapi`."""
    return {
        MARKER: object_type,
        "description": f"Custom fields of {object_type}; see GET /api/v1/custom-fields.",
    }


def inject_openapi(document: Any) -> Any:
    """Fill every marked ``custom`` property of an OpenAPI document with today's fields.

    Walks the whole document (in place) and returns it; one query per object type.
    """
    cache: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            object_type = node.get(MARKER)
            if isinstance(object_type, str):
                if object_type not in cache:
                    cache[object_type] = openapi_properties(object_type)
                node.clear()
                node.update(cache[object_type])
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return document


def _python_type(definition: CustomFieldDefinition) -> Any:
    kind = definition.field_type
    if kind in (FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT):
        values = tuple(definition.option_values())
        option: Any = Literal[values] if values else str
        return option if kind == FieldType.SINGLE_SELECT else list[option]
    python_types: dict[str, Any] = {
        FieldType.NUMBER: float,
        FieldType.DECIMAL: str,
        FieldType.CURRENCY: CurrencyValue,
        FieldType.DATE: dt.date,
        FieldType.DATETIME: dt.datetime,
        FieldType.BOOLEAN: bool,
    }
    return python_types.get(kind, str)


def api_schema_fields(
    object_type: str, *, definitions: Sequence[CustomFieldDefinition] | None = None
) -> dict[str, Any]:
    """``{key: (type | None, Field(...))}`` for ``pydantic.create_model`` (all optional: the
    service decides what is required, so PATCH-style partial input works)."""
    if definitions is None:
        definitions = definitions_for(object_type)
    return {
        d.key: (
            _python_type(d) | None,
            Field(default=None, title=d.label, description=d.help_text or None),
        )
        for d in definitions
        if not d.is_archived
    }


def api_schema(
    object_type: str, *, definitions: Sequence[CustomFieldDefinition] | None = None
) -> type[BaseModel]:
    """A pydantic model of the custom values of ``object_type`` as defined right now."""
    name = "Custom_" + object_type.replace(".", "_")
    fields = api_schema_fields(object_type, definitions=definitions)
    return create_model(name, **fields)


def definition_payload(definition: CustomFieldDefinition) -> dict[str, Any]:
    """One definition as the API lists it at ``/api/v1/custom-fields``."""
    return {
        "id": definition.pk,
        "object_type": definition.object_type,
        "key": definition.key,
        "label": definition.label,
        "field_type": definition.field_type,
        "options": list(definition.options or []),
        "currency": definition.currency,
        "required": definition.required,
        "unique": definition.unique,
        "default": definition.default,
        "help_text": definition.help_text,
        "order": definition.order,
        "archived_at": definition.archived_at.isoformat() if definition.archived_at else None,
        "schema": json_schema(definition),
    }
