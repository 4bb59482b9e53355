"""Sorting, keyset pagination (both directions, nulls, ties, custom fields) and capped counts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.accounts.models import User
from accord.contacts.filters import ContactFilterSet
from accord.contacts.models import Company, Contact
from accord.core import customfields
from accord.lists.filters import FilterError
from accord.lists.pagination import count_capped, paginate, resolve_sort

pytestmark = pytest.mark.django_db


def walk(queryset, token: str, limit: int) -> list[int]:
    sort = resolve_sort(ContactFilterSet, token)
    seen: list[int] = []
    page = paginate(queryset, sort, limit=limit)
    pages = [page]
    seen.extend(c.pk for c in page.items)
    while page.next_cursor:
        page = paginate(queryset, sort, after=page.next_cursor, limit=limit)
        pages.append(page)
        seen.extend(c.pk for c in page.items)
    # and back again with the previous cursors
    back: list[int] = []
    current = pages[-1]
    back = [c.pk for c in current.items]
    while current.previous_cursor:
        current = paginate(queryset, sort, before=current.previous_cursor, limit=limit)
        back = [c.pk for c in current.items] + back
    assert back == seen
    return seen


def expected(token: str) -> list[int]:
    name = token.lstrip("-")
    path = ContactFilterSet.sorts.get(name, name)
    rows = list(Contact.objects.values_list("pk", path))
    present = [r for r in rows if r[1] is not None]
    missing = [r for r in rows if r[1] is None]
    descending = token.startswith("-")
    present.sort(key=lambda r: (r[1], r[0]), reverse=descending)
    missing.sort(key=lambda r: r[0], reverse=descending)
    return [r[0] for r in present + missing]


@pytest.fixture
def many() -> None:
    acme = Company.objects.create(name="Acme")
    beta = Company.objects.create(name="Beta")
    for i in range(23):
        Contact.objects.create(
            first_name=f"P{i}",
            last_name=["Avery", "Brook", "Cole"][i % 3],  # many ties
            company=[acme, beta, None][i % 3],  # nulls
            touches_30d=i % 4,
        )


@pytest.mark.parametrize(
    "token", ["last_name", "-last_name", "company", "-company", "touches_30d", "-created_at"]
)
@pytest.mark.parametrize("limit", [1, 4, 50])
def test_every_row_once_in_order(many: None, token: str, limit: int) -> None:
    assert walk(Contact.objects.all(), token, limit) == expected(token)


def test_custom_field_sort_numeric_with_nulls(many: None, admin_user: User) -> None:
    customfields.custom_field_create(
        actor=admin_user,
        object_type="contacts.contact",
        key="arr",
        label="ARR",
        field_type="number",
    )
    values = [None, 5, 100, 20, 5, None, 3]
    for contact, value in zip(Contact.objects.order_by("pk"), values, strict=False):
        Contact.objects.filter(pk=contact.pk).update(custom={} if value is None else {"arr": value})
    for token in ("custom.arr", "-custom.arr"):
        got = walk(Contact.objects.all(), token, 2)
        arr = {c.pk: c.custom.get("arr") for c in Contact.objects.all()}
        with_value = [pk for pk in got if arr[pk] is not None]
        numbers = [arr[pk] for pk in with_value]
        assert numbers == sorted(numbers, reverse=token.startswith("-"))
        # numbers sort as numbers (100 after 20), nulls come last either way
        assert got[len(with_value) :] == sorted(
            [pk for pk in got if arr[pk] is None], reverse=token.startswith("-")
        )
        assert len(got) == 23


def test_bad_sort_and_cursor_are_named() -> None:
    with pytest.raises(FilterError) as caught:
        resolve_sort(ContactFilterSet, "password")
    assert caught.value.message_dict == {"sort": ["This list cannot be sorted by password."]}
    sort = resolve_sort(ContactFilterSet, "last_name")
    with pytest.raises(FilterError) as caught:
        paginate(Contact.objects.all(), sort, after="not-a-cursor")
    assert caught.value.message_dict == {"after": ["This page link is out of date; start again."]}
    other = resolve_sort(ContactFilterSet, "-last_name")
    Contact.objects.create(first_name="A", last_name="A")
    Contact.objects.create(first_name="B", last_name="B")
    cursor = paginate(Contact.objects.all(), sort, limit=1).next_cursor
    assert cursor is not None
    with pytest.raises(FilterError):
        paginate(Contact.objects.all(), other, after=cursor)


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["", "a", "b", "c"]), min_size=0, max_size=12), st.integers(1, 5))
def test_hypothesis_pages_cover_everything(last_names: list[str], limit: int) -> None:
    Contact.objects.all().delete()
    for i, name in enumerate(last_names):
        Contact.objects.create(first_name=str(i), last_name=name)
    for token in ("last_name", "-last_name"):
        assert walk(Contact.objects.all(), token, limit) == expected(token)


def test_count_capped(many: None) -> None:
    assert count_capped(Contact.objects.all(), cap=100) == count_capped(Contact.objects.all())
    exact = count_capped(Contact.objects.all(), cap=100)
    assert (exact.value, exact.capped) == (23, False)
    capped = count_capped(Contact.objects.all(), cap=10)
    assert (capped.value, capped.capped) == (10, True)
    at_cap = count_capped(Contact.objects.all(), cap=23)
    assert (at_cap.value, at_cap.capped) == (23, False)


def test_page_is_one_query(many: None, django_assert_num_queries) -> None:
    sort = resolve_sort(ContactFilterSet, "company")
    first = paginate(Contact.objects.all(), sort, limit=5)
    with django_assert_num_queries(1):
        paginate(Contact.objects.all(), sort, after=first.next_cursor, limit=5)
