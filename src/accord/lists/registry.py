"""The list configuration of each record type (``ListConfig``), registered by its app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from accord.core import policy
from accord.lists.bulk import BulkAction
from accord.lists.columns import Column
from accord.lists.filters import FilterSet


@dataclass(frozen=True)
class ListConfig:
    """Everything the generic list needs to know about one record type.

    - ``queryset(user)``: the base rows with their joins (``select_related`` /
      ``prefetch_related`` for the columns); the framework scopes it with
      ``policy.scope(user, ...)`` and filters and sorts it.
    - ``columns()``: the fixed columns; custom field columns are added automatically.
    - ``row_url(obj)``: the link of a row (its 360° view).
    """

    object_type: str
    model: type[models.Model]
    filterset: type[FilterSet]
    queryset: Callable[[Any], models.QuerySet[Any]]
    columns: Callable[[], Sequence[Column]]
    row_url: Callable[[Any], str]
    url_name: str  # the list page
    title: str
    item_name: str  # "contact"
    items_name: str  # "contacts"
    template: str = "lists/list_page.html"
    create_url_name: str = ""
    create_label: str = ""
    bulk_actions: Sequence[BulkAction] = field(default_factory=tuple)
    export_filename: str = ""
    empty_icon: str = "inbox"
    empty_title: str = ""
    empty_text: str = ""
    extra_actions_template: str = ""  # more page actions (links) beside "New ..."

    def base_queryset(self, user: Any) -> models.QuerySet[Any]:
        return policy.scope(user, self.queryset(user))

    def bulk_action(self, key: str) -> BulkAction | None:
        return next((a for a in self.bulk_actions if a.key == key), None)


_configs: dict[str, ListConfig] = {}


def register(config: ListConfig) -> None:
    _configs[config.object_type] = config


def get(object_type: str) -> ListConfig:
    try:
        return _configs[object_type]
    except KeyError:
        raise policy.NotFound from None


def all_configs() -> dict[str, ListConfig]:
    return dict(_configs)
