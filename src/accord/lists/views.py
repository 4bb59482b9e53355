"""The generic list page and its endpoints (saved views, columns, bulk actions, CSV export).

An app's list view is one line::

    def contact_list(request):
        return list_page(request, lists_registry.get("contacts.contact"))

Everything on the page lives in the URL (filters, ``sort``, ``after``/``before`` cursors,
``view``), so a list can be bookmarked, shared and reloaded; HTMX swaps only the results.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.core import policy
from accord.core.htmx import is_htmx, render_page_or_partial
from accord.lists import registry, selectors, services
from accord.lists.columns import Column, ColumnSet, custom_columns
from accord.lists.export import csv_response
from accord.lists.filters import FilterError, FilterSet
from accord.lists.models import SavedView
from accord.lists.pagination import (
    Count,
    KeysetPage,
    SortKey,
    clamp_limit,
    count_capped,
    paginate,
    resolve_sort,
)
from accord.lists.registry import ListConfig

# parameters of the page that are not filters
PAGE_PARAMS = frozenset({"sort", "after", "before", "view", "limit", "page_size"})


def _copy(query: QueryDict, drop: frozenset[str] | set[str] = frozenset()) -> QueryDict:
    copied = QueryDict(mutable=True)
    for key in query:
        if key in drop:
            continue
        for value in query.getlist(key):
            if value != "":
                copied.appendlist(key, value)
    return copied


def filter_query(query: QueryDict) -> QueryDict:
    """Only the filter parameters (no sort, cursor or view)."""
    return _copy(query, PAGE_PARAMS)


def view_url(config: ListConfig, view: SavedView) -> str:
    query = QueryDict(mutable=True)
    query["view"] = str(view.pk)
    for key, values in (view.filters or {}).items():
        for value in values if isinstance(values, list) else [values]:
            query.appendlist(key, str(value))
    if view.sort:
        query["sort"] = view.sort
    return f"{reverse(config.url_name)}?{query.urlencode()}"


class ListState:
    """Parsed state of one list request: filters, sort, page, count, columns, views."""

    def __init__(
        self,
        request: HttpRequest,
        config: ListConfig,
        query: QueryDict,
        views: list[SavedView] | None = None,
    ) -> None:
        self.request = request
        self.config = config
        self.user = request.user
        self.query = query
        definitions: list[Any] = []
        from accord.core import customfields

        if customfields.has_custom_fields(config.object_type):
            definitions = customfields.definitions_for(config.object_type)
        self.definitions = definitions
        self.filterset: FilterSet = config.filterset(
            filter_query(query), user=self.user, definitions=definitions
        )
        self.errors: dict[str, list[str]] = dict(self.filterset.errors)
        try:
            self.sort: SortKey = resolve_sort(config.filterset, query.get("sort"), definitions)
        except FilterError as exc:
            self.errors.update(exc.message_dict)
            self.sort = resolve_sort(config.filterset, None, definitions)
        if views is None:
            views = list(selectors.saved_views_for(self.user, config.object_type))
        self.views = views
        self.active_view: SavedView | None = None
        view_id = query.get("view")
        if view_id:
            self.active_view = next((v for v in self.views if str(v.pk) == view_id), None)
        columns = [*config.columns(), *custom_columns(definitions)]
        chosen: list[str] | None = None
        if self.active_view is not None and self.active_view.columns:
            chosen = list(self.active_view.columns)
        if chosen is None:
            chosen = selectors.list_columns_for(self.user, config.object_type)
        self.columns = ColumnSet(columns, chosen or [])

    def rows(self) -> Any:
        """The scoped, filtered queryset (no order)."""
        return self.config.base_queryset(self.user).filter(self.filterset.valid_q())

    def page(self) -> KeysetPage:
        limit = clamp_limit(self.query.get("limit"))
        try:
            return paginate(
                self.rows(),
                self.sort,
                after=self.query.get("after") or None,
                before=self.query.get("before") or None,
                limit=limit,
            )
        except FilterError as exc:
            self.errors.update(exc.message_dict)
            return paginate(self.rows(), self.sort, limit=limit)

    def count(self) -> Count:
        return count_capped(self.rows())


def _label_for(filterset: FilterSet, param: str) -> str:
    if param in ("sort", "after", "before"):
        return {"sort": _("Sort"), "after": _("Page"), "before": _("Page")}[param]
    name = param.partition("__")[0] if param in filterset.filters else param
    name = param if param in filterset.filters else param.rpartition("__")[0] or param
    f = filterset.filters.get(name)
    return str(f.label) if f is not None else param


def list_context(
    request: HttpRequest, config: ListConfig, views: list[SavedView] | None = None
) -> dict[str, Any]:
    state = ListState(request, config, request.GET, views)
    page = state.page()
    count = state.count()
    chosen = state.columns.chosen()
    base = reverse(config.url_name)
    keep = _copy(request.GET, {"after", "before"})
    filters_only = filter_query(request.GET)

    def with_params(**params: str) -> str:
        query = keep.copy()
        for key, value in params.items():
            query.pop(key, None)
            if value:
                query[key] = value
        encoded = query.urlencode()
        return f"{base}?{encoded}" if encoded else base

    headers = []
    for column in chosen:
        sort_url = ""
        direction = ""
        if column.sort:
            if state.sort.name == column.sort:
                direction = "desc" if state.sort.descending else "asc"
                token = column.sort if state.sort.descending else f"-{column.sort}"
            else:
                token = column.sort
            sort_url = with_params(sort=token)
        headers.append({"column": column, "sort_url": sort_url, "direction": direction})

    rows = [
        {"obj": obj, "url": config.row_url(obj), "cells": [c.html(obj) for c in chosen]}
        for obj in page.items
    ]
    chosen_keys = {c.key for c in chosen}
    user = request.user
    bulk_actions = [
        a
        for a in config.bulk_actions
        if not a.capability or policy.has_capability(user, a.capability)
    ]
    export_url = ""
    if policy.has_capability(user, "export"):
        query = _copy(request.GET, {"after", "before", "view", "limit"})
        if state.active_view is not None:
            query["view"] = str(state.active_view.pk)
        encoded = query.urlencode()
        export_url = reverse("lists:export", args=[config.object_type]) + (
            f"?{encoded}" if encoded else ""
        )
    errors = [
        {"param": param, "label": _label_for(state.filterset, param), "messages": messages_}
        for param, messages_ in state.errors.items()
    ]
    active_view = state.active_view
    view_changed = False
    if active_view is not None:
        saved = {k: sorted(v) for k, v in (active_view.filters or {}).items()}
        current = {k: sorted(filters_only.getlist(k)) for k in filters_only}
        view_changed = saved != current or (active_view.sort or "") != request.GET.get("sort", "")
    teams = []
    from accord.accounts.models import Team

    team_ids = policy.access_for(user).team_ids
    if team_ids:
        teams = list(Team.objects.filter(pk__in=list(team_ids)).order_by("name"))
    return {
        "config": config,
        "state": state,
        "filterset": state.filterset,
        "filter_fields": state.filterset.fields(),
        "search_value": request.GET.get("q", ""),
        "chips": state.filterset.active(base_query=keep),
        "errors": errors,
        "page": page,
        "rows": rows,
        "headers": headers,
        "columns": chosen,
        "all_columns": [
            {"column": c, "checked": c.key in chosen_keys} for c in state.columns.available
        ],
        "count": count,
        "sort": state.sort,
        "next_url": with_params(after=page.next_cursor) if page.next_cursor else "",
        "previous_url": with_params(before=page.previous_cursor) if page.previous_cursor else "",
        "first_url": with_params() if page.has_previous else "",
        "list_url": base,
        "query_string": filters_only.urlencode(),
        "state_query": _copy(request.GET, {"after", "before"}).urlencode(),
        "views": state.views,
        "active_view": active_view,
        "view_changed": view_changed,
        "view_urls": {v.pk: view_url(config, v) for v in state.views},
        "bulk_actions": bulk_actions,
        "export_url": export_url,
        "teams": teams,
        "has_filters": bool(len(filters_only)),
        "object_type": config.object_type,
        "default_sort": config.filterset.default_sort,
    }


def list_page(request: HttpRequest, config: ListConfig) -> HttpResponse:
    """The list page (or its ``results`` partial for an HTMX request)."""
    views = list(selectors.saved_views_for(request.user, config.object_type))
    if not request.GET and not is_htmx(request):
        default = next((v for v in views if v.owner_id == request.user.pk and v.is_default), None)
        if default is not None:
            return HttpResponseRedirect(view_url(config, default))
    context = list_context(request, config, views)
    status = 400 if context["errors"] else 200
    response = render_page_or_partial(request, config.template, "results", context, status=status)
    if is_htmx(request):
        # the address bar follows the list (filters, sort, page) without empty parameters
        query = _copy(request.GET).urlencode()
        response["HX-Push-Url"] = f"{request.path}?{query}" if query else request.path
    return response


def _back(request: HttpRequest, config: ListConfig) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(config.url_name)


def _errors_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for ms in exc.message_dict.values() for m in ms)
    return " ".join(exc.messages)


@login_required
@require_POST
def saved_view_create_view(request: HttpRequest, object_type: str) -> HttpResponse:
    config = registry.get(object_type)
    query = QueryDict(request.POST.get("query", ""))
    data: dict[str, Any] = {
        "name": request.POST.get("name", ""),
        "filters": {k: query.getlist(k) for k in filter_query(query)},
        "sort": query.get("sort", ""),
        "shared_with_team_id": request.POST.get("shared_with_team_id") or None,
        "is_default": request.POST.get("is_default") == "on",
    }
    columns = selectors.list_columns_for(request.user, object_type)
    if columns:
        data["columns"] = columns
    try:
        view = services.saved_view_create(actor=request.user, object_type=object_type, data=data)
    except ValidationError as exc:
        messages.error(
            request, _("The view was not saved: %(errors)s") % {"errors": _errors_text(exc)}
        )
        return HttpResponseRedirect(_back(request, config))
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return HttpResponseRedirect(view_url(config, view))


@login_required
@require_POST
def saved_view_update_view(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    """Save the current filters and sort into the view, or rename / share / make default."""
    config = registry.get(object_type)
    view = selectors.saved_view_get(request.user, object_type, pk)
    changes: dict[str, Any] = {}
    if "query" in request.POST:
        query = QueryDict(request.POST["query"])
        changes["filters"] = {k: query.getlist(k) for k in filter_query(query)}
        changes["sort"] = query.get("sort", "")
    if "name" in request.POST:
        changes["name"] = request.POST["name"]
    if "shared_with_team_id" in request.POST:
        changes["shared_with_team_id"] = request.POST["shared_with_team_id"] or None
    if "is_default" in request.POST:
        changes["is_default"] = request.POST["is_default"] in ("on", "true", "1")
    try:
        view = services.saved_view_update(view=view, actor=request.user, changes=changes)
    except ValidationError as exc:
        messages.error(
            request, _("The view was not saved: %(errors)s") % {"errors": _errors_text(exc)}
        )
        return HttpResponseRedirect(_back(request, config))
    messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
    return HttpResponseRedirect(view_url(config, view))


@login_required
@require_POST
def saved_view_delete_view(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    config = registry.get(object_type)
    view = selectors.saved_view_get(request.user, object_type, pk)
    name = view.name
    services.saved_view_delete(view=view, actor=request.user)
    messages.success(request, _("View “%(name)s” deleted.") % {"name": name})
    return HttpResponseRedirect(reverse(config.url_name))


@login_required
@require_POST
def columns_set_view(request: HttpRequest, object_type: str) -> HttpResponse:
    """Choose the columns: of the open view when the user owns it, else their own default."""
    config = registry.get(object_type)
    state = ListState(request, config, QueryDict())
    known = {c.key for c in state.columns.available}
    columns = [c for c in request.POST.getlist("columns") if c in known]
    view_id = request.POST.get("view")
    if view_id:
        view = selectors.saved_view_get(request.user, object_type, view_id)
        if view.owner_id == request.user.pk:
            services.saved_view_update(view=view, actor=request.user, changes={"columns": columns})
            return HttpResponseRedirect(_back(request, config))
    services.list_columns_set(actor=request.user, object_type=object_type, columns=columns)
    return HttpResponseRedirect(_back(request, config))


def _selection(request: HttpRequest, config: ListConfig, data: QueryDict) -> tuple[Any, QueryDict]:
    """The rows a bulk action applies to: the ticked ids, or every row matching the filters
    (``all=1``); always inside the user's scope."""
    query = QueryDict(data.get("query", ""))
    rows = config.base_queryset(request.user)
    if data.get("all") == "1":
        filterset = config.filterset(filter_query(query), user=request.user)
        rows = rows.filter(filterset.to_q())
    else:
        ids = []
        for value in data.getlist("ids"):
            try:
                ids.append(int(value))
            except ValueError:
                continue
        rows = rows.filter(pk__in=ids)
    return rows, query


@login_required
@require_http_methods(["GET", "POST"])
def bulk_view(request: HttpRequest, object_type: str) -> HttpResponse:
    """GET: the confirmation page of a bulk action; POST with ``confirm``: run it."""
    config = registry.get(object_type)
    data = request.POST if request.method == "POST" else request.GET
    action = config.bulk_action(data.get("action", ""))
    if action is None:
        messages.error(request, _("Choose an action."))
        return HttpResponseRedirect(_back(request, config))
    if action.capability and not policy.has_capability(request.user, action.capability):
        raise PermissionDenied(_("You are not allowed to do this."))
    try:
        rows, query = _selection(request, config, data)
    except FilterError:
        messages.error(request, _("The filters of this list are not valid."))
        return HttpResponseRedirect(_back(request, config))
    count = count_capped(rows, cap=1_000_000)
    if count.value == 0:
        messages.warning(request, _("Select at least one row first."))
        return HttpResponseRedirect(_back(request, config))
    if action.respond is not None:
        return action.respond(rows, request.user)
    form = (
        action.form(request.user, data if request.method == "POST" else None)
        if action.form
        else None
    )
    back = f"{reverse(config.url_name)}?{query.urlencode()}" if query else reverse(config.url_name)
    if request.method == "POST" and data.get("confirm") and (form is None or form.is_valid()):
        cleaned = form.cleaned_data if form is not None else {}
        try:
            assert action.run is not None
            changed = action.run(rows, request.user, cleaned)
        except ValidationError as exc:
            messages.error(request, _errors_text(exc))
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("You are not allowed to do this."))
        else:
            done = action.done_text or _("Done: %(count)s records changed.")
            messages.success(request, done % {"count": changed})
            return HttpResponseRedirect(back)
    context = {
        "config": config,
        "action": action,
        "form": form,
        "count": count.value,
        "confirm_text": (action.confirm_text or "%(count)s") % {"count": count.value},
        "ids": data.getlist("ids"),
        "all": data.get("all") == "1",
        "query": query.urlencode(),
        "back_url": back,
    }
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(request, "lists/bulk_confirm.html", context, status=status)


@login_required
@require_GET
def export_view(request: HttpRequest, object_type: str) -> HttpResponseBase:
    """The current list (filters, sort, columns) as CSV; needs the ``export`` capability."""
    config = registry.get(object_type)
    policy.require_capability(request.user, "export")
    state = ListState(request, config, request.GET)
    if state.errors:
        messages.error(request, _("Fix the filters before exporting."))
        return HttpResponseRedirect(f"{reverse(config.url_name)}?{request.GET.urlencode()}")
    rows = state.rows().order_by(*state.sort.order_by())
    columns: list[Column] = state.columns.chosen()
    filename = f"{config.export_filename or config.items_name}.csv"
    return csv_response(rows, columns, filename)


def query_encode(params: dict[str, Any]) -> str:
    return urlencode(params, doseq=True)
