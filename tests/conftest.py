"""Root fixtures of the test suite.

Database selection and the temporary data directory are set up in ``tests/settings.py``
(``DJANGO_SETTINGS_MODULE`` for pytest): SQLite by default, PostgreSQL when
``ACCORD_TEST_DATABASE_URL`` is set.

Fixtures here:

- ``team``: a team "Sales North"; ``other_team``: "Sales South".
- ``user`` (a sales rep in ``team``), ``manager`` (manages ``team``), ``read_only_user``,
  ``admin_user`` (admin role, superuser): all with password ``tests.factories.PASSWORD``.
- ``make_user(role="sales-rep", teams=[...], manages=[...], **fields)``: more users.
- ``client_for(user)``: a Django test client signed in as ``user``.
- ``user_client`` / ``admin_client``: clients signed in as ``user`` / ``admin_user``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate
from django.test import Client
from tests.factories import TeamFactory, UserFactory

from accord.accounts.models import Team, User

MakeUser = Callable[..., User]


# First-run data that data migrations seed, per app label: (migration module, function).
# Both functions are idempotent (update_or_create / "only when empty").
SEEDED_BY_MIGRATIONS = {
    "accounts": ("accord.accounts.migrations.0002_seed_roles", "seed"),
    "sales": ("accord.sales.migrations.0002_default_pipeline", "create_default"),
}


def _reseed(sender: Any, **kwargs: Any) -> None:
    """Put the data seeded by data migrations back after a flush.

    Transactional tests (``transactional_db``, ``live_server``) end with ``flush``, which
    empties every table, including the system roles and the default pipeline seeded by data
    migrations, and then sends ``post_migrate`` per app; re-seeding here keeps them for the
    tests that follow (as after a real ``accord migrate``).
    """
    target = SEEDED_BY_MIGRATIONS.get(getattr(sender, "label", ""))
    if target is None:
        return
    module, function = target
    seed = getattr(import_module(module), function)
    seed(kwargs.get("apps") or global_apps, None)


post_migrate.connect(_reseed, dispatch_uid="accord-tests-reseed")


@pytest.fixture
def team(db: None) -> Team:
    return TeamFactory(name="Sales North")


@pytest.fixture
def other_team(db: None) -> Team:
    return TeamFactory(name="Sales South")


@pytest.fixture
def make_user(db: None) -> MakeUser:
    def make(role: str = "sales-rep", **fields: Any) -> User:
        return UserFactory(role=role, **fields)

    return make


@pytest.fixture
def user(make_user: MakeUser, team: Team) -> User:
    return make_user("sales-rep", email="rep@example.com", full_name="Riley Rep", teams=[team])


@pytest.fixture
def manager(make_user: MakeUser, team: Team) -> User:
    return make_user(
        "manager", email="manager@example.com", full_name="Morgan Manager", manages=[team]
    )


@pytest.fixture
def read_only_user(make_user: MakeUser, team: Team) -> User:
    return make_user("read-only", email="viewer@example.com", full_name="Val Viewer", teams=[team])


@pytest.fixture
def admin_user(make_user: MakeUser) -> User:
    return make_user(
        "admin",
        email="admin@example.com",
        full_name="Ada Admin",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    def signed_in(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return signed_in


@pytest.fixture
def user_client(client_for: Callable[[User], Client], user: User) -> Client:
    return client_for(user)


@pytest.fixture
def admin_client(client_for: Callable[[User], Client], admin_user: User) -> Client:
    return client_for(admin_user)
