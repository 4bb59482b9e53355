"""Search indexing of contacts and companies, and their search providers.

The services call :func:`index_contacts` / :func:`index_companies` inside their transaction
(the index row commits or rolls back with the change); ``accord search_reindex`` uses the
registered reindexers; the global search and command palette call the providers, which
scope by the access policy through ``visibility_for``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext

from accord.contacts.models import (
    Company,
    CompanyDomain,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
)
from accord.core.registry import SearchHit, registry
from accord.search import (
    IndexRow,
    search_index_bulk_upsert,
    search_index_delete_many,
    search_query,
    search_reindexer_register,
)
from accord.search.access import visibility_for

CONTACT = "contacts.contact"
COMPANY = "contacts.company"
CHUNK = 2000


def contact_index_row(
    contact: Contact,
    *,
    emails: list[str] | None = None,
    phones: list[str] | None = None,
    company: Company | bool | None = False,
) -> IndexRow:
    """The index row of a contact; expects ``emails``/``phones`` prefetched and ``company``
    selected (else a few queries), or given (bulk paths that hold them in memory)."""
    if company is False:
        company = contact.company
    assert company is None or isinstance(company, Company)
    if emails is None:
        emails = [e.email for e in contact.emails.all()]
    if phones is None:
        phones = [p.number for p in contact.phones.all()]
    emails = emails or ([contact.email] if contact.email else [])
    phones = phones or ([contact.phone] if contact.phone else [])
    texts = [contact.first_name, contact.middle_name, contact.last_name, *emails]
    if company is not None:
        texts.append(company.name)
        if company.domain:
            texts.append(company.domain)
    subtitle = " · ".join(p for p in ((company.name if company else ""), contact.email) if p)
    return IndexRow(
        object_type=CONTACT,
        object_id=contact.pk,
        title=contact.display_name,
        subtitle=subtitle,
        texts=[t for t in texts if t],
        phones=phones,
        owner_id=contact.owner_id,
        team_id=contact.team_id,
    )


def company_index_row(company: Company) -> IndexRow:
    """The index row of a company; expects ``domains``/``phones`` prefetched."""
    domains = [d.domain for d in company.domains.all()]
    texts = [*domains]
    if company.website:
        texts.append(company.website)
    subtitle = " · ".join(p for p in (company.domain, company.industry) if p)
    return IndexRow(
        object_type=COMPANY,
        object_id=company.pk,
        title=company.name,
        subtitle=subtitle,
        texts=texts,
        phones=[p.number for p in company.phones.all()],
        owner_id=company.owner_id,
        team_id=company.team_id,
    )


def contacts_for_index(queryset: QuerySet[Contact] | None = None) -> QuerySet[Contact]:
    queryset = Contact.objects.all() if queryset is None else queryset
    return queryset.select_related("company").prefetch_related(
        Prefetch("emails", ContactEmail.objects.order_by("-is_primary", "position", "id")),
        Prefetch("phones", ContactPhone.objects.order_by("-is_primary", "position", "id")),
    )


def companies_for_index(queryset: QuerySet[Company] | None = None) -> QuerySet[Company]:
    queryset = Company.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        Prefetch("domains", CompanyDomain.objects.order_by("-is_primary", "id")),
        Prefetch("phones", CompanyPhone.objects.order_by("-is_primary", "position", "id")),
    )


def _chunked_ids(ids: Iterable[int]) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def index_contacts(ids: Iterable[int]) -> int:
    """(Re)index these contacts; ids that no longer exist are removed from the index."""
    written = 0
    for chunk in _chunked_ids(ids):
        contacts = list(contacts_for_index(Contact.objects.filter(pk__in=chunk)))
        written += search_index_bulk_upsert(contact_index_row(c) for c in contacts)
        gone = set(chunk) - {c.pk for c in contacts}
        if gone:
            search_index_delete_many(CONTACT, gone)
    return written


def index_companies(ids: Iterable[int]) -> int:
    """(Re)index these companies and the contacts whose subtitle shows them."""
    written = 0
    for chunk in _chunked_ids(ids):
        companies = list(companies_for_index(Company.objects.filter(pk__in=chunk)))
        written += search_index_bulk_upsert(company_index_row(c) for c in companies)
        gone = set(chunk) - {c.pk for c in companies}
        if gone:
            search_index_delete_many(COMPANY, gone)
    return written


def unindex(object_type: str, ids: Iterable[int]) -> int:
    return search_index_delete_many(object_type, ids)


def _reindex_contacts(object_type: str) -> Iterator[IndexRow]:
    for contact in contacts_for_index().order_by("pk").iterator(chunk_size=CHUNK):
        yield contact_index_row(contact)


def _reindex_companies(object_type: str) -> Iterator[IndexRow]:
    for company in companies_for_index().order_by("pk").iterator(chunk_size=CHUNK):
        yield company_index_row(company)


def _url(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


def contact_url(pk: int) -> str:
    return _url("contacts:contact_detail", pk, f"/contacts/{pk}/")


def company_url(pk: int) -> str:
    return _url("contacts:company_detail", pk, f"/companies/{pk}/")


def search_contacts(user: Any, query: str, limit: int) -> list[SearchHit]:
    results = search_query(
        query, object_types=[CONTACT], visibility=visibility_for(user, CONTACT), limit=limit
    )
    return [
        SearchHit(
            kind="contact",
            kind_label=gettext("Contact"),
            title=r.title,
            subtitle=r.subtitle,
            url=contact_url(r.object_id),
            score=r.score,
        )
        for r in results
    ]


def search_companies(user: Any, query: str, limit: int) -> list[SearchHit]:
    results = search_query(
        query, object_types=[COMPANY], visibility=visibility_for(user, COMPANY), limit=limit
    )
    return [
        SearchHit(
            kind="company",
            kind_label=gettext("Company"),
            title=r.title,
            subtitle=r.subtitle,
            url=company_url(r.object_id),
            score=r.score,
        )
        for r in results
    ]


def register_all() -> None:
    search_reindexer_register(CONTACT, _reindex_contacts)
    search_reindexer_register(COMPANY, _reindex_companies)
    registry.add_search_provider("contacts", search_contacts)
    registry.add_search_provider("companies", search_companies)
