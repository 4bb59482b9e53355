"""Saved views (owner-only changes, team sharing, one default), column choices, CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse

from accord.accounts.models import Team, User
from accord.contacts.models import Contact
from accord.core import policy
from accord.core.audit.models import AuditEntry
from accord.lists.columns import Column
from accord.lists.export import csv_lines, csv_response, neutralise
from accord.lists.models import SavedView
from accord.lists.selectors import saved_view_get, saved_views_for
from accord.lists.services import (
    custom_keys_of,
    list_columns_set,
    saved_view_create,
    saved_view_delete,
    saved_view_update,
)

pytestmark = pytest.mark.django_db

CONTACT = "contacts.contact"


@pytest.fixture
def teammate(make_user: Any, team: Team) -> User:
    return make_user("sales-rep", email="mate@example.com", teams=[team])


@pytest.fixture
def stranger(make_user: Any, other_team: Team) -> User:
    return make_user("sales-rep", email="stranger@example.com", teams=[other_team])


def test_private_and_shared_views(user: User, teammate: User, stranger: User, team: Team) -> None:
    private = saved_view_create(actor=user, object_type=CONTACT, data={"name": "Mine"})
    shared = saved_view_create(
        actor=user,
        object_type=CONTACT,
        data={
            "name": "Team leads",
            "filters": {"lifecycle_stage": ["lead"]},
            "shared_with_team_id": team.pk,
        },
    )
    assert [v.name for v in saved_views_for(user, CONTACT)] == ["Mine", "Team leads"]
    assert [v.name for v in saved_views_for(teammate, CONTACT)] == ["Team leads"]
    assert list(saved_views_for(stranger, CONTACT)) == []
    assert list(saved_views_for(user, "contacts.company")) == []
    with pytest.raises(policy.NotFound):
        saved_view_get(teammate, CONTACT, private.pk)
    assert saved_view_get(teammate, CONTACT, shared.pk) == shared
    assert AuditEntry.objects.filter(verb="create", target_id=str(shared.pk)).count() == 1


def test_only_the_owner_changes_a_view(
    user: User, teammate: User, stranger: User, team: Team
) -> None:
    view = saved_view_create(
        actor=user, object_type=CONTACT, data={"name": "Shared", "shared_with_team_id": team.pk}
    )
    with pytest.raises(PermissionDenied):
        saved_view_update(view=view, actor=teammate, changes={"name": "Hijacked"})
    with pytest.raises(PermissionDenied):
        saved_view_delete(view=view, actor=teammate)
    with pytest.raises(policy.NotFound):
        saved_view_update(view=view, actor=stranger, changes={"name": "Hijacked"})
    view.refresh_from_db()
    assert view.name == "Shared"
    saved_view_update(view=view, actor=user, changes={"name": "Renamed", "sort": "-created_at"})
    view.refresh_from_db()
    assert (view.name, view.sort) == ("Renamed", "-created_at")
    saved_view_delete(view=view, actor=user)
    assert not SavedView.objects.exists()


def test_view_input_errors_are_keyed(user: User, other_team: Team) -> None:
    with pytest.raises(ValidationError) as caught:
        saved_view_create(
            actor=user,
            object_type=CONTACT,
            data={
                "name": " ",
                "filters": "stage=lead",
                "columns": "name",
                "shared_with_team_id": other_team.pk,
                "colour": "red",
            },
        )
    assert caught.value.message_dict == {
        "colour": ["Unknown field."],
        "name": ["Give the view a name."],
        "filters": ["Enter an object of parameter names and values."],
        "columns": ["Enter a list of column names."],
        "shared_with_team_id": ["You can share only with your teams."],
    }
    assert not SavedView.objects.exists()


def test_one_default_per_owner_and_list(user: User) -> None:
    first = saved_view_create(
        actor=user, object_type=CONTACT, data={"name": "A", "is_default": True}
    )
    second = saved_view_create(
        actor=user, object_type=CONTACT, data={"name": "B", "is_default": True}
    )
    first.refresh_from_db()
    assert (first.is_default, second.is_default) == (False, True)


def test_columns_preference(user: User) -> None:
    list_columns_set(actor=user, object_type=CONTACT, columns=["email", "email", "phone"])
    pref = list_columns_set(actor=user, object_type=CONTACT, columns=["phone"])
    assert pref.columns == ["phone"]


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ada", "Ada"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_neutralise(raw: str, safe: str) -> None:
    assert neutralise(raw) == safe


def test_csv_stream(user: User) -> None:
    for i in range(5):
        Contact.objects.create(first_name=f"P{i}", last_name="=cmd|' /C calc'!A0")
    columns = [
        Column("first", "First", lambda c: c.first_name),
        Column("last", "=Last", lambda c: c.last_name),
    ]
    response = csv_response(Contact.objects.order_by("pk"), columns, "contacts.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["First", "'=Last"]
    assert rows[1:] == [[f"P{i}", "'=cmd|' /C calc'!A0"] for i in range(5)]
    # lines are produced one by one (a generator), never a whole file in memory
    lines = csv_lines(iter([]), columns)
    assert next(lines) == "First,'=Last\r\n"


def test_sorting_by_a_custom_field_indexes_it(user: User, admin_user: User) -> None:
    from django.db import connection

    from accord.background.testing import run_pending_jobs
    from accord.core import customfields

    definition = customfields.custom_field_create(
        actor=admin_user, object_type=CONTACT, key="arr", label="ARR", field_type="number"
    )
    view = saved_view_create(
        actor=user,
        object_type=CONTACT,
        data={"name": "Big", "sort": "-custom.arr", "filters": {"custom.arr__gte": ["10"]}},
    )
    assert custom_keys_of(view) == ["arr"]
    assert run_pending_jobs().ran == 1
    name = customfields.index_name(definition, Contact)
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Contact._meta.db_table)
    assert name in indexes
