"""Declarative filters: ONE definition per model, used by the HTML list and the API list.

A filter set parses a query dict (``request.GET`` of a page or of an API call, or any
mapping of names to a value or a list of values) into a ``Q``::

    class ContactFilterSet(FilterSet):
        model = Contact
        q = SearchFilter(["first_name", "last_name", "email"], label=_("Search"))
        last_name = TextFilter(label=_("Last name"))
        lifecycle_stage = ChoiceFilter(choices=LifecycleStage.choices, label=_("Stage"))
        owner = RelatedFilter(label=_("Owner"), me=True)
        tags = TagFilter(label=_("Tags"))

    filters = ContactFilterSet(request.GET, user=request.user)
    contacts = filters.filter(policy.scope(request.user, Contact.objects.all()))

Parameter grammar: ``<name>`` applies the filter's default operator, ``<name>__<op>`` another
one (``annual_revenue__gte=1000``, ``email__empty=true``). Several values of one parameter
(``?lifecycle_stage=lead&lifecycle_stage=customer``, or one comma-separated value) mean "any
of". Custom fields get filters automatically: ``custom.<key>`` and ``custom.<key>__<op>``
for every non-archived definition of the model's object type.

Bad values raise :class:`FilterError` (a ``ValidationError``) keyed by the parameter name,
with every error of the query at once: the HTML form shows them next to the field, the API
answers a problem naming the parameter. Parameters that are not filters (``sort``,
``cursor``, ...) are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q
from django.utils.dateparse import parse_date
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accord.core import customfields
from accord.core.customfields import CustomFieldDefinition, FieldType

TRUE_WORDS = frozenset({"true", "yes", "y", "1", "on", "t"})
FALSE_WORDS = frozenset({"false", "no", "n", "0", "off", "f"})
CUSTOM_PREFIX = "custom."

OP_LABELS: dict[str, Promise] = {
    "contains": pgettext_lazy("filter operator", "contains"),
    "eq": pgettext_lazy("filter operator", "is"),
    "ne": pgettext_lazy("filter operator", "is not"),
    "in": pgettext_lazy("filter operator", "is"),
    "startswith": pgettext_lazy("filter operator", "starts with"),
    "gte": pgettext_lazy("filter operator", "at least"),
    "lte": pgettext_lazy("filter operator", "at most"),
    "gt": pgettext_lazy("filter operator", "more than"),
    "lt": pgettext_lazy("filter operator", "less than"),
    "after": pgettext_lazy("filter operator", "on or after"),
    "before": pgettext_lazy("filter operator", "on or before"),
    "on": pgettext_lazy("filter operator", "on"),
    "any": pgettext_lazy("filter operator", "has any of"),
    "all": pgettext_lazy("filter operator", "has all of"),
    "none": pgettext_lazy("filter operator", "has none of"),
    "empty": pgettext_lazy("filter operator", "is empty"),
}


class FilterError(ValidationError):
    """Bad filter input; ``message_dict`` maps each parameter name to its messages."""


def _text(value: Any) -> str:
    return str(value).strip()


def parse_boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValidationError(gettext("Enter true or false."), code="invalid")


def parse_decimal(value: str) -> Decimal:
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        raise ValidationError(gettext("Enter a number."), code="invalid") from None
    if not number.is_finite():
        raise ValidationError(gettext("Enter a number."), code="invalid")
    return number


def parse_int(value: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(gettext("Enter a whole number."), code="invalid") from None


def parse_iso_date(value: str) -> dt.date:
    try:
        parsed = parse_date(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError(gettext("Enter a date as YYYY-MM-DD."), code="invalid")
    return parsed


@dataclass(frozen=True)
class ActiveFilter:
    """One applied filter, for the chips above a list (``remove_query`` drops it)."""

    param: str
    label: str
    op_label: str
    value: str
    remove_query: str = ""


class Filter:
    """One filter: a parameter name, a default operator and the other operators it takes.

    Subclasses implement :meth:`condition`. ``field`` is the ORM path (default: the attribute
    name in the filter set); ``many=True`` marks a path across a to-many relation, whose
    condition becomes ``pk IN (subquery)`` so rows are never repeated.
    """

    kind: ClassVar[str] = "text"
    default_op: ClassVar[str] = "eq"
    ops: ClassVar[tuple[str, ...]] = ("eq",)
    multiple: ClassVar[bool] = False  # several values of the default operator mean "any of"

    def __init__(
        self,
        field: str = "",
        *,
        label: str | Promise = "",
        help_text: str | Promise = "",
        many: bool = False,
        group: str = "",
        widget: bool = True,
    ) -> None:
        self.name = ""
        self.field = field
        self.label = label
        self.help_text = help_text
        self.many = many
        self.group = group
        self.widget = widget  # shown in the HTML filter form
        self.model: type[models.Model] | None = None

    def bind(self, name: str, model: type[models.Model]) -> None:
        self.name = name
        self.field = self.field or name
        self.model = model
        if not self.label:
            self.label = self._verbose_name()

    def _verbose_name(self) -> str:
        if self.model is None:
            return self.name
        try:
            field = self.model._meta.get_field(self.field.split("__")[0])
        except FieldDoesNotExist:
            return self.name.replace("_", " ").capitalize()
        return str(getattr(field, "verbose_name", self.name)).capitalize()

    def params(self) -> list[str]:
        return [self.name] + [f"{self.name}__{op}" for op in self.ops if op != self.default_op]

    def param(self, op: str) -> str:
        return self.name if op == self.default_op else f"{self.name}__{op}"

    def wrap(self, condition: Q) -> Q:
        if self.many and self.model is not None:
            return Q(pk__in=self.model._default_manager.filter(condition).values("pk"))
        return condition

    def condition(self, op: str, values: list[str]) -> Q:
        raise NotImplementedError

    def empty_condition(self, empty: bool) -> Q:
        field = self.field
        try:
            model_field = self._model_field()
        except FieldDoesNotExist:
            model_field = None
        blank: Q = Q(**{f"{field}__isnull": True})
        if isinstance(model_field, models.CharField | models.TextField):
            blank |= Q(**{field: ""})
        if empty:
            return self.wrap(blank) if self.many else blank
        if self.many:
            return self.wrap(~blank & Q(**{f"{field}__isnull": False}))
        return ~blank

    def _model_field(self) -> models.Field[Any, Any] | None:
        model = self.model
        if model is None:
            return None
        field: Any = None
        for part in self.field.split("__"):
            field = model._meta.get_field(part)
            if field.is_relation and field.related_model is not None:
                model = field.related_model
        return field if isinstance(field, models.Field) else None

    def display(self, op: str, values: list[str]) -> str:
        return ", ".join(values)

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        return []


class TextFilter(Filter):
    """Text: ``name`` contains (case-insensitive), ``name__eq`` (exact, case-insensitive),
    ``name__startswith``, ``name__empty``."""

    kind = "text"
    default_op = "contains"
    ops = ("contains", "eq", "startswith", "empty")
    multiple = True

    def condition(self, op: str, values: list[str]) -> Q:
        lookup = {"contains": "icontains", "eq": "iexact", "startswith": "istartswith"}[op]
        result = Q()
        for value in values:
            result |= Q(**{f"{self.field}__{lookup}": value})
        return self.wrap(result)


class SearchFilter(Filter):
    """Free text over several fields: every word must be found in one of them."""

    kind = "search"
    default_op = "contains"
    ops = ("contains",)

    def __init__(self, fields: Sequence[str], **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Search"))
        super().__init__("", **kwargs)
        self.fields = list(fields)

    def condition(self, op: str, values: list[str]) -> Q:
        result = Q()
        for value in values:
            for word in value.split():
                any_field = Q()
                for path in self.fields:
                    part = Q(**{f"{path}__icontains": word})
                    if "__" in path and self.model is not None:
                        # a to-many path: match through a subquery, never repeat rows
                        part = Q(pk__in=self.model._default_manager.filter(part).values("pk"))
                    any_field |= part
                result &= any_field
        return result


class IndexSearchFilter(Filter):
    """Free text through the search index (``accord.search``): names, emails, phone digits in
    any formatting, company names and domains, prefixes and typos — the same matching as the
    command palette, and fast on millions of rows. The best ``limit`` matches the user may
    see are kept (``pk IN (...)``), then the list's other filters and sort apply."""

    kind = "search"
    default_op = "contains"
    ops = ("contains",)

    def __init__(self, object_type: str, *, limit: int = 1000, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Search"))
        super().__init__("", **kwargs)
        self.object_type = object_type
        self.limit = limit
        self.user: Any = None

    def condition(self, op: str, values: list[str]) -> Q:
        from accord.search.access import visibility_for
        from accord.search.selectors import search_query

        text = " ".join(values).strip()
        if self.user is None:
            return Q(pk__in=[])
        results = search_query(
            text,
            object_types=[self.object_type],
            visibility=visibility_for(self.user, self.object_type),
            limit=self.limit,
        )
        return Q(pk__in=[r.object_id for r in results])


class ChoiceFilter(Filter):
    """One of fixed choices: ``name=a&name=b`` (any of), ``name__ne``, ``name__empty``."""

    kind = "choice"
    default_op = "in"
    ops = ("in", "ne", "empty")
    multiple = True

    def __init__(
        self, field: str = "", *, choices: Iterable[tuple[str, Any]] = (), **kwargs: Any
    ) -> None:
        super().__init__(field, **kwargs)
        self._choices = [(str(v), label) for v, label in choices]

    def bind(self, name: str, model: type[models.Model]) -> None:
        super().bind(name, model)
        if not self._choices:
            model_field = self._model_field()
            if model_field is not None and model_field.choices:
                self._choices = [(str(v), label) for v, label in model_field.flatchoices]

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        return [(v, str(label)) for v, label in self._choices]

    def _check(self, values: list[str]) -> list[str]:
        known = {v for v, _label in self._choices}
        by_label = {str(label).lower(): v for v, label in self._choices}
        result = []
        for value in values:
            if value in known:
                result.append(value)
            elif value.lower() in by_label:
                result.append(by_label[value.lower()])
            else:
                raise ValidationError(
                    gettext("%(value)s is not one of the choices.") % {"value": value},
                    code="invalid_choice",
                )
        return result

    def condition(self, op: str, values: list[str]) -> Q:
        chosen = self._check(values)
        condition = self.wrap(Q(**{f"{self.field}__in": chosen}))
        return ~condition if op == "ne" else condition

    def display(self, op: str, values: list[str]) -> str:
        labels = dict(self.choices())
        return ", ".join(labels.get(v, v) for v in values)


class BooleanFilter(Filter):
    """Yes or no: ``name=true`` / ``name=false``."""

    kind = "boolean"
    default_op = "eq"
    ops = ("eq",)

    def condition(self, op: str, values: list[str]) -> Q:
        return Q(**{self.field: parse_boolean(values[-1])})

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        return [("true", gettext("Yes")), ("false", gettext("No"))]

    def display(self, op: str, values: list[str]) -> str:
        try:
            return gettext("Yes") if parse_boolean(values[-1]) else gettext("No")
        except ValidationError:
            return values[-1]


class NumberFilter(Filter):
    """A number: ``name`` equals, ``name__gte``, ``name__lte``, ``name__gt``, ``name__lt``,
    ``name__empty``."""

    kind = "number"
    default_op = "eq"
    ops = ("eq", "gte", "lte", "gt", "lt", "empty")

    def condition(self, op: str, values: list[str]) -> Q:
        number = parse_decimal(values[-1])
        lookup = "exact" if op == "eq" else op
        return self.wrap(Q(**{f"{self.field}__{lookup}": number}))


class DateFilter(Filter):
    """A date, or the date part of a datetime in the current time zone: ``name`` (on that
    day), ``name__after`` (on or after), ``name__before`` (on or before), ``name__empty``."""

    kind = "date"
    default_op = "on"
    ops = ("on", "after", "before", "empty")

    def _path(self) -> str:
        model_field = self._model_field()
        if isinstance(model_field, models.DateTimeField):
            return f"{self.field}__date"
        return self.field

    def condition(self, op: str, values: list[str]) -> Q:
        day = parse_iso_date(values[-1])
        lookup = {"on": "exact", "after": "gte", "before": "lte"}[op]
        return self.wrap(Q(**{f"{self._path()}__{lookup}": day}))


class RelatedFilter(Filter):
    """A foreign key by id: ``owner=3&owner=5`` (any of), ``owner=me`` (the signed-in user,
    with ``me=True``), ``owner__ne``, ``owner__empty``. ``choices_for(user)`` gives the
    options of the HTML form (id, label) and the chip labels."""

    kind = "related"
    default_op = "in"
    ops = ("in", "ne", "empty")
    multiple = True

    def __init__(
        self,
        field: str = "",
        *,
        me: bool = False,
        choices_for: Callable[[Any], Iterable[tuple[Any, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(field, **kwargs)
        self.me = me
        self.choices_for = choices_for
        self.user: Any = None

    def _ids(self, values: list[str]) -> list[int]:
        ids = []
        for value in values:
            if self.me and value.lower() == "me":
                if self.user is None or self.user.pk is None:
                    raise ValidationError(gettext("Sign in to filter by yourself."))
                ids.append(int(self.user.pk))
            else:
                ids.append(parse_int(value))
        return ids

    def condition(self, op: str, values: list[str]) -> Q:
        ids = self._ids(values)
        condition = self.wrap(Q(**{f"{self.field}__in": ids}))
        return ~condition | Q(**{f"{self.field}__isnull": True}) if op == "ne" else condition

    def empty_condition(self, empty: bool) -> Q:
        return self.wrap(Q(**{f"{self.field}__isnull": empty}))

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        if self.choices_for is None:
            return []
        options = [(str(pk), str(label)) for pk, label in self.choices_for(user)]
        if self.me:
            options.insert(0, ("me", gettext("Me")))
        return options

    def display(self, op: str, values: list[str]) -> str:
        labels = dict(self.choices(self.user))
        return ", ".join(labels.get(v, f"#{v}") for v in values)


class TagFilter(Filter):
    """A many-to-many relation to tags, by id or name: ``tags=vip&tags=3`` (any of),
    ``tags__all``, ``tags__none``, ``tags__empty``."""

    kind = "tags"
    default_op = "any"
    ops = ("any", "all", "none", "empty")
    multiple = True

    def __init__(
        self,
        field: str = "",
        *,
        name_field: str = "name",
        choices_for: Callable[[Any], Iterable[tuple[Any, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(field, **kwargs)
        self.name_field = name_field
        self.choices_for = choices_for

    def _match(self, value: str) -> Q:
        if value.isdigit():
            return Q(**{f"{self.field}__pk": int(value)})
        return Q(**{f"{self.field}__{self.name_field}__iexact": value})

    def _having(self, condition: Q) -> Q:
        assert self.model is not None
        return Q(pk__in=self.model._default_manager.filter(condition).values("pk"))

    def condition(self, op: str, values: list[str]) -> Q:
        if op == "all":
            result = Q()
            for value in values:
                result &= self._having(self._match(value))
            return result
        any_of = Q()
        for value in values:
            any_of |= self._match(value)
        having = self._having(any_of)
        return ~having if op == "none" else having

    def empty_condition(self, empty: bool) -> Q:
        having = self._having(Q(**{f"{self.field}__isnull": False}))
        return ~having if empty else having

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        if self.choices_for is None:
            return []
        return [(str(pk), str(label)) for pk, label in self.choices_for(user)]

    def display(self, op: str, values: list[str]) -> str:
        labels = dict(self.choices())
        return ", ".join(labels.get(v, v) for v in values)


CUSTOM_OPS: dict[str, tuple[str, tuple[str, ...]]] = {
    # field type: (default operator, every operator); "empty" maps to isnull
    FieldType.TEXT: ("contains", ("contains", "eq", "startswith", "empty")),
    FieldType.LONG_TEXT: ("contains", ("contains", "empty")),
    FieldType.URL: ("contains", ("contains", "eq", "empty")),
    FieldType.EMAIL: ("contains", ("contains", "eq", "empty")),
    FieldType.PHONE: ("contains", ("contains", "eq", "empty")),
    FieldType.NUMBER: ("eq", ("eq", "gte", "lte", "gt", "lt", "empty")),
    FieldType.DECIMAL: ("eq", ("eq", "gte", "lte", "gt", "lt", "empty")),
    FieldType.CURRENCY: ("eq", ("eq", "gte", "lte", "gt", "lt", "empty")),
    FieldType.DATE: ("on", ("on", "after", "before", "empty")),
    FieldType.DATETIME: ("after", ("after", "before", "empty")),
    FieldType.BOOLEAN: ("eq", ("eq", "empty")),
    FieldType.SINGLE_SELECT: ("in", ("in", "ne", "empty")),
    FieldType.MULTI_SELECT: ("any", ("any", "empty")),
}
KIND_OF_TYPE: dict[str, str] = {
    FieldType.NUMBER: "number",
    FieldType.DECIMAL: "number",
    FieldType.CURRENCY: "number",
    FieldType.DATE: "date",
    FieldType.DATETIME: "date",
    FieldType.BOOLEAN: "boolean",
    FieldType.SINGLE_SELECT: "choice",
    FieldType.MULTI_SELECT: "choice",
}


class CustomFieldFilter(Filter):
    """A custom field, through ``customfields.filter_q``: parameter ``custom.<key>``."""

    def __init__(self, definition: CustomFieldDefinition, object_type: str) -> None:
        super().__init__(label=definition.label, group="custom")
        self.definition = definition
        self.object_type = object_type
        self.default_op_, self.ops_ = CUSTOM_OPS.get(definition.field_type, ("eq", ("eq", "empty")))
        self.kind_ = KIND_OF_TYPE.get(definition.field_type, "text")
        self.name = f"{CUSTOM_PREFIX}{definition.key}"

    # per-instance operators (the class attributes are per filter type)
    def params(self) -> list[str]:
        return [self.name] + [f"{self.name}__{op}" for op in self.ops_ if op != self.default_op_]

    def param(self, op: str) -> str:
        return self.name if op == self.default_op_ else f"{self.name}__{op}"

    @property
    def kind_name(self) -> str:
        return self.kind_

    def _q(self, op: str, value: Any) -> Q:
        try:
            return customfields.filter_q(
                self.object_type, self.definition.key, op, value, definitions=[self.definition]
            )
        except ValidationError as exc:
            raise ValidationError(_messages(exc)) from None

    def condition(self, op: str, values: list[str]) -> Q:
        field_type = self.definition.field_type
        if op == "in":
            return self._q("in", values)
        if op == "any":
            return self._q("in", values)
        if op == "ne":
            result = Q()
            for value in values:
                result &= self._q("ne", value)
            return result
        if op == "on":
            return self._q("eq", values[-1])
        if op in ("after", "before"):
            value = values[-1]
            if field_type == FieldType.DATETIME and len(value.strip()) == 10:
                day = parse_iso_date(value)
                if op == "after":
                    return self._q("gte", f"{day.isoformat()}T00:00:00")
                return self._q("lt", f"{(day + dt.timedelta(days=1)).isoformat()}T00:00:00")
            return self._q("gte" if op == "after" else "lte", value)
        if op in ("contains", "startswith", "eq") and len(values) > 1:
            result = Q()
            for value in values:
                result |= self._q(op, value)
            return result
        return self._q(op, values[-1])

    def empty_condition(self, empty: bool) -> Q:
        return self._q("isnull", empty)

    def choices(self, user: Any = None) -> list[tuple[str, str]]:
        if self.definition.field_type == FieldType.BOOLEAN:
            return [("true", gettext("Yes")), ("false", gettext("No"))]
        return [(str(o["value"]), str(o["label"])) for o in self.definition.options or []]

    def display(self, op: str, values: list[str]) -> str:
        labels = dict(self.choices())
        return ", ".join(labels.get(v, v) for v in values)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


def _values(data: Mapping[str, Any], param: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw: list[Any] = getlist(param) if callable(getlist) else data.get(param)  # type: ignore[assignment]
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raw = [raw]
    values: list[str] = []
    for item in raw:
        if isinstance(item, bool):
            item = "true" if item else "false"
        values.extend(_text(part) for part in str(item).split(","))
    return [v for v in values if v]


def _type_kind(f: Filter) -> str:
    return f.kind_name if isinstance(f, CustomFieldFilter) else f.kind


class FilterSet:
    """Subclass with ``model`` and filter attributes. ``custom_fields = False`` turns off the
    automatic custom field filters. ``sorts`` maps sort names to ORM paths (see
    :mod:`accord.lists.sorting`); ``default_sort`` is used when none is given."""

    model: ClassVar[type[models.Model]]
    custom_fields: ClassVar[bool] = True
    declared: ClassVar[dict[str, Filter]] = {}
    sorts: ClassVar[dict[str, str]] = {}
    sort_labels: ClassVar[dict[str, Any]] = {}
    default_sort: ClassVar[str] = "-id"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = dict(getattr(cls, "declared", {}))
        for name, value in list(vars(cls).items()):
            if isinstance(value, Filter):
                declared[name] = value
        cls.declared = declared

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: Any = None,
        definitions: Sequence[CustomFieldDefinition] | None = None,
    ) -> None:
        import copy

        self.data: Mapping[str, Any] = data if data is not None else {}
        self.user = user
        self._definitions = list(definitions) if definitions is not None else None
        self.filters: dict[str, Filter] = {}
        for name, template in self.declared.items():
            bound = copy.copy(template)
            bound.bind(name, self.model)
            if isinstance(bound, RelatedFilter | IndexSearchFilter):
                bound.user = user
            self.filters[name] = bound
        for definition in self.definitions:
            custom = CustomFieldFilter(definition, self.object_type())
            custom.model = self.model
            self.filters[custom.name] = custom
        self._q: Q | None = None
        self._errors: dict[str, list[str]] | None = None
        self._active: list[tuple[Filter, str, list[str]]] = []

    @classmethod
    def object_type(cls) -> str:
        return cls.model._meta.label_lower

    @property
    def definitions(self) -> list[CustomFieldDefinition]:
        if self._definitions is None:
            if self.custom_fields and customfields.has_custom_fields(self.object_type()):
                self._definitions = customfields.definitions_for(self.object_type())
            else:
                self._definitions = []
        return self._definitions

    def _lookup(self, param: str) -> tuple[Filter, str] | None:
        if param in self.filters:
            f = self.filters[param]
            return f, (f.default_op_ if isinstance(f, CustomFieldFilter) else f.default_op)
        name, sep, op = param.rpartition("__")
        if not sep or name not in self.filters:
            return None
        f = self.filters[name]
        ops = f.ops_ if isinstance(f, CustomFieldFilter) else f.ops
        if op not in ops:
            raise FilterError(
                {param: [gettext("Unknown operator %(op)s.") % {"op": op}]}, code="invalid"
            )
        return f, op

    def _parse(self) -> None:
        if self._errors is not None:
            return
        errors: dict[str, list[str]] = {}
        result = Q()
        active: list[tuple[Filter, str, list[str]]] = []
        for param in list(self.data.keys()):
            try:
                found = self._lookup(param)
            except FilterError as exc:
                errors.update(exc.message_dict)
                continue
            if found is None:
                if param.startswith(CUSTOM_PREFIX):
                    key = param[len(CUSTOM_PREFIX) :].partition("__")[0]
                    errors[param] = [gettext("There is no custom field %(key)s.") % {"key": key}]
                continue
            f, op = found
            values = _values(self.data, param)
            if not values:
                continue
            try:
                if op == "empty":
                    condition = f.empty_condition(parse_boolean(values[-1]))
                else:
                    condition = f.condition(op, values)
            except ValidationError as exc:
                errors[param] = _messages(exc)
                continue
            result &= condition
            active.append((f, op, values))
        self._errors = errors
        self._q = result
        self._active = active

    @property
    def errors(self) -> dict[str, list[str]]:
        self._parse()
        assert self._errors is not None
        return self._errors

    def is_valid(self) -> bool:
        return not self.errors

    def to_q(self) -> Q:
        """The condition of every valid filter; raises FilterError keyed by parameter."""
        self._parse()
        if self._errors:
            raise FilterError(self._errors)
        assert self._q is not None
        return self._q

    def filter[M: models.Model](self, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        return queryset.filter(self.to_q())

    def valid_q(self) -> Q:
        """The condition of the filters that parsed (the HTML list shows the others' errors)."""
        self._parse()
        assert self._q is not None
        return self._q

    def active(self, base_query: Any = None) -> list[ActiveFilter]:
        """The applied filters with a query string that removes each one."""
        self._parse()
        from django.http import QueryDict

        chips = []
        for f, op, values in self._active:
            param = f.param(op)
            remaining = QueryDict(mutable=True)
            source = base_query if base_query is not None else self.data
            for key in source:
                if key in (param, "after", "before"):
                    continue
                getlist = getattr(source, "getlist", None)
                items = getlist(key) if callable(getlist) else [source[key]]
                for item in items:
                    remaining.appendlist(key, item)
            if op == "empty":
                shown = gettext("Yes") if parse_boolean(values[-1]) else gettext("No")
                op_label = str(OP_LABELS["empty"])
            else:
                shown = f.display(op, values)
                op_label = str(OP_LABELS.get(op, op))
            chips.append(
                ActiveFilter(
                    param=param,
                    label=str(f.label),
                    op_label=op_label,
                    value=shown,
                    remove_query=remaining.urlencode(),
                )
            )
        return chips

    def fields(self) -> list[dict[str, Any]]:
        """What the HTML filter form renders: each filter with its operators, choices and
        current values."""
        rows = []
        for f in self.filters.values():
            if not f.widget:
                continue
            is_custom = isinstance(f, CustomFieldFilter)
            ops = f.ops_ if is_custom else f.ops  # type: ignore[attr-defined]
            default_op = f.default_op_ if is_custom else f.default_op  # type: ignore[attr-defined]
            rows.append(
                {
                    "name": f.name,
                    "label": str(f.label),
                    "kind": _type_kind(f),
                    "group": f.group,
                    "ops": [
                        {"op": op, "param": f.param(op), "label": str(OP_LABELS.get(op, op))}
                        for op in ops
                    ],
                    "params": {op: f.param(op) for op in ops},
                    "default_op": default_op,
                    "multiple": bool(f.multiple) or (is_custom and f.default_op_ in ("in", "any")),  # type: ignore[attr-defined]
                    "param": f.param(default_op),
                    "current": _values(self.data, f.param(default_op)),
                    "choices": f.choices(self.user),
                    "values": {op: _values(self.data, f.param(op)) for op in ops},
                    "errors": {
                        op: self.errors[f.param(op)] for op in ops if f.param(op) in self.errors
                    },
                }
            )
        return rows

    @classmethod
    def filter_params(cls, definitions: Sequence[CustomFieldDefinition] = ()) -> list[str]:
        """Every parameter name the set accepts (documentation, OpenAPI)."""
        instance = cls({}, definitions=definitions)
        return [p for f in instance.filters.values() for p in f.params()]
