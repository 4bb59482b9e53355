"""Visibility from the access policy, and searching with one visibility per object type."""

from __future__ import annotations

import pytest

from accord.accounts.models import Role, Team, User
from accord.search import Visibility, search_index_upsert, search_query
from accord.search.access import visibilities_for, visibility_for

pytestmark = pytest.mark.django_db

CONTACT = "contacts.contact"
COMPANY = "contacts.company"


def add(
    object_type: str, object_id: int, title: str, *, owner: int | None, team: int | None
) -> None:
    search_index_upsert(
        object_type, object_id, title=title, texts=[], phones=[], owner_id=owner, team_id=team
    )


def test_rep_sees_own_and_team_records(user: User, team: Team) -> None:
    assert visibility_for(user, CONTACT) == Visibility(
        owner_ids=frozenset({user.pk}), team_ids=frozenset({team.pk})
    )


def test_admin_sees_everything(admin_user: User) -> None:
    assert visibility_for(admin_user, CONTACT) == Visibility(see_all=True)


def test_role_with_own_scope_sees_own_records(user: User) -> None:
    role = Role.objects.get(slug="sales-rep")
    role.permissions = {"objects": {COMPANY: {"view": "own"}, CONTACT: {"view": "none"}}}
    role.save()
    user.refresh_from_db()
    assert visibility_for(user, COMPANY) == Visibility(owner_ids=frozenset({user.pk}))
    assert visibility_for(user, CONTACT) == Visibility()


def test_search_with_a_visibility_per_type(user: User, team: Team, other_team: Team) -> None:
    add(CONTACT, 1, "Orbit Contact Mine", owner=user.pk, team=other_team.pk)
    add(CONTACT, 2, "Orbit Contact Team", owner=None, team=team.pk)
    add(CONTACT, 3, "Orbit Contact Hidden", owner=None, team=other_team.pk)
    add(COMPANY, 1, "Orbit Company Team", owner=None, team=team.pk)
    add(COMPANY, 2, "Orbit Company Hidden", owner=None, team=other_team.pk)
    visibility = visibilities_for(user, [CONTACT, COMPANY])
    found = search_query("orbit", visibility=visibility)
    assert [(r.object_type, r.object_id) for r in found] == [
        (COMPANY, 1),
        (CONTACT, 1),
        (CONTACT, 2),
    ]
    only_companies = {COMPANY: Visibility(see_all=True), CONTACT: Visibility()}
    assert [r.title for r in search_query("orbit", visibility=only_companies)] == [
        "Orbit Company Hidden",
        "Orbit Company Team",
    ]
    assert search_query("orbit", visibility=only_companies, object_types=[CONTACT]) == []
