"""Merging re-points rows of other apps (found through ``_meta.related_objects``): here the
sales app's deals (a company foreign key, and contacts through ``DealContact`` with a unique
(deal, contact) constraint)."""

from __future__ import annotations

from typing import Any

import pytest

from accord.accounts.models import User
from accord.contacts.models import Company, Contact
from accord.contacts.services import company_create, company_merge, contact_merge

pytestmark = pytest.mark.django_db

sales_services = pytest.importorskip("accord.sales.services")


def _deal(actor: User, name: str, **data: Any) -> Any:
    return sales_services.deal_create(
        actor=actor, data={"name": name, "amount": "100.00", "currency": "EUR", **data}
    )


def test_contact_merge_moves_deals_without_duplicate_links(
    make_contact: Any, rep: User, acme: Company
) -> None:
    a = make_contact(first_name="Ada")
    b = make_contact(first_name="Ada B")
    both = _deal(rep, "Both", contacts=[{"contact_id": a.pk}, {"contact_id": b.pk}])
    only_b = _deal(rep, "Only B", contacts=[{"contact_id": b.pk, "role": "champion"}])
    merged = contact_merge(primary=a, others=[b], actor=rep)
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert list(both.contacts.values_list("pk", flat=True)) == [merged.pk]
    assert list(only_b.deal_contacts.values_list("contact_id", "role")) == [(merged.pk, "champion")]


def test_company_merge_moves_deals(rep: User, acme: Company) -> None:
    twin = company_create(actor=rep, data={"name": "Acme twin"})
    deal = _deal(rep, "Twin deal", company_id=twin.pk)
    company_merge(primary=acme, others=[twin], actor=rep)
    deal.refresh_from_db()
    assert deal.company_id == acme.pk
