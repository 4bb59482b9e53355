from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from accord.accounts.models import User
from accord.contacts.models import Company
from accord.contacts.selectors import company_detail, contact_detail
from accord.contacts.services import company_create, contact_update
from accord.core import policy

pytestmark = pytest.mark.django_db


def _grow_contact(contact: Any, rep: User, n: int) -> None:
    contact_update(
        contact=contact,
        actor=rep,
        changes={
            "emails": [f"p{i}@example.com" for i in range(n)],
            "phones": [f"+4930123456{i}" for i in range(n)],
            "tags": [f"t{i}" for i in range(n)],
            "addresses": [{"city": f"C{i}"} for i in range(n)],
            "social_profiles": [f"https://example.com/{i}" for i in range(n)],
        },
    )


def test_contact_detail_fixed_queries(
    make_contact: Any, rep: User, acme: Company, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    small = make_contact(company_id=acme.pk)
    big = make_contact(company_id=acme.pk)
    _grow_contact(small, rep, 1)
    _grow_contact(big, rep, 8)
    for stage in ("customer", "evangelist", "other"):
        contact_update(contact=big, actor=rep, changes={"lifecycle_stage": stage})
    policy.access_for(rep)
    with django_assert_num_queries(9) as small_ctx:
        detail_small = contact_detail(rep, small.pk)
    with django_assert_num_queries(len(small_ctx.captured_queries)):
        detail = contact_detail(rep, big.pk)
    assert len(detail.emails) == 8
    assert len(detail.tags) == 8
    assert len(detail.addresses) == 8
    assert detail.emails[0].is_primary
    assert list(detail.stage_reached) == ["lead", "customer", "evangelist", "other"]
    assert detail.can_edit
    assert detail_small.can_delete


def test_company_detail_people_scoped_and_fixed_queries(
    make_contact: Any,
    rep: User,
    outsider: User,
    acme: Company,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    for i in range(3):
        make_contact(first_name=f"P{i}", company_id=acme.pk, tags=["a", "b"])
    hidden_company = company_create(actor=outsider, data={"name": "Hidden"})
    contact_update(
        contact=make_contact(first_name="Zed", company_id=acme.pk), actor=rep, changes={}
    )
    policy.access_for(rep)
    with django_assert_num_queries(10) as ctx:
        detail = company_detail(rep, acme.pk)
    assert [p.first_name for p in detail.people] == ["P0", "P1", "P2", "Zed"]
    assert detail.people_count == 4
    for i in range(5):
        make_contact(first_name=f"Q{i}", company_id=acme.pk, tags=["c"])
    with django_assert_num_queries(len(ctx.captured_queries)):
        detail = company_detail(rep, acme.pk)
    assert detail.people_count == 9
    with pytest.raises(policy.NotFound):
        company_detail(rep, hidden_company.pk)
