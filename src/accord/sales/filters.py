"""THE filter definition of deals (principle 5): the deal list and the board
(``accord.sales.views``), the API list (``accord.sales.api``) and the selectors use it.

Parameters: see docs/lists.md and docs/sales.md (``owner_id=me``, ``stage_id=3,4``,
``amount__gte=1000``, ``expected_close_date__before=2026-12-31``, ``is_stalled=true``,
``custom.<key>``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.lists.filters import (
    BooleanFilter,
    ChoiceFilter,
    DateFilter,
    FilterSet,
    NumberFilter,
    RelatedFilter,
    SearchFilter,
    TextFilter,
    parse_boolean,
)
from accord.sales.models import Deal, LostReason, Pipeline, Stage
from accord.sales.querysets import stalled_q


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


def pipeline_choices(user: Any) -> Iterable[tuple[Any, str]]:
    from accord.sales.policy import pipelines_usable

    return list(pipelines_usable(user, Pipeline.objects.all()).values_list("pk", "name"))


def stage_choices(user: Any) -> Iterable[tuple[Any, str]]:
    return [
        (pk, f"{pipeline} · {name}")
        for pk, name, pipeline in Stage.objects.filter(archived=False)
        .order_by("pipeline__order", "pipeline_id", "order", "id")
        .values_list("pk", "name", "pipeline__name")
    ]


def lost_reason_choices(user: Any) -> Iterable[tuple[Any, str]]:
    return list(LostReason.objects.values_list("pk", "name"))


class StalledFilter(BooleanFilter):
    """``is_stalled=true``: open deals longer in their stage than its rotting period."""

    def condition(self, op: str, values: list[str]) -> Q:
        stalled = stalled_q()
        return stalled if parse_boolean(values[-1]) else ~stalled


class DealFilterSet(FilterSet):
    model = Deal

    q = SearchFilter(["name", "company__name"], label=_("Search"), widget=False)
    name = TextFilter()
    pipeline_id = RelatedFilter("pipeline", label=_("Pipeline"), choices_for=pipeline_choices)
    stage_id = RelatedFilter("stage", label=_("Stage"), choices_for=stage_choices)
    status = ChoiceFilter()
    owner_id = RelatedFilter("owner", label=_("Owner"), me=True, choices_for=user_choices)
    team_id = RelatedFilter("team", label=_("Team"), choices_for=team_choices)
    company_id = RelatedFilter("company", label=_("Company"), widget=False)
    company_name = TextFilter("company__name", label=_("Company name"))
    contact_id = RelatedFilter(
        "deal_contacts__contact", label=_("Contact"), many=True, widget=False
    )
    amount = NumberFilter()
    currency = TextFilter(widget=False)
    expected_close_date = DateFilter()
    kind = ChoiceFilter()
    source = ChoiceFilter()
    forecast_category = ChoiceFilter()
    lost_reason_id = RelatedFilter(
        "lost_reason", label=_("Lost reason"), choices_for=lost_reason_choices
    )
    next_step = TextFilter()
    next_step_due_date = DateFilter()
    is_stalled = StalledFilter(label=_("Stalled only"))
    stage_entered_at = DateFilter(label=_("In stage since"))
    won_at = DateFilter(label=_("Won"))
    lost_at = DateFilter(label=_("Lost"))
    last_activity_at = DateFilter(label=_("Last activity"))
    created_at = DateFilter(label=_("Created"))
    updated_at = DateFilter(label=_("Updated"))

    sorts = {
        "name": "name",
        "amount": "amount",
        "expected_close_date": "expected_close_date",
        "stage_entered_at": "stage_entered_at",
        "company": "company__name",
        "owner": "owner__full_name",
        "stage": "stage__order",
        "won_at": "won_at",
        "lost_at": "lost_at",
        "next_step_due_date": "next_step_due_date",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }
    sort_labels = {
        "name": _("Name"),
        "amount": _("Amount"),
        "expected_close_date": _("Expected close"),
        "stage_entered_at": _("In stage since"),
        "company": _("Company"),
        "owner": _("Owner"),
        "stage": _("Stage"),
        "won_at": _("Won"),
        "lost_at": _("Lost"),
        "next_step_due_date": _("Next step due"),
        "created_at": _("Created"),
        "updated_at": _("Updated"),
    }
    default_sort = "-created_at"
