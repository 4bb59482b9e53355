"""factory-boy factories for the accounts models, shared by every test module.

    from tests.factories import TeamFactory, UserFactory

    rep = UserFactory(role="sales-rep", teams=[team])          # member of team
    boss = UserFactory(role="manager", manages=[team])         # manager of team
    admin = UserFactory(role="admin", is_superuser=True, is_staff=True)

``role`` takes a slug (or a Role). Every user's password is ``PASSWORD``.
"""

from __future__ import annotations

from typing import Any

import factory
from factory.django import DjangoModelFactory

from accord.accounts.models import Membership, Role, Team, User

PASSWORD = "correct-horse-battery-staple"


def role(slug: str) -> Role:
    """The seeded system role with this slug (admin, manager, sales-rep, ...)."""
    return Role.objects.get(slug=slug)


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)
    role = "sales-rep"

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        if isinstance(kwargs.get("role"), str):
            kwargs["role"] = role(kwargs["role"])
        return super()._create(model_class, *args, **kwargs)

    @classmethod
    def _build(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        if isinstance(kwargs.get("role"), str):
            kwargs["role"] = role(kwargs["role"])
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: Any) -> None:
        if create and extracted:
            for team in extracted:
                Membership.objects.get_or_create(user=self, team=team)

    @factory.post_generation
    def manages(self, create: bool, extracted: list[Team] | None, **kwargs: Any) -> None:
        if create and extracted:
            for team in extracted:
                Membership.objects.update_or_create(
                    user=self, team=team, defaults={"is_manager": True}
                )


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    is_manager = False
