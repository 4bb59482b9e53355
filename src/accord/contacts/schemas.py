"""API shapes of contacts and companies (input shape only; the services validate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field

from accord.contacts.models import Company, Contact
from accord.core import customfields

_CONTACT_CUSTOM = customfields.custom_schema_extra("contacts.contact")
_COMPANY_CUSTOM = customfields.custom_schema_extra("contacts.company")

# --- children ---------------------------------------------------------------------------


class EmailIn(Schema):
    model_config = ConfigDict(extra="forbid")
    email: str
    kind: str = Field("work", description="work, personal or other")
    is_primary: bool = False


class EmailOut(Schema):
    email: str
    kind: str
    is_primary: bool


class PhoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(
        description="Any format; stored in E.164. Without +country code the "
        "default region ACCORD_PHONE_REGION is used."
    )
    kind: str = Field("mobile", description="mobile, work, home, fax or other")
    is_primary: bool = False


class PhoneOut(Schema):
    number: str = Field(description="E.164")
    original: str = Field(description="As entered, for display")
    kind: str
    is_primary: bool


class AddressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field("work", description="work, home, billing, shipping or other")
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = Field("", description="ISO 3166-1 alpha-2, e.g. DE")


class AddressOut(Schema):
    kind: str
    street: str
    city: str
    region: str
    postal_code: str
    country: str


class SocialProfileIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str | None = Field(None, description="linkedin, x, facebook, ...; guessed when omitted")
    url: str


class SocialProfileOut(Schema):
    kind: str
    url: str


# --- contacts -----------------------------------------------------------------------------


class ContactIn(Schema):
    """Create or change a contact. On PATCH only the fields sent change; lists replace the
    current rows. ``email``/``phone`` set the primary email/phone (null removes it)."""

    model_config = ConfigDict(extra="forbid")

    prefix: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    last_name: str | None = None
    suffix: str | None = None
    job_title: str | None = None
    department: str | None = None
    email: str | None = Field(None, description="Shorthand for the primary email address.")
    phone: str | None = Field(None, description="Shorthand for the primary phone number.")
    emails: list[EmailIn] | None = None
    phones: list[PhoneIn] | None = None
    addresses: list[AddressIn] | None = None
    social_profiles: list[SocialProfileIn] | None = None
    tags: list[str] | None = Field(None, description="Tag names; created when new.")
    company_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    lifecycle_stage: str | None = Field(
        None,
        description="subscriber, lead, marketing_qualified, sales_qualified, opportunity, "
        "customer, evangelist, other",
    )
    lead_status: str | None = None
    lead_source: str | None = None
    description: str | None = None
    birthday: dt.date | None = None
    email_opt_in: bool | None = None
    email_opt_in_source: str | None = None
    do_not_contact: bool | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=_CONTACT_CUSTOM)


class ContactOut(Schema):
    id: int
    prefix: str
    first_name: str
    middle_name: str
    last_name: str
    suffix: str
    full_name: str
    display_name: str
    job_title: str
    department: str
    email: str = Field(description="The primary email (empty when none)")
    phone: str = Field(description="The primary phone in E.164 (empty when none)")
    emails: list[EmailOut]
    phones: list[PhoneOut]
    addresses: list[AddressOut]
    social_profiles: list[SocialProfileOut]
    tags: list[str]
    company_id: int | None
    lifecycle_stage: str
    lifecycle_stage_at: dt.datetime | None
    lead_status: str
    lead_source: str
    description: str
    birthday: dt.date | None
    email_opt_in: bool
    email_opt_in_source: str
    email_opt_in_at: dt.datetime | None
    do_not_contact: bool
    last_contacted_at: dt.datetime | None
    next_activity_at: dt.datetime | None
    touches_30d: int
    touches_90d: int
    owner_id: int | None
    team_id: int | None
    custom: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_CONTACT_CUSTOM)
    erased_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class DuplicateOut(Schema):
    id: int
    title: str
    score: float = Field(description="0 to 1")
    reasons: list[str] = Field(
        description="email, phone, name_company, name_domain (contacts); domain, name (companies)"
    )


class ContactCreatedOut(ContactOut):
    duplicates: list[DuplicateOut] = Field(
        description="Visible contacts that looked like this one before it was created."
    )


class DuplicatePairOut(Schema):
    first_id: int
    second_id: int
    first_title: str
    second_title: str
    score: float
    reasons: list[str]


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    primary_id: int = Field(description="The record that stays.")
    other_ids: list[int] = Field(description="Records merged into the primary and deleted.")
    field_choices: dict[str, int] = Field(
        default_factory=dict,
        description="Field name (or custom.<key>) -> id of the record whose value wins.",
    )


class StageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    stage: str


class VCardIn(Schema):
    model_config = ConfigDict(extra="forbid")
    vcard: str = Field(description="One or more vCards (3.0 or 4.0).")


class VCardImportOut(Schema):
    created: int
    ids: list[int]


class ErasedOut(Schema):
    id: int
    erased_at: dt.datetime


# --- companies ----------------------------------------------------------------------------


class CompanyIn(Schema):
    """Create or change a company; ``domain``/``phone`` set the primary ones."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    domain: str | None = None
    domains: list[str] | None = None
    phone: str | None = None
    phones: list[PhoneIn] | None = None
    industry: str | None = None
    size: str | None = Field(
        None, description="1-10, 11-50, 51-200, 201-500, 501-1000, 1001-5000, 5001-10000, 10001+"
    )
    annual_revenue: Decimal | None = Field(None, description="A decimal string")
    currency: str | None = Field(None, description="ISO 4217, e.g. EUR")
    website: str | None = None
    description: str | None = None
    parent_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    addresses: list[AddressIn] | None = None
    social_profiles: list[SocialProfileIn] | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = Field(None, json_schema_extra=_COMPANY_CUSTOM)


class CompanyOut(Schema):
    id: int
    name: str
    domain: str
    domains: list[str]
    phone: str
    phones: list[PhoneOut]
    industry: str
    size: str
    annual_revenue: str | None = Field(description="A decimal string beside its currency")
    currency: str
    website: str
    description: str
    parent_id: int | None
    addresses: list[AddressOut]
    social_profiles: list[SocialProfileOut]
    tags: list[str]
    owner_id: int | None
    team_id: int | None
    custom: dict[str, Any] = Field(default_factory=dict, json_schema_extra=_COMPANY_CUSTOM)
    created_at: dt.datetime
    updated_at: dt.datetime


class CompanyCreatedOut(CompanyOut):
    duplicates: list[DuplicateOut]


# --- search -------------------------------------------------------------------------------


class SearchHitOut(Schema):
    object_type: str
    id: int
    title: str
    subtitle: str
    score: float
    url: str


# --- builders -----------------------------------------------------------------------------


def _addresses(obj: Contact | Company) -> list[dict[str, Any]]:
    return [
        {
            "kind": a.kind,
            "street": a.street,
            "city": a.city,
            "region": a.region,
            "postal_code": a.postal_code,
            "country": a.country,
        }
        for a in obj.addresses.all()
    ]


def _phones(obj: Contact | Company) -> list[dict[str, Any]]:
    return [
        {"number": p.number, "original": p.original, "kind": p.kind, "is_primary": p.is_primary}
        for p in obj.phones.all()
    ]


def _custom(obj: Contact | Company, definitions: Any) -> dict[str, Any]:
    if definitions is None:
        return dict(obj.custom or {})
    return customfields.visible_values(obj.custom, definitions)


def contact_out(contact: Contact, definitions: Any = None) -> dict[str, Any]:
    """The API representation (expects the children prefetched, see ``api.contact_queryset``)."""
    return {
        "id": contact.pk,
        "prefix": contact.prefix,
        "first_name": contact.first_name,
        "middle_name": contact.middle_name,
        "last_name": contact.last_name,
        "suffix": contact.suffix,
        "full_name": contact.full_name,
        "display_name": contact.display_name,
        "job_title": contact.job_title,
        "department": contact.department,
        "email": contact.email,
        "phone": contact.phone,
        "emails": [
            {"email": e.email, "kind": e.kind, "is_primary": e.is_primary}
            for e in contact.emails.all()
        ],
        "phones": _phones(contact),
        "addresses": _addresses(contact),
        "social_profiles": [{"kind": s.kind, "url": s.url} for s in contact.social_profiles.all()],
        "tags": sorted((t.name for t in contact.tags.all()), key=str.lower),
        "company_id": contact.company_id,
        "lifecycle_stage": contact.lifecycle_stage,
        "lifecycle_stage_at": contact.lifecycle_stage_at,
        "lead_status": contact.lead_status,
        "lead_source": contact.lead_source,
        "description": contact.description,
        "birthday": contact.birthday,
        "email_opt_in": contact.email_opt_in,
        "email_opt_in_source": contact.email_opt_in_source,
        "email_opt_in_at": contact.email_opt_in_at,
        "do_not_contact": contact.do_not_contact,
        "last_contacted_at": contact.last_contacted_at,
        "next_activity_at": contact.next_activity_at,
        "touches_30d": contact.touches_30d,
        "touches_90d": contact.touches_90d,
        "owner_id": contact.owner_id,
        "team_id": contact.team_id,
        "custom": _custom(contact, definitions),
        "erased_at": contact.erased_at,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
    }


def company_out(company: Company, definitions: Any = None) -> dict[str, Any]:
    return {
        "id": company.pk,
        "name": company.name,
        "domain": company.domain,
        "domains": [d.domain for d in company.domains.all()],
        "phone": company.phone,
        "phones": _phones(company),
        "industry": company.industry,
        "size": company.size,
        "annual_revenue": (None if company.annual_revenue is None else str(company.annual_revenue)),
        "currency": company.currency,
        "website": company.website,
        "description": company.description,
        "parent_id": company.parent_id,
        "addresses": _addresses(company),
        "social_profiles": [{"kind": s.kind, "url": s.url} for s in company.social_profiles.all()],
        "tags": sorted((t.name for t in company.tags.all()), key=str.lower),
        "owner_id": company.owner_id,
        "team_id": company.team_id,
        "custom": _custom(company, definitions),
        "created_at": company.created_at,
        "updated_at": company.updated_at,
    }
