"""Fixtures of the API tests.

- ``make_token(user, scope="read", **kwargs)``: a new API token's plaintext.
- ``api_for(user=None, token=None, scope="write")``: an ``ApiClient`` with a fresh token
  of ``user`` (or the given token).
- ``api`` / ``read_api``: clients for the ``user`` fixture with a write / read token.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import BaseDatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from accord.accounts.models import User
from accord.accounts.tokens import api_token_create
from accord.core.api.testing import ApiClient

MakeToken = Callable[..., str]
ApiFor = Callable[..., ApiClient]


def _clear_cache() -> None:
    cache = caches["default"]
    if isinstance(cache, BaseDatabaseCache | LocMemCache):
        cache.clear()  # the test database's table, or process memory
    elif isinstance(cache, RedisCache):
        # A Redis named by ACCORD_CACHE_URL may be shared: clear() would flush all of it.
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=cache.make_key("ratelimit:*")):
            client.delete(key)


@pytest.fixture(autouse=True)
def _fresh_cache(db: None) -> Iterator[None]:
    """Rate-limit counters of one test never reach the next."""
    _clear_cache()
    yield
    _clear_cache()


@pytest.fixture
def make_token(db: None) -> MakeToken:
    def make(user: User, scope: str = "write", **kwargs: Any) -> str:
        return api_token_create(user=user, actor=None, scope=scope, **kwargs).plaintext

    return make


@pytest.fixture
def api_for(make_token: MakeToken) -> ApiFor:
    def build(
        user: User | None = None, token: str | None = None, scope: str = "write"
    ) -> ApiClient:
        if token is None:
            assert user is not None
            token = make_token(user, scope=scope)
        return ApiClient(token=token)

    return build


@pytest.fixture
def api(api_for: ApiFor, user: User) -> ApiClient:
    return api_for(user)


@pytest.fixture
def read_api(api_for: ApiFor, user: User) -> ApiClient:
    return api_for(user, scope="read")
