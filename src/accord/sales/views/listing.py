"""The deal list: columns, bulk actions and their registration with ``accord.lists`` (which
provides filters, sorting, paging, saved views, column choice, export and the page).

Called from ``navigation.register_all()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accord.lists import registry as lists_registry
from accord.lists.bulk import BulkAction
from accord.lists.columns import Column
from accord.lists.registry import ListConfig
from accord.sales import forms
from accord.sales.models import Deal, StageKind

STATUS_BADGES: dict[str, str] = {
    StageKind.OPEN: "badge-primary",
    StageKind.WON: "badge-success",
    StageKind.LOST: "badge-danger",
}


def _user(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _money(deal: Deal) -> str:
    from accord.sales.views.deals import format_money

    return format_money(deal.amount, deal.currency)


def _name(deal: Deal) -> str:
    return format_html(
        '<span class="cell-avatar cell-avatar-square" aria-hidden="true">{}</span>{}',
        (deal.name[:1] or "?").upper(),
        deal.name,
    )


def _company(deal: Deal) -> str:
    if deal.company is None:
        return mark_safe('<span class="cell-empty">—</span>')
    url = reverse("contacts:company_detail", args=[deal.company_id])
    return format_html('<a href="{}">{}</a>', url, deal.company.name)


def _stage(deal: Deal) -> str:
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_BADGES.get(deal.status, ""), deal.stage.name
    )


def deal_columns() -> Sequence[Column]:
    return [
        Column("name", str(_("Name")), lambda d: d.name, sort="name", always=True, render=_name),
        Column(
            "company",
            str(_("Company")),
            lambda d: d.company.name if d.company else "",
            sort="company",
            default=True,
            render=_company,
        ),
        Column(
            "stage",
            str(_("Stage")),
            lambda d: d.stage.name,
            sort="stage",
            default=True,
            render=_stage,
        ),
        Column(
            "amount",
            str(_("Amount")),
            lambda d: d.amount,
            sort="amount",
            numeric=True,
            default=True,
            render=_money,
            export=lambda d: str(d.amount),
        ),
        Column("currency", str(_("Currency")), lambda d: d.currency),
        Column(
            "expected_close_date",
            str(_("Expected close")),
            lambda d: d.expected_close_date,
            sort="expected_close_date",
            default=True,
        ),
        Column("owner", str(_("Owner")), lambda d: _user(d.owner), sort="owner", default=True),
        Column("pipeline", str(_("Pipeline")), lambda d: d.pipeline.name),
        Column("status", str(_("Status")), lambda d: d.get_status_display()),
        Column(
            "probability",
            str(_("Probability")),
            lambda d: f"{d.stage.probability}%",
            numeric=True,
            export=lambda d: str(d.stage.probability),
        ),
        Column(
            "forecast_category",
            str(_("Forecast category")),
            lambda d: d.get_forecast_category_display(),
        ),
        Column("kind", str(_("Kind")), lambda d: d.get_kind_display()),
        Column("source", str(_("Source")), lambda d: d.get_source_display()),
        Column("next_step", str(_("Next step")), lambda d: d.next_step, default=True),
        Column(
            "next_step_due_date",
            str(_("Next step due")),
            lambda d: d.next_step_due_date,
            sort="next_step_due_date",
        ),
        Column("team", str(_("Team")), lambda d: d.team.name if d.team else ""),
        Column(
            "stage_entered_at",
            str(_("In stage since")),
            lambda d: d.stage_entered_at,
            sort="stage_entered_at",
        ),
        Column(
            "lost_reason",
            str(_("Lost reason")),
            lambda d: d.lost_reason.name if d.lost_reason else "",
        ),
        Column("created_at", str(_("Created")), lambda d: d.created_at, sort="created_at"),
        Column("updated_at", str(_("Updated")), lambda d: d.updated_at, sort="updated_at"),
        Column("id", str(_("ID")), lambda d: d.pk, sort="id", numeric=True),
    ]


def _deals(user: Any) -> QuerySet[Deal]:
    return Deal.objects.select_related(
        "company", "owner", "team", "stage", "pipeline", "lost_reason"
    )


def _owner_run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
    from accord.sales.services import deal_bulk_assign_owner

    return int(deal_bulk_assign_owner(queryset=queryset, actor=actor, owner_id=int(data["owner"])))


def _stage_run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
    from accord.sales.services import deal_bulk_move_stage

    return int(deal_bulk_move_stage(queryset=queryset, actor=actor, stage=data["stage"]))


def _delete_run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
    from accord.sales.services import deal_bulk_delete

    return int(deal_bulk_delete(queryset=queryset, actor=actor))


def deal_bulk_actions() -> list[BulkAction]:
    return [
        BulkAction(
            key="assign_owner",
            label=cast(str, _("Assign owner")),
            icon="user-round-check",
            run=_owner_run,
            form=forms.BulkAssignOwnerForm,
            confirm_text=cast(str, _("Give the %(count)s selected deals a new owner.")),
            done_text=cast(str, _("New owner set on %(count)s deals.")),
        ),
        BulkAction(
            key="move_stage",
            label=cast(str, _("Move to stage")),
            icon="milestone",
            run=_stage_run,
            form=forms.BulkMoveStageForm,
            confirm_text=cast(str, _("Move the %(count)s selected deals to a stage.")),
            done_text=cast(str, _("%(count)s deals moved.")),
        ),
        BulkAction(
            key="delete",
            label=cast(str, _("Delete")),
            icon="trash-2",
            danger=True,
            run=_delete_run,
            confirm_text=cast(
                str,
                _(
                    "Delete the %(count)s selected deals? This cannot be undone; the audit "
                    "trail keeps a record of what was deleted."
                ),
            ),
            done_text=cast(str, _("%(count)s deals deleted.")),
        ),
    ]


def _deal_url(deal: Deal) -> str:
    return reverse("sales:deal_detail", args=[deal.pk])


def register_all() -> None:
    from accord.sales.filters import DealFilterSet

    lists_registry.register(
        ListConfig(
            object_type="sales.deal",
            model=Deal,
            filterset=DealFilterSet,
            queryset=_deals,
            columns=deal_columns,
            row_url=_deal_url,
            url_name="sales:deal_list",
            title=cast(str, _("Deals")),
            item_name=cast(str, _("deal")),
            items_name=cast(str, _("deals")),
            create_url_name="sales:deal_create",
            create_label=cast(str, _("New deal")),
            bulk_actions=deal_bulk_actions(),
            export_filename="deals",
            empty_icon="handshake",
            empty_title=cast(str, _("No deals yet")),
            empty_text=cast(
                str,
                _(
                    "Create a deal for each opportunity you work on, or convert a lead from "
                    "its contact page. Deals you are given access to show up here too."
                ),
            ),
            extra_actions_template="sales/includes/deal_list_actions.html",
        )
    )
