"""Fixtures of the core framework tests.

The framework (policy, audit, custom fields, services) is tested on real tables of a small
test-only app, ``tests/core/accord_testapp`` (Company, Contact with owner/team/custom, and
Note whose access follows its contact). It is installed here, at collection time and before
the test database is created, so it exists only when tests/core is collected.

- ``world``: named users of every default role and contacts in every position relative to
  them (see :class:`World`).
- ``define(key, field_type, **options)``: a custom field on the test Contact, made through
  the service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.test.utils import override_settings
from tests.factories import TeamFactory, UserFactory

from accord.accounts.models import Team, User

TESTAPP = "tests.core.accord_testapp"

if TESTAPP not in settings.INSTALLED_APPS:
    override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, TESTAPP]).enable()

from tests.core.accord_testapp.models import Contact  # noqa: E402

from accord.core import customfields  # noqa: E402
from accord.core.customfields import CustomFieldDefinition  # noqa: E402

CONTACT = "accord_testapp.contact"
COMPANY = "accord_testapp.company"


@dataclass
class World:
    """Teams: ``a`` (the reps' team), ``b`` (another team), ``m`` (the manager is a plain member).

    Users: rep, rep2 (both sales reps in a), rep_b (sales rep in b), rep_m (sales rep in m),
    marketer, support, read_only (in a), manager (manages a, member of m), admin (admin role,
    not a superuser), superuser (no role), inactive (sales rep in a, deactivated).

    Contacts: own (rep, a), same_team (rep2, a), other_team (rep_b, b), own_no_team (rep,
    no team), no_team (rep_b, no team), manager_team (rep_m, m).
    """

    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)

    def names(self, contacts: Any) -> set[str]:
        by_pk = {c.pk: name for name, c in self.contacts.items()}
        return {by_pk[c.pk] for c in contacts}


@pytest.fixture
def world(db: None) -> World:
    w = World()
    w.teams = {name: TeamFactory(name=f"Team {name.upper()}") for name in ("a", "b", "m")}
    a, b, m = w.teams["a"], w.teams["b"], w.teams["m"]
    w.users = {
        "rep": UserFactory(role="sales-rep", email="rep@example.com", teams=[a]),
        "rep2": UserFactory(role="sales-rep", email="rep2@example.com", teams=[a]),
        "rep_b": UserFactory(role="sales-rep", email="rep-b@example.com", teams=[b]),
        "rep_m": UserFactory(role="sales-rep", email="rep-m@example.com", teams=[m]),
        "marketer": UserFactory(role="marketer", email="marketer@example.com", teams=[a]),
        "support": UserFactory(role="support-agent", email="support@example.com", teams=[a]),
        "read_only": UserFactory(role="read-only", email="viewer@example.com", teams=[a]),
        "manager": UserFactory(role="manager", email="boss@example.com", teams=[m], manages=[a]),
        "admin": UserFactory(role="admin", email="admin@example.com"),
        "superuser": UserFactory(role=None, email="root@example.com", is_superuser=True),
        "inactive": UserFactory(
            role="sales-rep", email="gone@example.com", teams=[a], is_active=False
        ),
    }
    u = w.users
    placements = {
        "own": (u["rep"], a),
        "same_team": (u["rep2"], a),
        "other_team": (u["rep_b"], b),
        "own_no_team": (u["rep"], None),
        "no_team": (u["rep_b"], None),
        "manager_team": (u["rep_m"], m),
    }
    w.contacts = {
        name: Contact.objects.create(first_name=name, owner=owner, team=team)
        for name, (owner, team) in placements.items()
    }
    return w


Define = Callable[..., CustomFieldDefinition]


@pytest.fixture
def field_admin(db: None) -> User:
    return UserFactory(role="admin", email="fields@example.com")


@pytest.fixture
def define(field_admin: User) -> Define:
    def make(key: str, field_type: str, *, object_type: str = CONTACT, **options: Any):
        options.setdefault("label", key.replace("_", " ").title())
        return customfields.custom_field_create(
            actor=field_admin, object_type=object_type, key=key, field_type=field_type, **options
        )

    return make
