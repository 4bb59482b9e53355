"""Custom fields: admin-defined fields per object type, values in each record's ``custom`` JSON.

The whole contract (see docs/custom-fields.md):

- services validate input with :func:`clean_values` (errors keyed ``custom.<key>``);
- lists filter and sort with :func:`filter_q` and :func:`order_by`;
- forms add :func:`form_fields`; the API documents values with :func:`inject_openapi` and
  lists definitions with :func:`definition_payload`;
- definitions change only through ``custom_field_create/update/archive/restore``.
"""

from accord.core.customfields.forms import (
    form_errors,
    form_field,
    form_field_name,
    form_fields,
    form_initial,
    values_from_form,
)
from accord.core.customfields.models import CustomFieldDefinition, FieldType
from accord.core.customfields.query import (
    CustomValue,
    create_index,
    drop_index,
    filter_q,
    index_name,
    index_sql,
    order_by,
    sort_expression,
    value_expression,
)
from accord.core.customfields.schema import (
    api_schema,
    api_schema_fields,
    custom_schema_extra,
    definition_payload,
    inject_openapi,
    json_schema,
    openapi_properties,
)
from accord.core.customfields.services import (
    CustomFieldsChanged,
    custom_field_archive,
    custom_field_create,
    custom_field_reorder,
    custom_field_restore,
    custom_field_update,
)
from accord.core.customfields.types import clean_value
from accord.core.customfields.values import (
    clean_values,
    definitions_for,
    has_custom_fields,
    model_for,
    taken_values,
    visible_values,
)

__all__ = [
    "CustomFieldDefinition",
    "CustomFieldsChanged",
    "CustomValue",
    "FieldType",
    "api_schema",
    "api_schema_fields",
    "clean_value",
    "clean_values",
    "create_index",
    "custom_field_archive",
    "custom_field_create",
    "custom_field_reorder",
    "custom_field_restore",
    "custom_field_update",
    "custom_schema_extra",
    "definition_payload",
    "definitions_for",
    "drop_index",
    "filter_q",
    "form_errors",
    "form_field",
    "form_field_name",
    "form_fields",
    "form_initial",
    "has_custom_fields",
    "index_name",
    "index_sql",
    "inject_openapi",
    "json_schema",
    "model_for",
    "openapi_properties",
    "order_by",
    "sort_expression",
    "taken_values",
    "value_expression",
    "values_from_form",
    "visible_values",
]
