"""Fixtures of the sales tests.

- ``rep`` (sales rep in ``team``), ``teammate`` (same team), ``outsider`` (``other_team``),
  ``manager`` (manages ``team``), ``read_only_user``, ``admin_user`` (superuser).
- ``pipeline``: the default "Sales" pipeline of the migration, with ``stages`` by name.
- ``acme``: a company of ``team``; ``make_deal``: a deal through the service.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.conftest import MakeUser

from accord.accounts.models import Team, User
from accord.contacts.models import Company, Contact
from accord.contacts.services import company_create, contact_create
from accord.sales.models import Deal, LostReason, Pipeline, Stage
from accord.sales.services import deal_create


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
def pipeline(db: None) -> Pipeline:
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline: Pipeline) -> dict[str, Stage]:
    return {stage.name: stage for stage in pipeline.stages.all()}


@pytest.fixture
def reason(db: None) -> LostReason:
    return LostReason.objects.get(name="Price")


@pytest.fixture
def acme(rep: User, team: Team) -> Company:
    return company_create(actor=rep, data={"name": "Acme GmbH", "team_id": team.pk})


@pytest.fixture
def make_contact(rep: User) -> Any:
    def make(actor: User | None = None, **data: Any) -> Contact:
        data.setdefault("first_name", "Ada")
        return contact_create(actor=actor or rep, data=data)

    return make


@pytest.fixture
def make_deal(rep: User) -> Any:
    def make(actor: User | None = None, **data: Any) -> Deal:
        data.setdefault("name", "Deal")
        data.setdefault("amount", "1000.00")
        return deal_create(actor=actor or rep, data=data)

    return make
