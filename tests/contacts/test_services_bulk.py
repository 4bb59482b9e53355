from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.accounts.models import Team, User
from accord.contacts.models import Company, Contact, LifecycleStageChange, Tag
from accord.contacts.services import (
    company_bulk_delete,
    company_create,
    company_update,
    contact_bulk_assign_owner,
    contact_bulk_create,
    contact_bulk_delete,
    contact_bulk_set_stage,
    contact_bulk_tag_add,
    contact_bulk_tag_remove,
)
from accord.core import policy
from accord.core.audit.models import AuditEntry
from accord.search import search_query
from accord.search.types import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_contact: Any) -> list[Contact]:
    return [make_contact(first_name=n, tags=["old"] if n == "A" else []) for n in "ABC"]


def _visible(user: User) -> Any:
    return policy.scope(user, Contact.objects.all())


def test_bulk_create_all_or_nothing_with_row_keys(
    rep: User, acme: Company, globex: Company
) -> None:
    rows = [
        {"first_name": "A", "email": "a@example.com", "company_id": acme.pk, "tags": ["x"]},
        {"first_name": "B", "email": "bad"},
        {"first_name": "C", "company_id": globex.pk},
        {"first_name": "D", "phones": ["+49 30 1234567", "nope"]},
    ]
    with pytest.raises(ValidationError) as exc:
        contact_bulk_create(rows=rows, actor=rep)
    assert exc.value.message_dict == {
        "rows.1.email": ["Enter a valid email address."],
        "rows.2.company_id": ["No such record."],
        "rows.3.phones.1.number": [
            "Start the number with + and the country code (no default region set)."
        ],
    }
    assert Contact.objects.count() == 0
    created = contact_bulk_create(
        rows=[rows[0], {"first_name": "E", "phone": "+1 415 555 0100"}], actor=rep, batch="import:7"
    )
    assert [c.first_name for c in created] == ["A", "E"]
    assert Contact.objects.get(first_name="A").emails.get().email == "a@example.com"
    assert Contact.objects.get(first_name="E").phone == "+14155550100"
    assert AuditEntry.objects.filter(batch="import:7", verb="create").count() == 2
    assert LifecycleStageChange.objects.filter(contact__in=created).count() == 2
    assert [
        h.object_id for h in search_query("example.com", visibility=Visibility.everything())
    ] == [created[0].pk]


def test_bulk_assign_owner(
    three: list[Contact], rep: User, teammate: User, outsider: User, read_only_user: User
) -> None:
    hidden = Contact.objects.create(first_name="Hidden", owner=outsider)
    with pytest.raises(PermissionDenied):
        contact_bulk_assign_owner(
            queryset=_visible(read_only_user), actor=read_only_user, owner_id=teammate.pk
        )
    count = contact_bulk_assign_owner(
        queryset=Contact.objects.all(), actor=rep, owner_id=teammate.pk, batch="bulk:owner"
    )
    assert count == 3
    assert set(Contact.objects.filter(owner=teammate).values_list("pk", flat=True)) == {
        c.pk for c in three
    }
    assert Contact.objects.get(pk=hidden.pk).owner_id == outsider.pk
    assert AuditEntry.objects.filter(batch="bulk:owner").count() == 3


def test_bulk_stage_records_history(three: list[Contact], rep: User) -> None:
    contact_bulk_set_stage(
        queryset=_visible(rep).filter(pk=three[0].pk), actor=rep, stage="customer"
    )
    count = contact_bulk_set_stage(
        queryset=_visible(rep), actor=rep, stage="customer", batch="bulk:s"
    )
    assert count == 2
    assert set(Contact.objects.values_list("lifecycle_stage", flat=True)) == {"customer"}
    assert LifecycleStageChange.objects.filter(stage="customer").count() == 3
    assert AuditEntry.objects.filter(batch="bulk:s").count() == 2
    with pytest.raises(ValidationError):
        contact_bulk_set_stage(queryset=_visible(rep), actor=rep, stage="martian")


def test_bulk_tags(three: list[Contact], rep: User) -> None:
    stamp = Contact.objects.get(pk=three[0].pk).updated_at
    assert (
        contact_bulk_tag_add(queryset=_visible(rep), actor=rep, tags=["OLD", "new"], batch="bulk:t")
        == 3
    )
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["new", "old"]
    assert sorted(three[0].tags.values_list("name", flat=True)) == ["new", "old"]
    assert Contact.objects.get(pk=three[0].pk).updated_at > stamp  # a new ETag
    entry = AuditEntry.objects.get(batch="bulk:t", target_id=str(three[0].pk))
    assert entry.changes == {"tags": [["old"], ["new", "old"]]}
    assert contact_bulk_tag_add(queryset=_visible(rep), actor=rep, tags=["new"]) == 0
    assert contact_bulk_tag_remove(queryset=_visible(rep), actor=rep, tags=["Old"]) == 3
    assert sorted(three[1].tags.values_list("name", flat=True)) == ["new"]
    with pytest.raises(ValidationError):
        contact_bulk_tag_add(queryset=_visible(rep), actor=rep, tags=[])


def test_bulk_delete_only_deletable(
    three: list[Contact], rep: User, teammate: User, make_contact: Any
) -> None:
    theirs = make_contact(actor=teammate, first_name="Mate")
    deleted = contact_bulk_delete(queryset=_visible(rep), actor=rep)
    assert deleted == 3  # a sales rep deletes their own only
    assert list(Contact.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert AuditEntry.objects.filter(verb="delete").count() == 3


def test_company_rules_and_bulk_delete(rep: User, team: Team, make_contact: Any) -> None:
    parent = company_create(
        actor=rep,
        data={
            "name": "Parent",
            "domains": ["p.example", "www.Q.example"],
            "phone": "+49 30 1234567",
        },
    )
    assert list(parent.domains.values_list("domain", "is_primary")) == [
        ("p.example", True),
        ("q.example", False),
    ]
    child = company_create(actor=rep, data={"name": "Child", "parent_id": parent.pk})
    with pytest.raises(ValidationError) as exc:
        company_update(company=parent, actor=rep, changes={"parent_id": child.pk})
    assert list(exc.value.message_dict) == ["parent_id"]
    with pytest.raises(ValidationError) as exc:
        company_create(
            actor=rep,
            data={
                "name": "Bad",
                "domain": "not a domain",
                "currency": "EURO",
                "annual_revenue": "-5",
            },
        )
    assert sorted(exc.value.message_dict) == ["annual_revenue", "currency", "domain"]
    person = make_contact(company_id=parent.pk)
    company_update(company=parent, actor=rep, changes={"name": "Renamed"})
    hits = search_query(
        "renamed", object_types=["contacts.contact"], visibility=Visibility.everything()
    )
    assert [h.object_id for h in hits] == [person.pk]
    assert company_bulk_delete(queryset=policy.scope(rep, Company.objects.all()), actor=rep) == 2
    assert Contact.objects.get(pk=person.pk).company_id is None
