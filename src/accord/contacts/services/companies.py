"""Company services: create, update, delete.

Input like the contact services: scalar fields in :data:`COMPANY_FIELDS` (``parent_id``,
``owner_id``, ``custom`` ...), ``domain`` / ``phone`` shorthands for the primary ones,
``domains`` / ``phones`` / ``addresses`` / ``social_profiles`` lists and ``tags`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from accord.contacts import search
from accord.contacts.models import Company, CompanyDomain, CompanyPhone, Contact, PhoneKind
from accord.contacts.services import children
from accord.core import audit, events, policy
from accord.core import services as core_services

OBJECT_TYPE = "contacts.company"

COMPANY_FIELDS = frozenset(
    {
        "name",
        "industry",
        "size",
        "annual_revenue",
        "currency",
        "website",
        "description",
        "parent_id",
        "owner_id",
        "team_id",
        "custom",
    }
)
CHILD_KEYS = frozenset(
    {"domain", "phone", "domains", "phones", "addresses", "social_profiles", "tags"}
)
_ALLOWED = COMPANY_FIELDS | {"domain", "phone"}


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def _clean_kids(
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    current_domains: list[dict[str, Any]] | None = None,
    current_phones: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    kids: dict[str, Any] = {}
    if "domains" in data:
        kids["domains"] = children.clean_domains(data["domains"], errors)
    if "domain" in data:
        value = data["domain"]
        base = kids.get("domains", list(current_domains or []))
        if value in (None, ""):
            kids["domains"] = children.with_primary(base, None, "domain")
        else:
            rows = children.clean_domains([value], errors, name="__domain")
            if "__domain.0.domain" in errors:
                errors["domain"] = errors.pop("__domain.0.domain")
            elif rows:
                kids["domains"] = children.with_primary(base, rows[0], "domain")
    if "phones" in data:
        kids["phones"] = children.clean_phones(data["phones"], errors, default_kind=PhoneKind.WORK)
    if "phone" in data:
        value = data["phone"]
        base = kids.get("phones", list(current_phones or []))
        if value in (None, ""):
            kids["phones"] = children.with_primary(base, None, "number")
        else:
            rows = children.clean_phones(
                [value], errors, name="__phone", default_kind=PhoneKind.WORK
            )
            if "__phone.0.number" in errors:
                errors["phone"] = errors.pop("__phone.0.number")
            elif rows:
                kids["phones"] = children.with_primary(base, rows[0], "number")
    if "addresses" in data:
        kids["addresses"] = children.clean_addresses(data["addresses"], errors)
    if "social_profiles" in data:
        kids["social_profiles"] = children.clean_social_profiles(data["social_profiles"], errors)
    if "tags" in data:
        kids["tags"] = children.clean_tag_names(data["tags"], errors)
    return kids


def _check_money(company: Company, errors: dict[str, list[str]]) -> None:
    if company.annual_revenue not in (None, ""):
        try:
            value = Decimal(str(company.annual_revenue))
        except InvalidOperation:
            errors["annual_revenue"] = [gettext("Enter a number.")]
            return
        if value < 0:
            errors["annual_revenue"] = [gettext("Must not be negative.")]
        if not company.currency:
            company.currency = getattr(settings, "ACCORD_BASE_CURRENCY", "USD")
    if company.currency:
        company.currency = str(company.currency).upper()
        if len(company.currency) != 3 or not company.currency.isalpha():
            errors["currency"] = [gettext("Use a three-letter ISO 4217 code, e.g. EUR.")]


def _check_parent(company: Company, errors: dict[str, list[str]]) -> None:
    """No cycles: the parent chain must not come back to this company."""
    if company.parent_id is None or company.pk is None:
        return
    seen = {company.pk}
    current: int | None = company.parent_id
    while current is not None:
        if current in seen:
            errors["parent_id"] = [gettext("A company cannot be its own parent or ancestor.")]
            return
        seen.add(current)
        current = Company.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def _apply_denormalised(company: Company, kids: Mapping[str, Any]) -> None:
    if "domains" in kids:
        company.domain = kids["domains"][0]["domain"] if kids["domains"] else ""
    if "phones" in kids:
        company.phone = kids["phones"][0]["number"] if kids["phones"] else ""


def _current_domains(company: Company) -> list[dict[str, Any]]:
    return [
        {"domain": d.domain, "is_primary": d.is_primary}
        for d in CompanyDomain.objects.filter(company=company).order_by("-is_primary", "id")
    ]


def _current_phones(company: Company) -> list[dict[str, Any]]:
    return [
        {"number": p.number, "original": p.original, "kind": p.kind, "is_primary": p.is_primary}
        for p in CompanyPhone.objects.filter(company=company).order_by(
            "-is_primary", "position", "id"
        )
    ]


def _write_kids(
    company: Company,
    kids: Mapping[str, Any],
    old_domains: list[dict[str, Any]],
    old_phones: list[dict[str, Any]],
) -> dict[str, list[Any]]:
    extra: dict[str, list[Any]] = {}
    if "domains" in kids and kids["domains"] != old_domains:
        CompanyDomain.objects.filter(company=company).delete()
        CompanyDomain.objects.bulk_create(
            [CompanyDomain(company=company, **row) for row in kids["domains"]]
        )
        extra["domains"] = [
            [d["domain"] for d in old_domains],
            [d["domain"] for d in kids["domains"]],
        ]
    if "phones" in kids and kids["phones"] != old_phones:
        CompanyPhone.objects.filter(company=company).delete()
        CompanyPhone.objects.bulk_create(
            [CompanyPhone(company=company, position=i, **r) for i, r in enumerate(kids["phones"])]
        )
        extra["phones"] = [[p["number"] for p in old_phones], [p["number"] for p in kids["phones"]]]
    if "addresses" in kids:
        old = children.address_dicts(company.addresses.all()) if company.pk else []
        if old != kids["addresses"]:
            children.write_addresses("company", company, kids["addresses"])
            extra["addresses"] = [old or None, kids["addresses"]]
    if "social_profiles" in kids:
        old = children.social_dicts(company.social_profiles.all()) if company.pk else []
        if old != kids["social_profiles"]:
            children.write_social_profiles("company", company, kids["social_profiles"])
            extra["social_profiles"] = [old or None, kids["social_profiles"]]
    if "tags" in kids:
        old_names = sorted(company.tags.values_list("name", flat=True), key=str.lower)
        tags = children.tags_get_or_create(kids["tags"])
        new_names = sorted((t.name for t in tags), key=str.lower)
        if old_names != new_names:
            company.tags.set(tags)
            extra["tags"] = [old_names or None, new_names]
    return extra


def company_create(*, actor: Any, data: Mapping[str, Any]) -> Company:
    """Create a company with its domains, phones, addresses, profiles and tags."""
    if not policy.can(actor, "create", Company):
        raise PermissionDenied(gettext("You are not allowed to create this kind of record."))
    errors: dict[str, list[str]] = {}
    kids = _clean_kids(data, errors)
    scalar = {k: v for k, v in data.items() if k not in CHILD_KEYS}
    company = Company()
    with transaction.atomic():
        _changed, names = core_services._apply(company, actor, scalar, COMPANY_FIELDS, errors)
        core_services._clean_custom(company, scalar, COMPANY_FIELDS, errors)
        _check_money(company, errors)
        _apply_denormalised(company, kids)
        core_services._default_owner_and_team(company, actor)
        if not errors:
            policy.require(actor, "create", company)
        core_services._full_clean(company, errors, names)
        if errors:
            raise ValidationError(errors)
        company.save()
        extra = _write_kids(company, kids, [], [])
        entry = audit.build_create(company, actor)
        entry.changes.update({k: [None, v[1]] for k, v in extra.items() if k != "domains"})
        entry.save()
        events.emit(events.RecordCreated(OBJECT_TYPE, company.pk, _actor_id(actor)))
        search.index_companies([company.pk])
    return company


def company_update(*, company: Company, actor: Any, changes: Mapping[str, Any]) -> Company:
    """Change fields and child lists of a company (only the names given change). A new name
    or domain also refreshes the search rows of its contacts (their subtitle shows it)."""
    policy.require(actor, "edit", company)
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        company.refresh_from_db(from_queryset=Company.objects.select_for_update())
        policy.require(actor, "edit", company)
        before = audit.snapshot(company)
        old_domains = _current_domains(company) if {"domain", "domains"} & set(changes) else []
        old_phones = _current_phones(company) if {"phone", "phones"} & set(changes) else []
        kids = _clean_kids(changes, errors, current_domains=old_domains, current_phones=old_phones)
        scalar = {k: v for k, v in changes.items() if k not in CHILD_KEYS}
        changed, names = core_services._apply(company, actor, scalar, COMPANY_FIELDS, errors)
        if core_services._clean_custom(company, scalar, COMPANY_FIELDS, errors):
            changed.append("custom")
        _check_money(company, errors)
        _check_parent(company, errors)
        _apply_denormalised(company, kids)
        changed.extend(["domain", "phone", "currency"])
        core_services._full_clean(company, errors, names, only=changed)
        if errors:
            raise ValidationError(errors)
        policy.require(actor, "edit", company)
        company.save()
        extra = _write_kids(company, kids, old_domains, old_phones)
        entry = audit.record_update(company, actor, before, extra=extra)
        if entry is not None:
            events.emit(
                events.RecordUpdated(OBJECT_TYPE, company.pk, _actor_id(actor), dict(entry.changes))
            )
        search.index_companies([company.pk])
        if entry is not None and {"name", "domain"} & set(entry.changes):
            reindex_company_contacts(company.pk)
    return company


INLINE_REINDEX_LIMIT = 500


def reindex_company_contacts(company_id: int) -> None:
    """Refresh the search rows of a company's contacts: in the transaction for a few, in a
    job (enqueued on commit) for many."""
    contacts = Contact.objects.filter(company_id=company_id)
    if contacts[: INLINE_REINDEX_LIMIT + 1].count() <= INLINE_REINDEX_LIMIT:
        search.index_contacts(contacts.values_list("pk", flat=True))
        return
    from accord.background import enqueue_on_commit
    from accord.contacts.jobs import contacts_reindex_for_company

    enqueue_on_commit(contacts_reindex_for_company, company_id)


def company_delete(*, company: Company, actor: Any) -> None:
    """Delete a company: its contacts stay (without company); its index row goes."""
    pk = company.pk
    contact_ids = list(company.contacts.values_list("pk", flat=True))
    with transaction.atomic():
        core_services.delete_record(company, actor)
        search.unindex(OBJECT_TYPE, [pk])
        search.index_contacts(contact_ids)
