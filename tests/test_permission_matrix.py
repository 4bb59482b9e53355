"""Every URL and API operation of the project, called as every kind of user.

1. ``test_every_endpoint_is_declared``: walks Django's URL resolver and the ninja API's
   operations; each must be declared in some ``tests/**/permissions.py`` (see
   ``tests/permission_matrix.py``), else the suite fails with "undeclared endpoint ...".
2. ``test_endpoint``: for each declaration and actor (owner, same team, other team, manager,
   read-only, admin, anonymous, deactivated user, revoked token) asserts the exact status;
   for a denial it also asserts that no table changed (row counts and newest ``updated_at``).
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import urlencode
from tests.factories import TeamFactory, UserFactory
from tests.permission_matrix import ACTORS, REGISTRY, SIGNED_OUT, Endpoint, World

from accord.accounts.models import ApiToken, Team, User, UserSession
from accord.accounts.tokens import api_token_create, api_token_revoke
from accord.core.audit import AuditEntry

TESTS_DIR = Path(__file__).resolve().parent


def _load_declarations() -> None:
    for path in sorted(TESTS_DIR.glob("**/permissions.py")):
        module = ".".join(path.relative_to(TESTS_DIR.parent).with_suffix("").parts)
        importlib.import_module(module)


_load_declarations()


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Tables that change on any request by design, never because of what a request asked for.
VOLATILE_TABLES = frozenset(
    {
        "django_session",  # signing in or out
        UserSession._meta.db_table,  # "where you are signed in" records
        "accord_cache",  # rate limits and sign-in throttles
    }
)


# --- Walking the project's endpoints --------------------------------------------------------


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield name, route


def api_operations() -> list[tuple[str, str]]:
    """(``"METHOD /api/v1/path"``, view function name) of every ninja operation."""
    from accord.api.api import api

    found = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            full = "/api/v1" + (prefix.rstrip("/") + "/" + path.lstrip("/")).replace("//", "/")
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append((f"{method} {full}", operation.view_func.__name__))
    return found


def url_endpoints() -> list[tuple[str, str]]:
    """(identifier, route) of every URL pattern that is not a ninja operation."""
    operation_names = {name for _key, name in api_operations()}
    found = []
    for name, route in _walk(get_resolver().url_patterns):
        if name.startswith("api:") and name.removeprefix("api:") in operation_names:
            continue
        found.append((name or f"route:{route}", route))
    return found


def test_every_endpoint_is_declared() -> None:
    declared_names = {e.key for e in REGISTRY.values() if not e.is_api}
    declared_routes = [r for e in REGISTRY.values() for r in e.covers_routes]
    declared_api = {e.key for e in REGISTRY.values() if e.is_api}
    undeclared = []
    for identifier, route in url_endpoints():
        if identifier in declared_names or any(route.startswith(r) for r in declared_routes):
            continue
        undeclared.append(f"undeclared endpoint {identifier} ({route})")
    for key, _name in api_operations():
        if key not in declared_api:
            undeclared.append(f"undeclared endpoint {key}")
    assert not undeclared, (
        "Declare these in tests/<app>/permissions.py (see tests/permission_matrix.py):\n"
        + "\n".join(undeclared)
    )


def test_declarations_name_real_endpoints() -> None:
    names = {identifier for identifier, _route in url_endpoints()}
    operations = {key for key, _name in api_operations()}
    stale = [
        e.case_id
        for e in REGISTRY.values()
        if (e.key not in operations if e.is_api else e.key not in names)
    ]
    assert stale == []


# --- The world and the callers ----------------------------------------------------------------


def build_world() -> World:
    team = TeamFactory(name="Matrix A")
    other_team = TeamFactory(name="Matrix B")
    users = {
        "owner": UserFactory(role="sales-rep", email="owner@matrix.test", teams=[team]),
        "same_team": UserFactory(role="sales-rep", email="same@matrix.test", teams=[team]),
        "other_team": UserFactory(role="sales-rep", email="other@matrix.test", teams=[other_team]),
        "manager": UserFactory(role="manager", email="manager@matrix.test", manages=[team]),
        "read_only": UserFactory(role="read-only", email="viewer@matrix.test", teams=[team]),
        "admin": UserFactory(role="admin", email="admin@matrix.test"),
        "deactivated": UserFactory(role="sales-rep", email="gone@matrix.test", teams=[team]),
        "revoked_token": UserFactory(role="sales-rep", email="revoked@matrix.test", teams=[team]),
    }
    tokens = {
        actor: api_token_create(user=user, actor=None, scope="write").plaintext
        for actor, user in users.items()
    }
    revoked = ApiToken.objects.get(user=users["revoked_token"])
    api_token_revoke(token=revoked, actor=None)
    return World(team=team, other_team=other_team, users=users, tokens=tokens)


def client_for(world: World, actor: str) -> Client:
    if actor == "anonymous":
        return Client()
    if actor == "revoked_token":
        return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens['revoked_token']}")
    client = Client()
    client.force_login(world.users[actor])
    return client


def api_client_for(world: World, actor: str) -> Client:
    if actor == "anonymous":
        return Client()
    return Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[actor]}")


def fingerprint() -> dict[str, tuple[Any, ...]]:
    """Row count (and newest ``updated_at``) of every table, in one query."""
    parts = []
    quote = connection.ops.quote_name
    for model in apps.get_models():
        table = model._meta.db_table
        if table in VOLATILE_TABLES or model._meta.proxy or not model._meta.managed:
            continue
        names = {f.column for f in model._meta.concrete_fields}
        newest = f"MAX({quote('updated_at')})" if "updated_at" in names else "NULL"
        # Table names come from the models, not from input.
        parts.append(f"SELECT '{table}', COUNT(*), {newest} FROM {quote(table)}")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def _request(endpoint: Endpoint, world: World, client: Client) -> Any:
    kwargs = endpoint.kwargs(world) if endpoint.kwargs else {}
    data = endpoint.data(world) if endpoint.data else None
    query = endpoint.query(world) if endpoint.query else None
    method = endpoint.http_method.lower()
    if endpoint.is_api:
        path = endpoint.key.split(" ", 1)[1].format(**kwargs)
        if method == "get":
            return client.get(path, query)
        if query:
            path = f"{path}?{urlencode(query)}"
        body = json.dumps(data if data is not None else {})
        return getattr(client, method)(path, body, content_type="application/json")
    path = endpoint.path or reverse(endpoint.key, kwargs=kwargs)
    if method == "get":
        return client.get(path, query)
    if query:
        path = f"{path}?{urlencode(query)}"
    return getattr(client, method)(path, data or {})


def _is_denial(response: Any) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return bool(location) and location.startswith(reverse("accounts:login"))


CASES = [
    pytest.param(endpoint, actor, id=f"{endpoint.case_id} as {actor}")
    for endpoint in sorted(REGISTRY.values(), key=lambda e: e.case_id)
    for actor in ACTORS
]


@pytest.fixture(scope="module")
def shared_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The users, teams and tokens, committed once for the module (building them for each of
    the ~1000 cases would dominate the run). Each case runs in its own transaction, which is
    rolled back, so every case starts from this same state; the rows are removed at the end.
    """
    with django_db_blocker.unblock():
        first_entry = (AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()) or 0
        with transaction.atomic():
            world = build_world()
    yield world
    with django_db_blocker.unblock(), transaction.atomic():
        AuditEntry.objects.filter(id__gt=first_entry).delete()
        User.objects.filter(pk__in=[u.pk for u in world.users.values()]).delete()
        Team.objects.filter(pk__in=[world.team.pk, world.other_team.pk]).delete()


def fresh_world(shared: World) -> World:
    """The shared world with user objects re-read (no cached access) and no records yet."""
    users = User.objects.select_related("role").in_bulk([u.pk for u in shared.users.values()])
    return World(
        team=shared.team,
        other_team=shared.other_team,
        users={actor: users[user.pk] for actor, user in shared.users.items()},
        tokens=dict(shared.tokens),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("endpoint", "actor"), CASES)
def test_endpoint(endpoint: Endpoint, actor: str, shared_world: World) -> None:
    cache.clear()
    world = fresh_world(shared_world)
    # The client signs in first: a deactivated user's session and token exist already.
    client = api_client_for(world, actor) if endpoint.is_api else client_for(world, actor)
    deactivated = world.users["deactivated"]
    type(deactivated).objects.filter(pk=deactivated.pk).update(is_active=False)
    # Arguments are built before the fingerprint, so records they create do not count.
    prepared = replace(
        endpoint,
        kwargs=_frozen(endpoint.kwargs, world),
        data=_frozen(endpoint.data, world),
        query=_frozen(endpoint.query, world),
    )
    before = fingerprint()
    response = _request(prepared, world, client)
    expected = endpoint.expect[actor]
    assert response.status_code == expected, (
        f"{endpoint.case_id} as {actor}: expected {expected}, got {response.status_code} "
        f"{response.get('Location', '')} {response.content[:300]!r}"
    )
    if _is_denial(response) or actor in SIGNED_OUT:
        after = fingerprint()
        changed = {t: (before[t], after.get(t)) for t in before if before[t] != after.get(t)}
        assert changed == {}, f"{endpoint.case_id} as {actor} was refused but changed {changed}"


def _frozen(function: Any, world: World) -> Any:
    if function is None:
        return None
    value = function(world)
    return lambda _world: value


def test_route_keys_are_well_formed() -> None:
    for endpoint in REGISTRY.values():
        if endpoint.is_api:
            assert re.match(r"^(GET|POST|PUT|PATCH|DELETE) /api/v1/", endpoint.key), endpoint.key
