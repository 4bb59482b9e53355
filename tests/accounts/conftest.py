"""Fixtures of the accounts tests.

- ``plain_static_storage`` (autouse): pages render ``{% static %}`` without a manifest.
- ``fresh_cache`` (autouse): login throttle counters of one test never reach the next.
- ``settings_admin``: a user whose role is ``admin`` (not a superuser), with a client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from accord.accounts.models import User


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def fresh_cache(db: None) -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def settings_admin(make_user: Callable[..., User]) -> User:
    return make_user("admin", email="boss@example.com", full_name="Bo Boss")


@pytest.fixture
def settings_client(client_for: Callable[[User], Client], settings_admin: User) -> Client:
    return client_for(settings_admin)
