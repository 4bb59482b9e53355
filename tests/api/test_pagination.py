"""Keyset pagination: every row exactly once, in order, for any ordering and page size."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from django.db import models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.accounts.models import Role, User
from accord.core.api.pagination import MAX_LIMIT, encode_cursor, paginate
from accord.core.api.problems import BadRequest
from accord.core.api.testing import ApiClient, assert_problem

ORDERINGS = [
    "id",
    "-id",
    "full_name",
    "-full_name",
    "last_login",
    "-last_login",
    "date_joined",
    "-date_joined",
    "email",
    "-email",
    "role",  # a foreign key: ordered by role_id, nulls last
]
BASE = dt.datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=dt.UTC)
TIMES = [BASE, BASE + dt.timedelta(microseconds=1), BASE + dt.timedelta(days=3), BASE]

rows = st.lists(
    st.tuples(
        st.sampled_from(["", "anna", "Anna", "bert", "Ärger", "zoe"]),
        st.one_of(st.none(), st.sampled_from(TIMES)),
        st.sampled_from(TIMES),
        st.booleans(),
    ),
    max_size=25,
)


class _Rollback(Exception):
    pass


def _reference(ordering: str) -> list[int]:
    name = User._meta.get_field(ordering.lstrip("-")).attname
    expression = models.F(name)
    if ordering.startswith("-"):
        order = [expression.desc(nulls_last=True), models.F("pk").desc()]
    else:
        order = [expression.asc(nulls_last=True), models.F("pk").asc()]
    return list(User.objects.order_by(*order).values_list("pk", flat=True))


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=rows, ordering=st.sampled_from(ORDERINGS), limit=st.integers(1, 7))
def test_pages_visit_every_row_exactly_once(
    data: list[tuple[str, dt.datetime | None, dt.datetime, bool]], ordering: str, limit: int
) -> None:
    try:
        with transaction.atomic():
            role = None
            for index, (full_name, last_login, joined, with_role) in enumerate(data):
                if with_role and role is None:
                    role = Role.objects.order_by("pk").first()
                User.objects.create(
                    email=f"p{index}@example.com",
                    full_name=full_name,
                    last_login=last_login,
                    date_joined=joined,
                    role=role if with_role else None,
                )
            expected = _reference(ordering)
            seen: list[int] = []
            cursor = None
            for _page in range(len(expected) + 2):
                page = paginate(User.objects.all(), ordering=ordering, cursor=cursor, limit=limit)
                assert len(page.items) <= limit
                seen.extend(user.pk for user in page.items)
                if page.next_cursor is None:
                    break
                assert len(page.items) == limit
                cursor = page.next_cursor
            assert seen == expected
            assert len(set(seen)) == len(seen)
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_rows_added_before_the_cursor_are_not_repeated() -> None:
    for index in range(5):
        User.objects.create(email=f"u{index}@example.com")
    first = paginate(User.objects.all(), ordering="-id", limit=2)
    User.objects.create(email="new@example.com")  # lands on the first page, already read
    second = paginate(User.objects.all(), ordering="-id", limit=2, cursor=first.next_cursor)
    assert [u.email for u in first.items] == ["u4@example.com", "u3@example.com"]
    assert [u.email for u in second.items] == ["u2@example.com", "u1@example.com"]


def _raw(*parts: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ordering", "cursor"),
    [
        ("id", "not base64!"),
        ("id", base64.urlsafe_b64encode(b"{}").decode()),
        ("id", base64.urlsafe_b64encode(b"\xff\xfe").decode()),
        ("id", _raw("id", 1)),
        ("id", _raw("id", 1, "x")),
        ("id", _raw("id", 1, None)),
        ("date_joined", _raw("date_joined", "yesterday", 1)),
        ("date_joined", _raw("date_joined", None, 1)),  # the field is never null
        ("id", encode_cursor("-id", 5, 5)),  # made for another ordering
    ],
)
def test_bad_cursor_is_a_400_naming_cursor(ordering: str, cursor: str) -> None:
    with pytest.raises(BadRequest) as info:
        paginate(User.objects.all(), ordering=ordering, cursor=cursor)
    assert [error.field for error in info.value.errors] == ["cursor"]
    assert info.value.status == 400


def test_unknown_ordering_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="cannot paginate User by 'teams'"):
        paginate(User.objects.all(), ordering="teams")


@pytest.mark.django_db
def test_api_bad_cursor_and_limit(api: ApiClient) -> None:
    problem = assert_problem(
        api.get("/api/v1/tokens", query={"cursor": "garbage"}), 400, field="cursor"
    )
    assert problem["errors"][0]["code"] == "invalid_cursor"
    assert_problem(api.get("/api/v1/tokens", query={"limit": MAX_LIMIT + 1}), 422, field="limit")
    assert_problem(api.get("/api/v1/tokens", query={"limit": 0}), 422, field="limit")
    assert api.get("/api/v1/tokens", query={"limit": MAX_LIMIT}).status_code == 200


@pytest.mark.django_db
def test_default_limit_is_50(db: None) -> None:
    User.objects.bulk_create(User(email=f"b{i}@example.com") for i in range(51))
    page = paginate(User.objects.all())
    assert len(page.items) == 50
    assert page.next_cursor is not None
