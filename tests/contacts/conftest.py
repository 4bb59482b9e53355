"""Fixtures of the contacts tests: users in every position and records around them.

- ``rep`` (sales rep in ``team``), ``teammate`` (sales rep in ``team``), ``outsider``
  (sales rep in ``other_team``), ``manager`` (manages ``team``), ``read_only_user``,
  ``admin_user`` come from the root conftest or are made here.
- ``acme``: a company of ``team`` owned by ``rep``; ``globex``: one of ``other_team``.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import MakeUser

from accord.accounts.models import Team, User
from accord.contacts.models import Company, Contact
from accord.contacts.services import company_create, contact_create


@pytest.fixture
def rep(user: User) -> User:
    return user


@pytest.fixture
def teammate(make_user: MakeUser, team: Team) -> User:
    return make_user("sales-rep", email="mate@example.com", teams=[team])


@pytest.fixture
def outsider(make_user: MakeUser, other_team: Team) -> User:
    return make_user("sales-rep", email="outsider@example.com", teams=[other_team])


@pytest.fixture
def acme(rep: User, team: Team) -> Company:
    return company_create(
        actor=rep, data={"name": "Acme GmbH", "domains": ["acme.example"], "team_id": team.pk}
    )


@pytest.fixture
def globex(outsider: User, other_team: Team) -> Company:
    return company_create(
        actor=outsider,
        data={"name": "Globex", "domains": ["globex.example"], "team_id": other_team.pk},
    )


@pytest.fixture
def make_contact(rep: User) -> Any:
    def make(actor: User | None = None, **data: Any) -> Contact:
        data.setdefault("first_name", "Ada")
        return contact_create(actor=actor or rep, data=data)

    return make
