"""The contact and company lists: columns, bulk actions and their registration with
``accord.lists`` (which provides filters, sorting, paging, views, export and the page)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import phonenumbers
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accord.contacts import forms
from accord.contacts.filters import CompanyFilterSet, ContactFilterSet
from accord.contacts.models import Company, Contact, LifecycleStage
from accord.contacts.services import (
    company_bulk_assign_owner,
    company_bulk_delete,
    company_bulk_tag_add,
    company_bulk_tag_remove,
    contact_bulk_assign_owner,
    contact_bulk_delete,
    contact_bulk_set_stage,
    contact_bulk_tag_add,
    contact_bulk_tag_remove,
    contact_vcard_export,
)
from accord.lists import registry as lists_registry
from accord.lists.bulk import BulkAction
from accord.lists.columns import Column
from accord.lists.registry import ListConfig

STAGE_BADGES: dict[str, str] = {
    LifecycleStage.SUBSCRIBER: "",
    LifecycleStage.LEAD: "badge-info",
    LifecycleStage.MARKETING_QUALIFIED: "badge-info",
    LifecycleStage.SALES_QUALIFIED: "badge-primary",
    LifecycleStage.OPPORTUNITY: "badge-warning",
    LifecycleStage.CUSTOMER: "badge-success",
    LifecycleStage.EVANGELIST: "badge-success",
    LifecycleStage.OTHER: "",
}


def stage_badge(stage: str, label: str) -> str:
    if not stage:
        return mark_safe('<span class="cell-empty">—</span>')
    return format_html('<span class="badge {}">{}</span>', STAGE_BADGES.get(stage, ""), label)


def _tags(obj: Any) -> str:
    tags = list(obj.tags.all())
    if not tags:
        return mark_safe('<span class="cell-empty">—</span>')
    return format_html(
        '<span class="tag-list">{}</span>',
        format_html_join("", '<span class="tag">{}</span>', ((t.name,) for t in tags)),
    )


def _tag_names(obj: Any) -> str:
    return ", ".join(t.name for t in obj.tags.all())


def phone_display(number: str) -> str:
    """E.164 shown the international way (+1 212-555-0110); unparsable input as is."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _user(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _contact_name(contact: Contact) -> str:
    return format_html(
        '<span class="cell-avatar" aria-hidden="true">{}</span>{}',
        contact.initials[:2],
        contact.display_name,
    )


def _company_link(contact: Contact) -> str:
    if contact.company is None:
        return mark_safe('<span class="cell-empty">—</span>')
    url = reverse("contacts:company_detail", args=[contact.company_id])
    return format_html('<a href="{}">{}</a>', url, contact.company.name)


def _yes(value: bool) -> str:
    if value:
        return format_html('<span class="badge badge-success">{}</span>', _("Yes"))
    return format_html('<span class="cell-empty">{}</span>', _("No"))


def _dnc(value: bool) -> str:
    if value:
        return format_html('<span class="badge badge-danger">{}</span>', _("Do not contact"))
    return ""


def contact_columns() -> Sequence[Column]:
    return [
        Column(
            "name",
            str(_("Name")),
            lambda c: c.display_name,
            sort="last_name",
            always=True,
            render=_contact_name,
        ),
        Column("email", str(_("Email")), lambda c: c.email, sort="email", default=True),
        Column(
            "phone",
            str(_("Phone")),
            lambda c: phone_display(c.phone),
            sort="phone",
            default=True,
            export=lambda c: c.phone,
        ),
        Column(
            "company",
            str(_("Company")),
            lambda c: c.company.name if c.company else "",
            sort="company",
            default=True,
            render=_company_link,
        ),
        Column(
            "job_title", str(_("Job title")), lambda c: c.job_title, sort="job_title", default=True
        ),
        Column(
            "lifecycle_stage",
            str(_("Stage")),
            lambda c: c.get_lifecycle_stage_display(),
            sort="lifecycle_stage",
            default=True,
            render=lambda c: stage_badge(c.lifecycle_stage, c.get_lifecycle_stage_display()),
        ),
        Column("owner", str(_("Owner")), lambda c: _user(c.owner), sort="owner", default=True),
        Column("tags", str(_("Tags")), _tag_names, render=_tags, default=True, export=_tag_names),
        Column(
            "last_contacted_at",
            str(_("Last contacted")),
            lambda c: c.last_contacted_at,
            sort="last_contacted_at",
        ),
        Column("created_at", str(_("Created")), lambda c: c.created_at, sort="created_at"),
        Column("first_name", str(_("First name")), lambda c: c.first_name, sort="first_name"),
        Column("last_name", str(_("Last name")), lambda c: c.last_name, sort="last_name"),
        Column("department", str(_("Department")), lambda c: c.department),
        Column(
            "lead_status",
            str(_("Lead status")),
            lambda c: c.get_lead_status_display(),
            sort="lead_status",
        ),
        Column(
            "lead_source",
            str(_("Lead source")),
            lambda c: c.get_lead_source_display(),
            sort="lead_source",
        ),
        Column(
            "lifecycle_stage_at",
            str(_("Stage reached")),
            lambda c: c.lifecycle_stage_at,
            sort="lifecycle_stage_at",
        ),
        Column("team", str(_("Team")), lambda c: c.team.name if c.team else ""),
        Column(
            "email_opt_in",
            str(_("Email opt-in")),
            lambda c: c.email_opt_in,
            render=lambda c: _yes(c.email_opt_in),
        ),
        Column(
            "do_not_contact",
            str(_("Do not contact")),
            lambda c: c.do_not_contact,
            render=lambda c: _dnc(c.do_not_contact),
        ),
        Column("birthday", str(_("Birthday")), lambda c: c.birthday),
        Column(
            "next_activity_at",
            str(_("Next activity")),
            lambda c: c.next_activity_at,
            sort="next_activity_at",
        ),
        Column(
            "touches_30d",
            str(_("Touches (30 days)")),
            lambda c: c.touches_30d,
            sort="touches_30d",
            numeric=True,
        ),
        Column("updated_at", str(_("Updated")), lambda c: c.updated_at, sort="updated_at"),
        Column("id", str(_("ID")), lambda c: c.pk, sort="id", numeric=True),
    ]


def _company_name(company: Company) -> str:
    return format_html(
        '<span class="cell-avatar cell-avatar-square" aria-hidden="true">{}</span>{}',
        (company.name[:1] or "?").upper(),
        company.name,
    )


def company_columns() -> Sequence[Column]:
    return [
        Column(
            "name", str(_("Name")), lambda c: c.name, sort="name", always=True, render=_company_name
        ),
        Column("domain", str(_("Domain")), lambda c: c.domain, sort="domain", default=True),
        Column("industry", str(_("Industry")), lambda c: c.industry, sort="industry", default=True),
        Column("size", str(_("Size")), lambda c: c.get_size_display(), sort="size", default=True),
        Column(
            "annual_revenue",
            str(_("Annual revenue")),
            lambda c: (
                f"{c.annual_revenue} {c.currency}".strip() if c.annual_revenue is not None else ""
            ),
            sort="annual_revenue",
            numeric=True,
            default=True,
        ),
        Column(
            "phone",
            str(_("Phone")),
            lambda c: phone_display(c.phone),
            sort="phone",
            default=True,
            export=lambda c: c.phone,
        ),
        Column("owner", str(_("Owner")), lambda c: _user(c.owner), sort="owner", default=True),
        Column("tags", str(_("Tags")), _tag_names, render=_tags, default=True, export=_tag_names),
        Column("website", str(_("Website")), lambda c: c.website),
        Column("team", str(_("Team")), lambda c: c.team.name if c.team else ""),
        Column(
            "created_at", str(_("Created")), lambda c: c.created_at, sort="created_at", default=True
        ),
        Column("updated_at", str(_("Updated")), lambda c: c.updated_at, sort="updated_at"),
        Column("id", str(_("ID")), lambda c: c.pk, sort="id", numeric=True),
    ]


def _contacts(user: Any) -> QuerySet[Contact]:
    return Contact.objects.select_related("company", "owner", "team").prefetch_related("tags")


def _companies(user: Any) -> QuerySet[Company]:
    return Company.objects.select_related("owner", "team").prefetch_related("tags")


def _owner_run(service: Any) -> Any:
    def run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
        team = data.get("team")
        return int(
            service(
                queryset=queryset,
                actor=actor,
                owner_id=int(data["owner"]),
                team_id=int(team) if team else None,
                set_team=bool(team),
            )
        )

    return run


def _tags_run(service: Any) -> Any:
    def run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
        return int(service(queryset=queryset, actor=actor, tags=data["tags"]))

    return run


def _stage_run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
    return contact_bulk_set_stage(queryset=queryset, actor=actor, stage=data["stage"])


def _delete_run(service: Any) -> Any:
    def run(queryset: QuerySet[Any], actor: Any, data: dict[str, Any]) -> int:
        return int(service(queryset=queryset, actor=actor))

    return run


TEXTS: dict[str, dict[str, Any]] = {
    "contact": {
        "owner_confirm": _("Give the %(count)s selected contacts a new owner."),
        "owner_done": _("New owner set on %(count)s contacts."),
        "tag_add_confirm": _("Add tags to the %(count)s selected contacts."),
        "tag_add_done": _("Tags added to %(count)s contacts."),
        "tag_remove_confirm": _("Remove tags from the %(count)s selected contacts."),
        "tag_remove_done": _("Tags removed from %(count)s contacts."),
        "delete_confirm": _(
            "Delete the %(count)s selected contacts? This cannot be undone; the audit trail "
            "keeps a record of what was deleted."
        ),
        "delete_done": _("%(count)s contacts deleted."),
    },
    "company": {
        "owner_confirm": _("Give the %(count)s selected companies a new owner."),
        "owner_done": _("New owner set on %(count)s companies."),
        "tag_add_confirm": _("Add tags to the %(count)s selected companies."),
        "tag_add_done": _("Tags added to %(count)s companies."),
        "tag_remove_confirm": _("Remove tags from the %(count)s selected companies."),
        "tag_remove_done": _("Tags removed from %(count)s companies."),
        "delete_confirm": _(
            "Delete the %(count)s selected companies? Their contacts stay. This cannot be "
            "undone; the audit trail keeps a record of what was deleted."
        ),
        "delete_done": _("%(count)s companies deleted."),
    },
}


def _vcards(queryset: QuerySet[Any], actor: Any) -> HttpResponse:
    text = contact_vcard_export(
        actor=actor, ids=list(queryset.values_list("pk", flat=True)[:10_000]), version="4.0"
    )
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="contacts.vcf"'
    return response


def _actions(kind: str) -> list[BulkAction]:
    is_contact = kind == "contact"
    text = TEXTS[kind]
    actions = [
        BulkAction(
            key="assign_owner",
            label=cast(str, _("Assign owner")),
            icon="user-round-check",
            run=_owner_run(contact_bulk_assign_owner if is_contact else company_bulk_assign_owner),
            form=forms.BulkAssignOwnerForm,
            confirm_text=text["owner_confirm"],
            done_text=text["owner_done"],
        ),
    ]
    if is_contact:
        actions.append(
            BulkAction(
                key="set_stage",
                label=cast(str, _("Change stage")),
                icon="milestone",
                run=_stage_run,
                form=forms.BulkStageForm,
                confirm_text=cast(
                    str, _("Move the %(count)s selected contacts to a lifecycle stage.")
                ),
                done_text=cast(str, _("%(count)s contacts moved to the new stage.")),
            )
        )
    if is_contact:
        actions.append(
            BulkAction(
                key="vcard",
                label=cast(str, _("vCards")),
                icon="contact",
                capability="export",
                respond=_vcards,
            )
        )
    actions += [
        BulkAction(
            key="tag_add",
            label=cast(str, _("Add tags")),
            icon="tag",
            run=_tags_run(contact_bulk_tag_add if is_contact else company_bulk_tag_add),
            form=forms.BulkTagsForm,
            confirm_text=text["tag_add_confirm"],
            done_text=text["tag_add_done"],
        ),
        BulkAction(
            key="tag_remove",
            label=cast(str, _("Remove tags")),
            icon="tag",
            run=_tags_run(contact_bulk_tag_remove if is_contact else company_bulk_tag_remove),
            form=forms.BulkTagsForm,
            confirm_text=text["tag_remove_confirm"],
            done_text=text["tag_remove_done"],
        ),
        BulkAction(
            key="delete",
            label=cast(str, _("Delete")),
            icon="trash-2",
            danger=True,
            run=_delete_run(contact_bulk_delete if is_contact else company_bulk_delete),
            confirm_text=text["delete_confirm"],
            done_text=text["delete_done"],
        ),
    ]
    return actions


def _contact_url(contact: Contact) -> str:
    return reverse("contacts:contact_detail", args=[contact.pk])


def _company_url(company: Company) -> str:
    return reverse("contacts:company_detail", args=[company.pk])


def register_all() -> None:
    """Lists are configured lazily per request (labels are translated then)."""
    lists_registry.register(
        ListConfig(
            object_type="contacts.contact",
            model=Contact,
            filterset=ContactFilterSet,
            queryset=_contacts,
            columns=contact_columns,
            row_url=_contact_url,
            url_name="contacts:contact_list",
            title=cast(str, _("Contacts")),
            item_name=cast(str, _("contact")),
            items_name=cast(str, _("contacts")),
            create_url_name="contacts:contact_create",
            create_label=cast(str, _("New contact")),
            bulk_actions=_actions("contact"),
            export_filename="contacts",
            empty_icon="users",
            empty_title=cast(str, _("No contacts yet")),
            empty_text=cast(
                str,
                _(
                    "Add your first contact, or import a spreadsheet of them. Contacts you "
                    "are given access to will show up here too."
                ),
            ),
            extra_actions_template="contacts/includes/contact_list_actions.html",
        )
    )
    lists_registry.register(
        ListConfig(
            object_type="contacts.company",
            model=Company,
            filterset=CompanyFilterSet,
            queryset=_companies,
            columns=company_columns,
            row_url=_company_url,
            url_name="contacts:company_list",
            title=cast(str, _("Companies")),
            item_name=cast(str, _("company")),
            items_name=cast(str, _("companies")),
            create_url_name="contacts:company_create",
            create_label=cast(str, _("New company")),
            bulk_actions=_actions("company"),
            export_filename="companies",
            empty_icon="building-2",
            empty_title=cast(str, _("No companies yet")),
            extra_actions_template="contacts/includes/company_list_actions.html",
            empty_text=cast(
                str, _("Add a company to group its people, deals and history in one place.")
            ),
        )
    )
