"""Fixtures of the shell's tests.

- ``isolated_registry``: the registry as the installed apps left it, restored after the test,
  so a test may register commands, providers and panels of its own.
- ``plain_static_storage`` (autouse): ``{% static %}`` without a collectstatic manifest.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from accord.core.registry import Registry, registry


def use_plain_static_storage(settings: Any) -> None:
    """Pages render ``{% static %}`` without the manifest that collectstatic writes."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def plain_static_storage(settings: Any) -> None:
    use_plain_static_storage(settings)


@pytest.fixture
def isolated_registry() -> Iterator[Registry]:
    saved = {name: copy.copy(getattr(registry, name)) for name in vars(registry)}
    try:
        yield registry
    finally:
        for name, value in saved.items():
            setattr(registry, name, value)
