"""Filtering and sorting lists by custom field values, on SQLite and PostgreSQL.

:class:`CustomValue` renders one value as plain SQL with the (validated) key inlined, so an
expression index on exactly that SQL is used by filters and sorts:

- SQLite: ``json_extract(custom, '$.tier')`` (numbers: ``CAST(... AS NUMERIC)``);
- PostgreSQL: ``(custom ->> 'tier')`` (numbers: ``::numeric``, booleans: ``::boolean``).

Dates and datetimes are stored as fixed-width ISO text, so they compare and sort as text.
See docs/custom-fields.md for the index strategy (:func:`index_sql`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import NotSupportedError, connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import F, Func, Q
from django.db.models.expressions import OrderBy
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    IContains,
    In,
    IsNull,
    IStartsWith,
    LessThan,
    LessThanOrEqual,
)
from django.db.models.sql.compiler import SQLCompiler
from django.utils.translation import gettext

from accord.core.customfields import types
from accord.core.customfields.models import KEY_RE, CustomFieldDefinition, FieldType

NUMERIC_TYPES = frozenset({FieldType.NUMBER, FieldType.DECIMAL, FieldType.CURRENCY})
ORDERED_TYPES = NUMERIC_TYPES | {FieldType.DATE, FieldType.DATETIME}
TEXT_TYPES = frozenset(
    {FieldType.TEXT, FieldType.LONG_TEXT, FieldType.URL, FieldType.EMAIL, FieldType.PHONE}
)

OPERATORS: dict[str, frozenset[str]] = {
    "eq": frozenset(FieldType.values) - {FieldType.MULTI_SELECT},
    "ne": frozenset(FieldType.values) - {FieldType.MULTI_SELECT},
    "lt": ORDERED_TYPES,
    "lte": ORDERED_TYPES,
    "gt": ORDERED_TYPES,
    "gte": ORDERED_TYPES,
    "contains": TEXT_TYPES | {FieldType.MULTI_SELECT},
    "startswith": TEXT_TYPES,
    "in": TEXT_TYPES | {FieldType.SINGLE_SELECT, FieldType.MULTI_SELECT} | NUMERIC_TYPES,
    "isnull": frozenset(FieldType.values),
}


def _kind(field_type: str) -> str:
    if field_type in NUMERIC_TYPES:
        return "number"
    if field_type == FieldType.BOOLEAN:
        return "boolean"
    return "text"


class CustomValue(Func):
    """One custom value of each row: ``CustomValue("tier")``, ``CustomValue("arr", "number")``.

    ``kind`` is ``text``, ``number`` or ``boolean``; ``subkey`` reads inside an object value
    (``amount`` of a currency); ``field`` is the JSON column, or a path to one across a relation
    (``company__custom``).
    """

    def __init__(
        self, key: str, kind: str = "text", *, subkey: str = "", field: str = "custom"
    ) -> None:
        if not KEY_RE.match(key) or (subkey and not KEY_RE.match(subkey)):
            raise ValueError(f"invalid custom field key {key!r}")
        output: models.Field[Any, Any]
        if kind == "number":
            output = models.DecimalField()
        elif kind == "boolean":
            output = models.BooleanField()
        elif kind == "text":
            output = models.TextField()
        else:
            raise ValueError(f"unknown kind {kind!r}")
        super().__init__(F(field), output_field=output)
        self.key, self.kind, self.subkey = key, kind, subkey

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError("custom field queries support SQLite and PostgreSQL")

    def render(self, column: str, vendor: str) -> str:
        """The SQL of this value for ``column`` (the JSON column's SQL) on ``vendor``."""
        if vendor == "sqlite":
            path = f"$.{self.key}" + (f".{self.subkey}" if self.subkey else "")
            sql = f"json_extract({column}, '{path}')"
            return f"CAST({sql} AS NUMERIC)" if self.kind == "number" else sql
        if vendor == "postgresql":
            if self.subkey:
                sql = f"(({column} -> '{self.key}') ->> '{self.subkey}')"
            else:
                sql = f"({column} ->> '{self.key}')"
            if self.kind == "number":
                return f"({sql})::numeric"
            if self.kind == "boolean":
                return f"({sql})::boolean"
            return sql
        raise NotSupportedError("custom field queries support SQLite and PostgreSQL")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        return self.render(column, "sqlite"), tuple(params)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        return self.render(column, "postgresql"), tuple(params)


class NumericParam(Func):
    """A number parameter typed as a number on both engines (SQLite would compare it as text)."""

    output_field = models.DecimalField()

    def __init__(self, value: Any) -> None:
        super().__init__(models.Value(str(value)))

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"CAST({sql} AS NUMERIC)", tuple(params)


class ArrayContains(Func):
    """True when the custom list value ``key`` contains ``value`` (multi select)."""

    output_field = models.BooleanField()

    def __init__(self, key: str, value: str, *, field: str = "custom") -> None:
        if not KEY_RE.match(key):
            raise ValueError(f"invalid custom field key {key!r}")
        super().__init__(F(field))
        self.key, self.value = key, value

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> tuple[str, tuple[Any, ...]]:
        raise NotSupportedError("custom field queries support SQLite and PostgreSQL")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        # The key is validated against KEY_RE; the value is a parameter.
        sql = (
            f"EXISTS (SELECT 1 FROM json_each({column}, '$.{self.key}') AS item "  # noqa: S608
            "WHERE item.value = %s)"
        )
        return sql, (*params, self.value)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.get_source_expressions()[0])
        sql = f"(({column} -> '{self.key}') @> %s::jsonb)"
        return sql, (*params, json.dumps([self.value]))


def value_expression(definition: CustomFieldDefinition, *, field: str = "custom") -> CustomValue:
    """The SQL value of ``definition`` used for filtering, sorting and indexing."""
    subkey = "amount" if definition.field_type == FieldType.CURRENCY else ""
    return CustomValue(definition.key, _kind(definition.field_type), subkey=subkey, field=field)


def _definition(
    object_type: str, key: str, definitions: Sequence[CustomFieldDefinition] | None
) -> CustomFieldDefinition:
    from accord.core.customfields.values import definitions_for

    candidates = definitions if definitions is not None else definitions_for(object_type)
    for definition in candidates:
        if definition.key == key and definition.archived_at is None:
            return definition
    raise ValidationError({f"custom.{key}": gettext("Unknown field.")})


def _operand(definition: CustomFieldDefinition, value: Any) -> Any:
    cleaned = types.clean_value(definition, value)
    if cleaned is None:
        raise ValidationError(gettext("Enter a value to filter by."))
    if definition.field_type == FieldType.CURRENCY:
        return NumericParam(cleaned["amount"])
    if definition.field_type in NUMERIC_TYPES:
        return NumericParam(cleaned)
    return cleaned


def condition_for(
    definition: CustomFieldDefinition, op: str, value: Any, *, field: str = "custom"
) -> Q:
    """A Q for ``<definition> <op> <value>``; raises ValidationError keyed ``custom.<key>``."""
    error_key = definition.error_key
    if op not in OPERATORS:
        raise ValidationError(
            {error_key: gettext("Unknown operator %(op)s.") % {"op": op}}, code="invalid_operator"
        )
    if definition.field_type not in OPERATORS[op]:
        raise ValidationError(
            {error_key: gettext("The operator %(op)s does not apply to this field.") % {"op": op}},
            code="invalid_operator",
        )
    expression = value_expression(definition, field=field)
    try:
        if op == "isnull":
            return Q(IsNull(expression, types.clean_boolean(definition, value)))
        if definition.field_type == FieldType.MULTI_SELECT:
            wanted = types.clean_multi_select(definition, value if op == "in" else [value])
            if not wanted:
                raise ValidationError(gettext("Enter a value to filter by."))
            condition = Q()
            for item in wanted:
                condition |= Q(ArrayContains(definition.key, item, field=field))
            return condition
        if op in ("contains", "startswith"):
            text = types.clean_text(definition, value)
            lookup = IContains if op == "contains" else IStartsWith
            return Q(lookup(expression, text))
        if op == "in":
            items = value if isinstance(value, list | tuple | set | frozenset) else [value]
            operands = [_operand(definition, item) for item in items]
            if not operands:
                return Q(pk__in=[])
            if definition.field_type in NUMERIC_TYPES:
                condition = Q(pk__in=[])
                for operand in operands:
                    condition |= Q(Exact(expression, operand))
                return condition
            return Q(In(expression, operands))
        operand = _operand(definition, value)
    except ValidationError as exc:
        raise ValidationError({error_key: exc.messages}) from None
    comparisons = {
        "eq": Exact,
        "ne": Exact,
        "lt": LessThan,
        "lte": LessThanOrEqual,
        "gt": GreaterThan,
        "gte": GreaterThanOrEqual,
    }
    condition = Q(comparisons[op](expression, operand))
    if op == "ne":
        # "not gold" includes records without a value
        return ~condition | Q(IsNull(expression, True))
    return condition


def filter_q(
    object_type: str,
    key: str,
    op: str,
    value: Any,
    *,
    definitions: Sequence[CustomFieldDefinition] | None = None,
    field: str = "custom",
) -> Q:
    """``queryset.filter(filter_q("contacts.contact", "tier", "eq", "gold"))``.

    Operators: eq, ne (includes empty), lt, lte, gt, gte (numbers, currency amounts, dates),
    contains / startswith (text, case-insensitive), contains (multi select: has the option),
    in (any of a list), isnull (true: no value). The value is cleaned like an input value.
    Unknown or archived keys, operators that do not apply and bad values raise a
    ValidationError keyed ``custom.<key>``. ``field`` follows a relation
    (``company__custom``) to filter by a related record's custom field.
    """
    return condition_for(_definition(object_type, key, definitions), op, value, field=field)


def sort_expression(
    object_type: str,
    key: str,
    *,
    definitions: Sequence[CustomFieldDefinition] | None = None,
    field: str = "custom",
) -> CustomValue:
    """The value to sort by (annotate it for keyset pagination)."""
    return value_expression(_definition(object_type, key, definitions), field=field)


def order_by(
    object_type: str,
    key: str,
    *,
    descending: bool = False,
    definitions: Sequence[CustomFieldDefinition] | None = None,
    field: str = "custom",
) -> OrderBy:
    """``queryset.order_by(order_by("contacts.contact", "arr", descending=True), "-id")``;
    records without a value come last either way."""
    expression = sort_expression(object_type, key, definitions=definitions, field=field)
    return OrderBy(expression, descending=descending, nulls_last=True)


def index_name(definition: CustomFieldDefinition, model: type[models.Model]) -> str:
    digest = hashlib.sha256(f"{model._meta.db_table}.{definition.key}".encode()).hexdigest()
    return f"cf_{digest[:24]}"


def index_sql(definition: CustomFieldDefinition, model: type[models.Model]) -> str:
    """``CREATE INDEX`` on exactly the expression :func:`filter_q` and :func:`order_by` use."""
    expression = value_expression(definition)
    column = connection.ops.quote_name("custom")
    return (
        f"CREATE INDEX IF NOT EXISTS {connection.ops.quote_name(index_name(definition, model))} "
        f"ON {connection.ops.quote_name(model._meta.db_table)} "
        f"(({expression.render(column, connection.vendor)}))"
    )


def create_index(definition: CustomFieldDefinition, model: type[models.Model]) -> None:
    """Create the field's expression index (idempotent, works inside a transaction). On a
    large PostgreSQL table run :func:`index_sql` with ``CONCURRENTLY`` out of hours instead."""
    with connection.cursor() as cursor:
        cursor.execute(index_sql(definition, model))


def drop_index(definition: CustomFieldDefinition, model: type[models.Model]) -> None:
    name = connection.ops.quote_name(index_name(definition, model))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {name}")
