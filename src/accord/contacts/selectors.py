"""Reads shaped for pages and endpoints: the 360° views and duplicate detection.

Every read starts from the access policy: ``contact_detail``/``company_detail`` raise
``policy.NotFound`` for an invisible id; duplicate warnings and candidate pairs only name
records the user may see.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext

from accord.contacts import normalize
from accord.contacts.models import (
    Company,
    CompanyDomain,
    CompanyPhone,
    Contact,
    ContactCompanyHistory,
    ContactEmail,
    ContactPhone,
    LifecycleStageChange,
)
from accord.core import policy
from accord.core.registry import Panel, registry

PEOPLE_LIMIT = 50


# --- 360° views ----------------------------------------------------------------------------


@dataclass
class ContactDetail:
    """Everything the contact page needs, loaded with a fixed number of queries."""

    contact: Contact
    emails: list[ContactEmail]
    phones: list[ContactPhone]
    addresses: list[Any]
    social_profiles: list[Any]
    tags: list[Any]
    company_history: list[ContactCompanyHistory]
    stage_changes: list[LifecycleStageChange]
    stage_reached: dict[str, Any]  # stage -> when it was last reached
    panels: list[Panel]
    can_edit: bool
    can_delete: bool


@dataclass
class CompanyDetail:
    company: Company
    domains: list[CompanyDomain]
    phones: list[CompanyPhone]
    addresses: list[Any]
    social_profiles: list[Any]
    tags: list[Any]
    parent: Company | None  # None too when the parent is not visible
    subsidiaries: list[Company]
    people: list[Contact]  # first PEOPLE_LIMIT visible contacts, by name
    people_count: int
    panels: list[Panel]
    can_edit: bool
    can_delete: bool


def contact_detail_queryset() -> QuerySet[Contact]:
    return Contact.objects.select_related("company", "owner", "team").prefetch_related(
        Prefetch("emails", ContactEmail.objects.order_by("-is_primary", "position", "id")),
        Prefetch("phones", ContactPhone.objects.order_by("-is_primary", "position", "id")),
        "addresses",
        "social_profiles",
        "tags",
        Prefetch(
            "company_history",
            ContactCompanyHistory.objects.select_related("company").order_by(
                "-ended_on", "-started_on", "-id"
            ),
        ),
        Prefetch("stage_changes", LifecycleStageChange.objects.order_by("reached_at", "id")),
    )


def contact_detail(user: Any, contact_id: Any) -> ContactDetail:
    """The 360° data of one contact; ``policy.NotFound`` when invisible. Nine queries
    whatever the number of emails, phones, tags or history rows."""
    contact = policy.get_object_or_404_scoped(user, contact_detail_queryset(), pk=contact_id)
    changes = list(contact.stage_changes.all())
    history = list(contact.company_history.all())
    visible_company_ids = _visible_ids(
        user, Company, {h.company_id for h in history if h.company_id}
    )
    for row in history:
        if row.company_id not in visible_company_ids:
            row.company = None  # shown by name only
    if contact.company_id and not _visible_ids(user, Company, {contact.company_id}):
        contact.company = None
    return ContactDetail(
        contact=contact,
        emails=list(contact.emails.all()),
        phones=list(contact.phones.all()),
        addresses=list(contact.addresses.all()),
        social_profiles=list(contact.social_profiles.all()),
        tags=list(contact.tags.all()),
        company_history=history,
        stage_changes=changes,
        stage_reached={c.stage: c.reached_at for c in changes},
        panels=registry.record_panels_for("contacts.contact", user),
        can_edit=policy.can(user, "edit", contact),
        can_delete=policy.can(user, "delete", contact),
    )


def _visible_ids(user: Any, model: type[Any], ids: set[int]) -> set[int]:
    if not ids:
        return set()
    scoped = policy.scope(user, model.objects.filter(pk__in=ids))
    return set(scoped.values_list("pk", flat=True))


def company_detail_queryset() -> QuerySet[Company]:
    return Company.objects.select_related("parent", "owner", "team").prefetch_related(
        Prefetch("domains", CompanyDomain.objects.order_by("-is_primary", "id")),
        Prefetch("phones", CompanyPhone.objects.order_by("-is_primary", "position", "id")),
        "addresses",
        "social_profiles",
        "tags",
    )


def company_detail(user: Any, company_id: Any) -> CompanyDetail:
    """The 360° data of one company with its first people (visible ones only)."""
    company = policy.get_object_or_404_scoped(user, company_detail_queryset(), pk=company_id)
    people_qs = policy.scope(user, Contact.objects.filter(company=company))
    people = list(
        people_qs.order_by("last_name", "first_name", "id").prefetch_related("tags")[:PEOPLE_LIMIT]
    )
    people_count = people_qs.count()
    subsidiaries = list(
        policy.scope(user, Company.objects.filter(parent=company)).order_by("name", "id")[:50]
    )
    parent = company.parent
    if parent is not None and not _visible_ids(user, Company, {parent.pk}):
        parent = None
    return CompanyDetail(
        company=company,
        domains=list(company.domains.all()),
        phones=list(company.phones.all()),
        addresses=list(company.addresses.all()),
        social_profiles=list(company.social_profiles.all()),
        tags=list(company.tags.all()),
        parent=parent,
        subsidiaries=subsidiaries,
        people=people,
        people_count=people_count,
        panels=registry.record_panels_for("contacts.company", user),
        can_edit=policy.can(user, "edit", company),
        can_delete=policy.can(user, "delete", company),
    )


# --- duplicates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch:
    """A record that looks like the input; ``reasons`` are codes (``email``, ``phone``,
    ``name_company``, ``name_domain``, ``domain``, ``name``)."""

    object_id: int
    title: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DuplicatePair:
    first_id: int
    second_id: int
    first_title: str
    second_title: str
    score: float
    reasons: tuple[str, ...]


WEIGHTS = {
    "email": 0.9,
    "phone": 0.8,
    "name_company": 0.7,
    "name_domain": 0.6,
    "domain": 0.85,
    "name": 0.75,
}
REASON_LABELS = {
    "email": "Same email address",
    "phone": "Same phone number",
    "name_company": "Similar name at the same company",
    "name_domain": "Similar name with the same email domain",
    "domain": "Same domain",
    "name": "Same name",
}


def reason_label(code: str) -> str:
    return gettext(REASON_LABELS.get(code, code))


def combined_score(reasons: Iterable[str]) -> float:
    """1 - product of (1 - weight): independent pieces of evidence add up, capped at 1."""
    remaining = 1.0
    for reason in set(reasons):
        remaining *= 1 - WEIGHTS.get(reason, 0.5)
    return round(1 - remaining, 3)


def _similar_first_names(a: str, b: str) -> bool:
    a, b = normalize.fold(a), normalize.fold(b)
    if not a or not b:
        return a == b
    return a == b or a.startswith(b) or b.startswith(a) or _one_edit(a, b)


def _one_edit(a: str, b: str) -> bool:
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def contact_duplicates_for(
    data: Mapping[str, Any],
    *,
    user: Any = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[DuplicateMatch]:
    """Contacts that look like ``data`` (a contact create/update payload): the same email or
    phone, or a similar name at the same company or email domain. Only contacts ``user`` may
    see (all when ``user`` is None: imports running as the system). Best first."""
    emails = _emails_of(data)
    phones = _phones_of(data)
    first, last = str(data.get("first_name") or ""), str(data.get("last_name") or "")
    company_id = data.get("company_id")
    domains = {
        normalize.email_domain(e)
        for e in emails
        if normalize.email_domain(e) not in normalize.FREEMAIL_DOMAINS
    }
    base: QuerySet[Contact] = Contact.objects.filter(erased_at__isnull=True)
    if user is not None:
        base = policy.scope(user, base)
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)
    reasons: dict[int, set[str]] = defaultdict(set)
    titles: dict[int, str] = {}
    if emails:
        for pk in base.filter(emails__email__in=emails).values_list("pk", flat=True)[:limit]:
            reasons[pk].add("email")
    if phones:
        for pk in base.filter(phones__number__in=phones).values_list("pk", flat=True)[:limit]:
            reasons[pk].add("phone")
    if normalize.fold(last):
        same_last = base.filter(last_name__iexact=last.strip())
        name_q = Q()
        if company_id:
            name_q |= Q(company_id=company_id)
        for domain in domains:
            name_q |= Q(email__endswith=f"@{domain}")
        if name_q:
            for pk, other_first, other_company, email in same_last.filter(name_q).values_list(
                "pk", "first_name", "company_id", "email"
            )[:50]:
                if not _similar_first_names(first, other_first):
                    continue
                if company_id and other_company == company_id:
                    reasons[pk].add("name_company")
                elif normalize.email_domain(email) in domains:
                    reasons[pk].add("name_domain")
    if not reasons:
        return []
    for contact in Contact.objects.filter(pk__in=list(reasons)).only(
        "pk", "first_name", "middle_name", "last_name", "email", "phone"
    ):
        titles[contact.pk] = contact.display_name
    matches = [
        DuplicateMatch(pk, titles.get(pk, ""), combined_score(r), tuple(sorted(r)))
        for pk, r in reasons.items()
        if pk in titles
    ]
    matches.sort(key=lambda m: (-m.score, m.object_id))
    return matches[:limit]


def company_duplicates_for(
    data: Mapping[str, Any],
    *,
    user: Any = None,
    exclude_id: int | None = None,
    limit: int = 10,
) -> list[DuplicateMatch]:
    """Companies with one of the same domains or the same name (ignoring case)."""
    domains: set[str] = set()
    raw_domains = list(data.get("domains") or [])
    if data.get("domain"):
        raw_domains.append(data["domain"])
    for item in raw_domains:
        value = item.get("domain") if isinstance(item, Mapping) else item
        try:
            domains.add(normalize.clean_domain(str(value or "")))
        except Exception:  # noqa: S112 - invalid input simply matches nothing
            continue
    name = normalize.squash_spaces(str(data.get("name") or ""))
    base: QuerySet[Company] = Company.objects.all()
    if user is not None:
        base = policy.scope(user, base)
    if exclude_id is not None:
        base = base.exclude(pk=exclude_id)
    reasons: dict[int, set[str]] = defaultdict(set)
    if domains:
        for pk in base.filter(domains__domain__in=domains).values_list("pk", flat=True)[:limit]:
            reasons[pk].add("domain")
    if name:
        for pk in (
            base.annotate(lname=Lower("name"))
            .filter(lname=name.lower())
            .values_list("pk", flat=True)[:limit]
        ):
            reasons[pk].add("name")
    names = dict(Company.objects.filter(pk__in=list(reasons)).values_list("pk", "name"))
    matches = [
        DuplicateMatch(pk, names[pk], combined_score(r), tuple(sorted(r)))
        for pk, r in reasons.items()
        if pk in names
    ]
    matches.sort(key=lambda m: (-m.score, m.object_id))
    return matches[:limit]


def _emails_of(data: Mapping[str, Any]) -> list[str]:
    raw: list[Any] = list(data.get("emails") or [])
    if data.get("email"):
        raw.append(data["email"])
    result = []
    for item in raw:
        value = item.get("email") if isinstance(item, Mapping) else item
        text = str(value or "").strip().lower()
        if "@" in text:
            result.append(text)
    return result


def _phones_of(data: Mapping[str, Any]) -> list[str]:
    raw: list[Any] = list(data.get("phones") or [])
    if data.get("phone"):
        raw.append(data["phone"])
    result = []
    for item in raw:
        value = item.get("number") if isinstance(item, Mapping) else item
        try:
            result.append(normalize.clean_phone(str(value or "")))
        except Exception:  # noqa: S112 - an unparsable number matches nothing
            continue
    return result


def _pairs_from_groups(
    groups: Iterable[Sequence[int]], reason: str, pairs: dict[tuple[int, int], set[str]]
) -> None:
    for members in groups:
        for a, b in combinations(sorted(set(members))[:20], 2):
            pairs[(a, b)].add(reason)


def duplicate_candidates(
    user: Any, object_type: str = "contacts.contact", limit: int = 100
) -> list[DuplicatePair]:
    """Pairs of visible records that are probably the same, best first.

    Blocking keeps it fast: only records sharing an email, a phone number, or a folded name
    at the same company (contacts), a domain or a name (companies) are compared, each found
    with one grouped query on an indexed column.
    """
    pairs: dict[tuple[int, int], set[str]] = defaultdict(set)
    group_limit = limit * 5
    if object_type == "contacts.contact":
        visible = policy.scope(user, Contact.objects.filter(erased_at__isnull=True))
        visible_ids = visible.values("pk")
        for column, model, reason in (
            ("email", ContactEmail, "email"),
            ("number", ContactPhone, "phone"),
        ):
            rows = model.objects.filter(contact_id__in=visible_ids)
            shared = (
                rows.values(column)
                .annotate(n=Count("contact_id", distinct=True))
                .filter(n__gt=1)
                .order_by(column)
                .values_list(column, flat=True)[:group_limit]
            )
            members: dict[str, list[int]] = defaultdict(list)
            for value, contact_id in rows.filter(**{f"{column}__in": list(shared)}).values_list(
                column, "contact_id"
            ):
                members[value].append(contact_id)
            _pairs_from_groups(members.values(), reason, pairs)
        named = visible.exclude(last_name="").annotate(
            lfirst=Lower("first_name"), llast=Lower("last_name")
        )
        shared_names = (
            named.filter(company__isnull=False)
            .values("lfirst", "llast", "company_id")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by("llast", "lfirst")[:group_limit]
        )
        name_groups: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        keys = [(g["lfirst"], g["llast"], g["company_id"]) for g in shared_names]
        if keys:
            name_q = Q()
            for lfirst, llast, company in keys:
                name_q |= Q(lfirst=lfirst, llast=llast, company_id=company)
            for pk, lfirst, llast, company in named.filter(name_q).values_list(
                "pk", "lfirst", "llast", "company_id"
            ):
                name_groups[(lfirst, llast, company)].append(pk)
        _pairs_from_groups(name_groups.values(), "name_company", pairs)
        titles = {
            c.pk: c.display_name
            for c in Contact.objects.filter(pk__in={pk for pair in pairs for pk in pair}).only(
                "pk", "first_name", "middle_name", "last_name", "email", "phone"
            )
        }
    elif object_type == "contacts.company":
        visible_companies = policy.scope(user, Company.objects.all())
        rows_d = CompanyDomain.objects.filter(company_id__in=visible_companies.values("pk"))
        shared_d = (
            rows_d.values("domain")
            .annotate(n=Count("company_id", distinct=True))
            .filter(n__gt=1)
            .order_by("domain")
            .values_list("domain", flat=True)[:group_limit]
        )
        domain_groups: dict[str, list[int]] = defaultdict(list)
        for domain, company_id in rows_d.filter(domain__in=list(shared_d)).values_list(
            "domain", "company_id"
        ):
            domain_groups[domain].append(company_id)
        _pairs_from_groups(domain_groups.values(), "domain", pairs)
        lowered = visible_companies.annotate(lname=Lower("name"))
        shared_n = (
            lowered.values("lname")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .order_by("lname")
            .values_list("lname", flat=True)[:group_limit]
        )
        company_groups: dict[str, list[int]] = defaultdict(list)
        for pk, lname in lowered.filter(lname__in=list(shared_n)).values_list("pk", "lname"):
            company_groups[lname].append(pk)
        _pairs_from_groups(company_groups.values(), "name", pairs)
        titles = dict(
            Company.objects.filter(pk__in={pk for pair in pairs for pk in pair}).values_list(
                "pk", "name"
            )
        )
    else:
        raise ValueError(f"no duplicate detection for {object_type!r}")
    result = [
        DuplicatePair(
            a, b, titles.get(a, ""), titles.get(b, ""), combined_score(r), tuple(sorted(r))
        )
        for (a, b), r in pairs.items()
    ]
    result.sort(key=lambda p: (-p.score, p.first_id, p.second_id))
    return result[:limit]
