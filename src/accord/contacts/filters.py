"""THE filter definitions of contacts and companies (principle 5): the HTML lists
(``accord.contacts.views``) and the API list endpoints (``accord.contacts.api``) both use
these classes, so a filter that works in one works in the other.

API usage::

    filters = ContactFilterSet(request.GET, user=request.auth)
    try:
        contacts = filters.filter(policy.scope(request.auth, Contact.objects.all()))
        sort = resolve_sort(ContactFilterSet, request.GET.get("sort"), filters.definitions)
    except FilterError as exc:          # a ValidationError keyed by the parameter name
        ...                              # answer 400 with one error per parameter

Parameters: see docs/lists.md (``<name>``, ``<name>__<op>``, ``custom.<key>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from accord.contacts.models import Company, Contact, Tag
from accord.lists.filters import (
    BooleanFilter,
    ChoiceFilter,
    DateFilter,
    FilterSet,
    IndexSearchFilter,
    NumberFilter,
    RelatedFilter,
    TagFilter,
    TextFilter,
)


def user_choices(user: Any) -> Iterable[tuple[Any, str]]:
    from accord.accounts.models import User

    return [
        (pk, name or email)
        for pk, name, email in User.objects.filter(is_active=True)
        .order_by("full_name", "email")
        .values_list("pk", "full_name", "email")
    ]


def team_choices(user: Any) -> Iterable[tuple[Any, str]]:
    from accord.accounts.models import Team

    return list(Team.objects.order_by("name").values_list("pk", "name"))


def tag_choices(user: Any) -> Iterable[tuple[Any, str]]:
    return list(Tag.objects.order_by("name").values_list("pk", "name"))


class ContactFilterSet(FilterSet):
    model = Contact

    q = IndexSearchFilter("contacts.contact", label=_("Search"), widget=False)
    first_name = TextFilter()
    last_name = TextFilter()
    middle_name = TextFilter(widget=False)
    prefix = TextFilter(widget=False)
    suffix = TextFilter(widget=False)
    job_title = TextFilter()
    department = TextFilter()
    email = TextFilter("emails__email", label=_("Email (any)"), many=True)
    phone = TextFilter("phones__number", label=_("Phone (any)"), many=True)
    company_id = RelatedFilter("company", label=_("Company"), widget=False)
    company_name = TextFilter("company__name", label=_("Company name"))
    lifecycle_stage = ChoiceFilter()
    lifecycle_stage_at = DateFilter(label=_("Stage reached"))
    lead_status = ChoiceFilter()
    lead_source = ChoiceFilter()
    owner_id = RelatedFilter("owner", label=_("Owner"), me=True, choices_for=user_choices)
    team_id = RelatedFilter("team", label=_("Team"), choices_for=team_choices)
    tags = TagFilter(choices_for=tag_choices)
    email_opt_in = BooleanFilter(label=_("Email opt-in"))
    email_opt_in_source = TextFilter(label=_("Opt-in source"), widget=False)
    email_opt_in_at = DateFilter(label=_("Opted in"))
    do_not_contact = BooleanFilter(label=_("Do not contact"))
    city = TextFilter("addresses__city", label=_("City"), many=True)
    country = TextFilter("addresses__country", label=_("Country"), many=True)
    birthday = DateFilter()
    description = TextFilter(label=_("Notes"), widget=False)
    last_contacted_at = DateFilter(label=_("Last contacted"))
    next_activity_at = DateFilter(label=_("Next activity"))
    touches_30d = NumberFilter(label=_("Touches (30 days)"))
    touches_90d = NumberFilter(label=_("Touches (90 days)"))
    created_at = DateFilter(label=_("Created"))
    updated_at = DateFilter(label=_("Updated"))

    sorts = {
        "last_name": "last_name",
        "first_name": "first_name",
        "email": "email",
        "phone": "phone",
        "company": "company__name",
        "job_title": "job_title",
        "lifecycle_stage": "lifecycle_stage",
        "lifecycle_stage_at": "lifecycle_stage_at",
        "lead_status": "lead_status",
        "lead_source": "lead_source",
        "owner": "owner__full_name",
        "last_contacted_at": "last_contacted_at",
        "next_activity_at": "next_activity_at",
        "touches_30d": "touches_30d",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    sort_labels = {
        "last_name": _("Last name"),
        "first_name": _("First name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "company": _("Company"),
        "job_title": _("Job title"),
        "lifecycle_stage": _("Lifecycle stage"),
        "lifecycle_stage_at": _("Stage reached"),
        "lead_status": _("Lead status"),
        "lead_source": _("Lead source"),
        "owner": _("Owner"),
        "last_contacted_at": _("Last contacted"),
        "next_activity_at": _("Next activity"),
        "touches_30d": _("Touches (30 days)"),
        "created_at": _("Created"),
        "updated_at": _("Updated"),
    }
    default_sort = "-created_at"


class CompanyFilterSet(FilterSet):
    model = Company

    q = IndexSearchFilter("contacts.company", label=_("Search"), widget=False)
    name = TextFilter()
    domain = TextFilter("domains__domain", label=_("Domain (any)"), many=True)
    industry = TextFilter()
    size = ChoiceFilter()
    annual_revenue = NumberFilter()
    currency = TextFilter(widget=False)
    phone = TextFilter("phones__number", label=_("Phone (any)"), many=True)
    website = TextFilter()
    description = TextFilter(widget=False)
    parent_id = RelatedFilter("parent", label=_("Parent company"), widget=False)
    owner_id = RelatedFilter("owner", label=_("Owner"), me=True, choices_for=user_choices)
    team_id = RelatedFilter("team", label=_("Team"), choices_for=team_choices)
    tags = TagFilter(choices_for=tag_choices)
    city = TextFilter("addresses__city", label=_("City"), many=True)
    country = TextFilter("addresses__country", label=_("Country"), many=True)
    created_at = DateFilter(label=_("Created"))
    updated_at = DateFilter(label=_("Updated"))

    sorts = {
        "name": "name",
        "domain": "domain",
        "industry": "industry",
        "size": "size",
        "annual_revenue": "annual_revenue",
        "phone": "phone",
        "owner": "owner__full_name",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    sort_labels = {
        "name": _("Name"),
        "domain": _("Domain"),
        "industry": _("Industry"),
        "size": _("Size"),
        "annual_revenue": _("Annual revenue"),
        "phone": _("Phone"),
        "owner": _("Owner"),
        "created_at": _("Created"),
        "updated_at": _("Updated"),
    }
    default_sort = "name"
