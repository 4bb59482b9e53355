"""JSON API of custom field definitions: ``/api/v1/custom-fields``.

Reading needs the view scope on the record type (API clients need the fields to write
values); changing needs the ``manage_settings`` capability. Thin adapters over the
``custom_field_*`` services of ``accord.core.customfields``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from accord.core import customfields, policy
from accord.core.api.pagination import CursorPage, CursorParams, paginate
from accord.core.api.problems import problem_responses
from accord.core.customfields import CustomFieldDefinition

router = Router(tags=["custom fields"])


class OptionSchema(Schema):
    value: str
    label: str = ""


class CustomFieldOut(Schema):
    id: int
    object_type: str = Field(description="The record type, e.g. contacts.contact.")
    key: str = Field(description="The name of the value in the record's custom object.")
    label: str
    field_type: str = Field(description="text, long_text, number, decimal, currency, ...")
    options: list[OptionSchema]
    currency: str
    required: bool
    unique: bool
    default: Any = None
    help_text: str
    order: int
    archived_at: datetime | None
    value_schema: dict[str, Any] = Field(description="JSON Schema of the field's value.")


class CustomFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    object_type: str
    key: str = Field(max_length=63)
    label: str = Field(max_length=200)
    field_type: str
    options: list[OptionSchema | str] = Field(default_factory=list)
    currency: str = ""
    required: bool = False
    unique: bool = False
    default: Any = None
    help_text: str = Field("", max_length=500)
    order: int | None = Field(None, ge=0)


class CustomFieldPatch(Schema):
    """Only the settings sent change; ``key`` and ``object_type`` never change."""

    model_config = ConfigDict(extra="forbid")

    label: str | None = Field(None, max_length=200)
    field_type: str | None = None
    options: list[OptionSchema | str] | None = None
    currency: str | None = None
    required: bool | None = None
    unique: bool | None = None
    default: Any = None
    help_text: str | None = Field(None, max_length=500)
    order: int | None = Field(None, ge=0)


class CustomFieldQuery(CursorParams):
    object_type: str = Field(description="The record type, e.g. contacts.contact.")
    include_archived: bool = Field(
        False, description="Also list archived fields (needs the manage_settings capability)."
    )


def field_out(definition: CustomFieldDefinition) -> dict[str, Any]:
    payload = customfields.definition_payload(definition)
    payload["archived_at"] = definition.archived_at
    payload["value_schema"] = payload.pop("schema")
    return payload


def _options(raw: list[Any] | None) -> list[Any] | None:
    if raw is None:
        return None
    return [item if isinstance(item, str) else item.model_dump() for item in raw]


def _visible_type(user: Any, object_type: str) -> str:
    """A record type the user may view and that has custom fields; else a 404."""
    try:
        visible = policy.can(user, "view", object_type)
    except LookupError:
        visible = False
    if not visible or not customfields.has_custom_fields(object_type):
        raise policy.NotFound(gettext("Not found."))
    return object_type


def _definition(user: Any, field_id: int) -> CustomFieldDefinition:
    policy.require_capability(user, "manage_settings")
    definition = CustomFieldDefinition.objects.filter(pk=field_id).first()
    if definition is None:
        raise policy.NotFound(gettext("Not found."))
    return definition


@router.get(
    "/custom-fields",
    response={200: CursorPage[CustomFieldOut], **problem_responses(400, 401, 404, 422)},
    summary="List the custom fields of a record type",
)
def customfield_list(request: HttpRequest, params: Query[CustomFieldQuery]) -> dict[str, Any]:
    """The fields of ``object_type`` in display order, with a JSON Schema of each value."""
    user = request.auth  # type: ignore[attr-defined]
    object_type = _visible_type(user, params.object_type)
    definitions = CustomFieldDefinition.objects.filter(object_type=object_type)
    if not (params.include_archived and policy.has_capability(user, "manage_settings")):
        definitions = definitions.filter(archived_at__isnull=True)
    page = paginate(definitions, params, ordering="order")
    return {"items": [field_out(d) for d in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/custom-fields",
    response={201: CustomFieldOut, **problem_responses(401, 403, 422)},
    summary="Define a custom field",
)
def customfield_create(request: HttpRequest, payload: CustomFieldIn) -> Status:
    """Needs ``manage_settings``. Keys are never reused, even after archiving."""
    definition = customfields.custom_field_create(
        actor=request.auth,  # type: ignore[attr-defined]
        object_type=payload.object_type,
        key=payload.key,
        label=payload.label,
        field_type=payload.field_type,
        options=_options(payload.options),
        currency=payload.currency,
        required=payload.required,
        unique=payload.unique,
        default=payload.default,
        help_text=payload.help_text,
        order=payload.order,
    )
    return Status(201, field_out(definition))


@router.patch(
    "/custom-fields/{field_id}",
    response={200: CustomFieldOut, **problem_responses(401, 403, 404, 422)},
    summary="Change a custom field",
)
def customfield_update(
    request: HttpRequest, field_id: int, payload: CustomFieldPatch
) -> dict[str, Any]:
    """Changing the type, options or currency converts every stored value, or is refused
    (422) with the count and examples of values that do not fit; nothing changes then."""
    user = request.auth  # type: ignore[attr-defined]
    definition = _definition(user, field_id)
    changes = payload.model_dump(exclude_unset=True)
    if "options" in changes:
        changes["options"] = _options(payload.options)
    updated = customfields.custom_field_update(actor=user, definition=definition, **changes)
    return field_out(updated)


@router.post(
    "/custom-fields/{field_id}/archive",
    response={200: CustomFieldOut, **problem_responses(401, 403, 404)},
    summary="Archive a custom field (its values are kept)",
)
def customfield_archive(request: HttpRequest, field_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    definition = _definition(user, field_id)
    return field_out(customfields.custom_field_archive(actor=user, definition=definition))


@router.post(
    "/custom-fields/{field_id}/restore",
    response={200: CustomFieldOut, **problem_responses(401, 403, 404)},
    summary="Restore an archived custom field with its values",
)
def customfield_restore(request: HttpRequest, field_id: int) -> dict[str, Any]:
    user = request.auth  # type: ignore[attr-defined]
    definition = _definition(user, field_id)
    return field_out(customfields.custom_field_restore(actor=user, definition=definition))
