"""Deal pages: the list (``accord.lists``), create/edit, the 360° view with inline editing,
the stage bar with time spent per stage, contacts with roles, delete, and converting a lead
contact into a deal.

Thin adapters (principle 1): reads through ``policy`` scopes; writes through
``accord.sales.services``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.contacts.models import Contact
from accord.core import customfields, policy
from accord.core.customfields import CustomFieldDefinition
from accord.core.registry import registry
from accord.lists import registry as lists_registry
from accord.lists.columns import display
from accord.lists.views import list_page
from accord.sales import forms, services
from accord.sales.models import Deal, DealContact, Pipeline, Stage, StageChange, StageKind
from accord.sales.policy import pipelines_usable

DEAL = "sales.deal"


@login_required
@require_GET
def deal_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, lists_registry.get(DEAL))


# ---- helpers -------------------------------------------------------------------------------


_MONEY = None


def format_money(amount: Any, currency: str) -> str:
    """Money the user's way, through the shell's ``money`` filter (no import of ``web``)."""
    global _MONEY
    if _MONEY is None:
        from django.template import engines

        _MONEY = engines["django"].from_string("{% load accord %}{{ a|money:c }}")
    return str(_MONEY.render({"a": amount, "c": currency})).strip()


def _empty() -> str:
    return format_html('<span class="prop-empty">{}</span>', _("Empty"))


def _value(value: Any) -> str:
    shown = display(value)
    return format_html("{}", shown) if shown else _empty()


def _user_name(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def _custom_display(definition: CustomFieldDefinition, custom: dict[str, Any]) -> str:
    from accord.lists.columns import custom_columns

    column = custom_columns([definition])[0]
    text = display(column.value(type("Row", (), {"custom": custom})()))
    return format_html("{}", text) if text else _empty()


def deal_properties(
    deal: Deal, definitions: Sequence[CustomFieldDefinition]
) -> list[dict[str, Any]]:
    """The editable properties of the 360° view: name, label, display HTML."""
    company = (
        format_html(
            '<a href="{}">{}</a>',
            reverse("contacts:company_detail", args=[deal.company_id]),
            deal.company.name,
        )
        if deal.company is not None
        else _empty()
    )
    rows = [
        ("name", _("Name"), _value(deal.name)),
        ("amount", _("Amount"), format_html("{}", format_money(deal.amount, deal.currency))),
        ("currency", _("Currency"), _value(deal.currency)),
        ("expected_close_date", _("Expected close date"), _value(deal.expected_close_date)),
        ("company", _("Company"), company),
        ("owner", _("Owner"), _value(_user_name(deal.owner))),
        ("team", _("Team"), _value(deal.team.name if deal.team else "")),
        ("forecast_category", _("Forecast category"), _value(deal.get_forecast_category_display())),
        ("next_step", _("Next step"), _value(deal.next_step)),
        ("next_step_due_date", _("Next step due"), _value(deal.next_step_due_date)),
        ("kind", _("Kind"), _value(deal.get_kind_display())),
        ("source", _("Source"), _value(deal.get_source_display())),
        ("description", _("Description"), _value(deal.description)),
    ]
    result: list[dict[str, Any]] = [
        {"name": n, "label": label, "html": html} for n, label, html in rows
    ]
    for definition in definitions:
        result.append(
            {
                "name": customfields.form_field_name(definition.key),
                "label": definition.label,
                "html": _custom_display(definition, deal.custom or {}),
                "custom": True,
            }
        )
    return result


def _scoped(user: Any, pk: Any, action: str = "view") -> Deal:
    return policy.get_object_or_404_scoped(
        user,
        Deal.objects.select_related("pipeline", "stage", "company", "owner", "team", "lost_reason"),
        action,
        pk=pk,
    )


def _panels(request: HttpRequest, panels: Sequence[Any], obj: Any) -> list[dict[str, Any]]:
    import logging

    from django.template.loader import render_to_string

    rendered = []
    for panel in panels:
        try:
            context = {**panel.context(request), "panel": panel, "record": obj}
            html = render_to_string(panel.template, context, request=request)
        except Exception:
            logging.getLogger(__name__).exception("record panel %s failed", panel.key)
            html = render_to_string("web/panels/failed.html", {"panel": panel}, request=request)
        rendered.append({"panel": panel, "html": html})
    return rendered


def _days(seconds: float) -> float:
    return round(seconds / 86400, 1)


def stage_timeline(
    deal: Deal, stages: Sequence[Stage], changes: Sequence[StageChange], now: dt.datetime
) -> list[dict[str, Any]]:
    """Each stage of the pipeline with the days the deal spent in it (from its stage
    changes; the current stage counts until now) and whether it was reached."""
    seconds: dict[int, float] = {}
    reached: set[int] = set()
    for change in changes:
        reached.add(change.to_stage_id)
        if change.from_stage_id is not None:
            reached.add(change.from_stage_id)
            if change.duration_seconds is not None:
                seconds[change.from_stage_id] = (
                    seconds.get(change.from_stage_id, 0) + change.duration_seconds
                )
    if deal.stage_entered_at and deal.is_open:
        current = max((now - deal.stage_entered_at).total_seconds(), 0)
        seconds[deal.stage_id] = seconds.get(deal.stage_id, 0) + current
    reached.add(deal.stage_id)
    current_order = deal.stage.order
    longest = max(seconds.values(), default=0) or 1
    rows = []
    for stage in stages:
        spent = seconds.get(stage.pk, 0)
        rows.append(
            {
                "stage": stage,
                "days": _days(spent),
                "percent": round(spent * 100 / longest),
                "reached": stage.pk in reached,
                "current": stage.pk == deal.stage_id,
                "done": stage.kind == StageKind.OPEN
                and stage.order < current_order
                and deal.stage.kind == StageKind.OPEN,
            }
        )
    return rows


# ---- create / edit -------------------------------------------------------------------------


def _initial(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"owner": str(request.user.pk), "currency": forms.base_currency()}
    teams = sorted(policy.access_for(request.user).team_ids)
    if len(teams) == 1:
        initial["team"] = str(teams[0])
    pipelines = pipelines_usable(request.user, Pipeline.objects.filter(archived=False))
    wanted = request.GET.get("pipeline")
    pipeline = (
        pipelines.filter(pk=wanted).first() if wanted and wanted.isdigit() else None
    ) or pipelines.order_by("-is_default", "order", "id").first()
    if pipeline is not None:
        initial["pipeline"] = str(pipeline.pk)
        first = (
            pipeline.stages.filter(kind=StageKind.OPEN, archived=False)
            .order_by("order", "id")
            .first()
        )
        if first is not None:
            initial["stage"] = str(first.pk)
    for name in ("company", "stage"):
        value = request.GET.get(name)
        if value and value.isdigit():
            initial[name] = value
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def deal_create(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "edit", Deal):
        raise PermissionDenied(_("You are not allowed to create deals."))
    definitions = customfields.definitions_for(DEAL)
    if request.method == "POST":
        form = forms.DealForm(request.POST, user=request.user, definitions=definitions)
        if form.is_valid():
            try:
                deal = services.deal_create(actor=request.user, data=form.to_service_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Deal %(name)s created.") % {"name": deal.name})
                return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))
        status = 400
    else:
        form = forms.DealForm(initial=_initial(request), user=request.user, definitions=definitions)
        status = 200
    return render(request, "sales/deal_form.html", {"form": form, "creating": True}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _scoped(request.user, pk)
    policy.require(request.user, "edit", deal)
    definitions = customfields.definitions_for(DEAL)
    initial = forms.DealForm.initial_for(deal, definitions)
    if request.method == "POST":
        form = forms.DealForm(
            request.POST, initial=initial, user=request.user, definitions=definitions
        )
        if form.is_valid():
            try:
                services.deal_update(
                    deal=deal, actor=request.user, changes=form.changed_service_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))
        status = 400
    else:
        form = forms.DealForm(initial=initial, user=request.user, definitions=definitions)
        status = 200
    return render(
        request,
        "sales/deal_form.html",
        {"form": form, "deal": deal, "creating": False},
        status=status,
    )


# ---- the 360° view -------------------------------------------------------------------------


@login_required
@require_GET
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _scoped(request.user, pk)
    definitions = customfields.definitions_for(DEAL)
    tab = "history" if request.GET.get("tab") == "history" else "overview"
    stages = list(Stage.objects.filter(pipeline_id=deal.pipeline_id).order_by("order", "id"))
    stages = [s for s in stages if not s.archived or s.pk == deal.stage_id]
    changes = list(
        StageChange.objects.filter(deal=deal)
        .select_related("from_stage", "to_stage", "actor")
        .order_by("at", "id")
    )
    deal_contacts = list(
        DealContact.objects.filter(
            deal=deal, contact__in=policy.scope(request.user, Contact.objects.all())
        )
        .select_related("contact")
        .order_by("id")
    )
    can_edit = policy.can(request.user, "edit", deal)
    won_stage = next((s for s in stages if s.kind == StageKind.WON and not s.archived), None)
    lost_stage = next((s for s in stages if s.kind == StageKind.LOST and not s.archived), None)
    context = {
        "deal": deal,
        "tab": tab,
        "stages": stages,
        "timeline": stage_timeline(deal, stages, changes, timezone.now()),
        "changes": list(reversed(changes)),
        "deal_contacts": deal_contacts,
        "properties": deal_properties(deal, definitions),
        "field_url_name": "sales:deal_field",
        "editable": can_edit,
        "can_edit": can_edit,
        "can_delete": policy.can(request.user, "delete", deal),
        "won_stage": won_stage,
        "lost_stage": lost_stage,
        "won_form": forms.DealWonForm(initial={"amount": deal.amount}),
        "lost_form": forms.DealLostForm(),
        "contact_form": forms.DealContactAddForm(user=request.user, company_id=None)
        if can_edit
        else None,
        "panels": _panels(request, registry.record_panels_for(DEAL, request.user), deal)
        if tab == "overview"
        else [],
    }
    return render(request, "sales/deal_detail.html", context)


def _find(props: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for prop in props:
        if prop["name"] == name:
            return prop
    raise Http404


def _inline_response(
    request: HttpRequest,
    deal: Deal,
    prop: dict[str, Any],
    form: Any,
    name: str,
    status: int = 200,
    editable: bool = True,
) -> HttpResponse:
    partial = "prop_form" if form is not None else "prop_row"
    context = {
        "field_url_name": "sales:deal_field",
        "record": deal,
        "prop": prop,
        "form": form,
        "field": form[name] if form is not None else None,
        "name": name,
        "editable": editable,
    }
    return render(request, f"contacts/includes/props.html#{partial}", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def deal_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Inline editing of one property of the 360° view."""
    deal = _scoped(request.user, pk)
    definitions = customfields.definitions_for(DEAL)
    prop = _find(deal_properties(deal, definitions), name)
    can_edit = policy.can(request.user, "edit", deal)
    if request.method == "GET" and not request.GET.get("edit"):
        return _inline_response(request, deal, prop, None, name, editable=can_edit)
    policy.require(request.user, "edit", deal)
    initial = forms.DealForm.initial_for(deal, definitions)
    if request.method == "GET":
        form = forms.DealForm(
            initial=initial, user=request.user, definitions=definitions, only=[name]
        )
        return _inline_response(request, deal, prop, form, name)
    form = forms.DealForm(
        request.POST, initial=initial, user=request.user, definitions=definitions, only=[name]
    )
    if form.is_valid():
        try:
            services.deal_update(deal=deal, actor=request.user, changes=form.changed_service_data())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            deal = _scoped(request.user, pk)
            prop = _find(deal_properties(deal, definitions), name)
            response = _inline_response(request, deal, prop, None, name)
            response["HX-Trigger"] = json.dumps({"accord:record-changed": {"id": pk}})
            return response
    return _inline_response(request, deal, prop, form, name, status=400)


@login_required
@require_POST
def deal_stage_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The stage bar: move to an open stage (won/lost go through ``deal_close``)."""
    deal = _scoped(request.user, pk)
    try:
        stage = Stage.objects.get(
            pk=int(request.POST.get("stage", "")), pipeline_id=deal.pipeline_id
        )
    except (ValueError, Stage.DoesNotExist):
        raise Http404 from None
    if stage.kind != StageKind.OPEN:
        return HttpResponseRedirect(
            reverse("sales:deal_close", args=[deal.pk]) + f"?stage={stage.pk}&origin=detail"
        )
    try:
        services.deal_move_to_stage(deal=deal, stage=stage, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def deal_delete(request: HttpRequest, pk: int) -> HttpResponse:
    deal = policy.get_object_or_404_scoped(request.user, Deal, "delete", pk=pk)
    if request.method == "POST":
        name = deal.name
        services.deal_delete(deal=deal, actor=request.user)
        messages.success(request, _("Deal %(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(reverse("sales:deal_list"))
    return render(
        request,
        "contacts/record_delete.html",
        {
            "record": deal,
            "title": deal.name,
            "cancel_url": reverse("sales:deal_detail", args=[pk]),
            "kind": _("deal"),
        },
    )


# ---- contacts with roles -------------------------------------------------------------------


def _contact_roles(deal: Deal) -> list[dict[str, Any]]:
    return [
        {"contact_id": dc.contact_id, "role": dc.role}
        for dc in DealContact.objects.filter(deal=deal).order_by("id")
    ]


@login_required
@require_POST
def deal_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    deal = _scoped(request.user, pk)
    policy.require(request.user, "edit", deal)
    form = forms.DealContactAddForm(request.POST, user=request.user)
    if form.is_valid():
        contacts = [
            c for c in _contact_roles(deal) if c["contact_id"] != int(form.cleaned_data["contact"])
        ]
        contacts.append(
            {"contact_id": int(form.cleaned_data["contact"]), "role": form.cleaned_data["role"]}
        )
        try:
            services.deal_update(deal=deal, actor=request.user, changes={"contacts": contacts})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Contact added to the deal."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))


@login_required
@require_POST
def deal_contact_remove(request: HttpRequest, pk: int, contact_id: int) -> HttpResponse:
    deal = _scoped(request.user, pk)
    policy.require(request.user, "edit", deal)
    contacts = [c for c in _contact_roles(deal) if c["contact_id"] != contact_id]
    try:
        services.deal_update(deal=deal, actor=request.user, changes={"contacts": contacts})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Contact removed from the deal."))
    return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))


# ---- lead conversion -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lead_convert(request: HttpRequest, contact_id: int) -> HttpResponse:
    """ "Convert to deal" on a contact: a deal with the contact as decision maker, and the
    contact's lifecycle stage moves on (``lead_convert_to_deal``)."""
    contact = policy.get_object_or_404_scoped(
        request.user, Contact.objects.select_related("company"), pk=contact_id
    )
    if not policy.can(request.user, "edit", Deal):
        raise PermissionDenied(_("You are not allowed to create deals."))
    if request.method == "POST":
        form = forms.LeadConvertForm(request.POST, user=request.user)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["pipeline_id"] = int(data.pop("pipeline"))
            try:
                deal = services.lead_convert_to_deal(contact=contact, actor=request.user, data=data)
            except ValidationError as exc:
                for field, msgs in (
                    exc.message_dict.items()
                    if hasattr(exc, "error_dict")
                    else [(None, exc.messages)]
                ):
                    target = "pipeline" if field == "pipeline_id" else field
                    form.add_error(target if target in form.fields else None, msgs)
            else:
                messages.success(
                    request, _("Deal %(name)s created from the lead.") % {"name": deal.name}
                )
                return HttpResponseRedirect(reverse("sales:deal_detail", args=[deal.pk]))
        status = 400
    else:
        company = contact.company.name if contact.company else ""
        name = f"{company}: {contact.display_name}" if company else contact.display_name
        form = forms.LeadConvertForm(initial={"name": name}, user=request.user)
        status = 200
    return render(
        request, "sales/lead_convert.html", {"form": form, "contact": contact}, status=status
    )
