"""Pages of contacts and companies: lists, create/edit, the 360° views with inline editing,
delete, merge, duplicates, vCard, data export and erasure.

Thin adapters (principle 1): reads through the selectors and ``policy``; every write through
``accord.contacts.services``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.contacts import forms, selectors, services
from accord.contacts.listing import stage_badge
from accord.contacts.models import Company, Contact, LifecycleStage
from accord.core import customfields, policy
from accord.core.customfields import CustomFieldDefinition
from accord.core.htmx import is_htmx
from accord.lists import registry as lists_registry
from accord.lists.columns import display
from accord.lists.views import list_page

CONTACT = "contacts.contact"
COMPANY = "contacts.company"


# ---- lists ---------------------------------------------------------------------------------


@login_required
@require_GET
def contact_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, lists_registry.get(CONTACT))


@login_required
@require_GET
def company_list(request: HttpRequest) -> HttpResponse:
    return list_page(request, lists_registry.get(COMPANY))


# ---- helpers -------------------------------------------------------------------------------


def _empty() -> str:
    return format_html('<span class="prop-empty">{}</span>', _("Empty"))


def _custom_display(definition: CustomFieldDefinition, custom: dict[str, Any]) -> str:
    from accord.lists.columns import custom_columns

    column = custom_columns([definition])[0]
    text = display(column.value(type("Row", (), {"custom": custom})()))
    return format_html("{}", text) if text else _empty()


def _value(text: Any) -> str:
    shown = display(text)
    return format_html("{}", shown) if shown else _empty()


def _emails_html(emails: Sequence[Any]) -> str:
    if not emails:
        return _empty()
    return format_html_join(
        "",
        '<div class="prop-line"><a href="mailto:{}">{}</a>{}</div>',
        (
            (
                e.email,
                e.email,
                format_html(' <span class="muted small">{}</span>', e.get_kind_display())
                if not e.is_primary
                else "",
            )
            for e in emails
        ),
    )


def _phones_html(phones: Sequence[Any]) -> str:
    if not phones:
        return _empty()
    return format_html_join(
        "",
        '<div class="prop-line"><a href="tel:{}">{}</a> <span class="muted small">{}</span></div>',
        ((p.number, p.original or p.number, p.get_kind_display()) for p in phones),
    )


def _tags_html(tags: Sequence[Any]) -> str:
    if not tags:
        return _empty()
    return format_html_join("", '<span class="tag">{}</span> ', ((t.name,) for t in tags))


def _user_name(user: Any) -> str:
    return (user.full_name or user.email) if user is not None else ""


def contact_properties(
    detail: selectors.ContactDetail, definitions: Sequence[CustomFieldDefinition]
) -> list[dict[str, Any]]:
    """The editable properties of the profile card: name, label, display HTML."""
    c = detail.contact
    company = (
        format_html(
            '<a href="{}">{}</a>',
            reverse("contacts:company_detail", args=[c.company_id]),
            c.company.name,
        )
        if c.company is not None
        else _empty()
    )
    rows = [
        ("first_name", _("First name"), _value(c.first_name)),
        ("last_name", _("Last name"), _value(c.last_name)),
        ("email", _("Email"), _emails_html(detail.emails)),
        ("phone", _("Phone"), _phones_html(detail.phones)),
        ("company", _("Company"), company),
        ("job_title", _("Job title"), _value(c.job_title)),
        ("department", _("Department"), _value(c.department)),
        (
            "lifecycle_stage",
            _("Lifecycle stage"),
            stage_badge(c.lifecycle_stage, c.get_lifecycle_stage_display()),
        ),
        ("lead_status", _("Lead status"), _value(c.get_lead_status_display())),
        ("lead_source", _("Lead source"), _value(c.get_lead_source_display())),
        ("owner", _("Owner"), _value(_user_name(c.owner))),
        ("team", _("Team"), _value(c.team.name if c.team else "")),
        ("tags", _("Tags"), _tags_html(detail.tags)),
        ("birthday", _("Birthday"), _value(c.birthday)),
        ("description", _("Notes"), _value(c.description)),
    ]
    result: list[dict[str, Any]] = [
        {"name": n, "label": label, "html": html} for n, label, html in rows
    ]
    opt_in = (
        format_html(
            '<span class="badge badge-success">{}</span> <span class="muted small">{}</span>',
            _("Opted in"),
            display(c.email_opt_in_at) if c.email_opt_in_at else "",
        )
        if c.email_opt_in
        else format_html('<span class="badge">{}</span>', _("Not opted in"))
    )
    dnc = (
        format_html('<span class="badge badge-danger">{}</span>', _("Do not contact"))
        if c.do_not_contact
        else format_html('<span class="muted">{}</span>', _("Contact allowed"))
    )
    for name, label, html in (
        ("email_opt_in", _("Email marketing"), opt_in),
        ("email_opt_in_source", _("Opt-in source"), _value(c.email_opt_in_source)),
        ("do_not_contact", _("Do not contact"), dnc),
    ):
        result.append({"name": name, "label": label, "html": html, "group": "consent"})
    for definition in definitions:
        result.append(
            {
                "name": customfields.form_field_name(definition.key),
                "label": definition.label,
                "html": _custom_display(definition, c.custom or {}),
                "custom": True,
            }
        )
    return result


def company_properties(
    detail: selectors.CompanyDetail, definitions: Sequence[CustomFieldDefinition]
) -> list[dict[str, Any]]:
    c = detail.company
    domains = (
        format_html_join(
            "",
            '<div class="prop-line">'
            '<a href="https://{}" rel="noopener" target="_blank">{}</a></div>',
            ((d.domain, d.domain) for d in detail.domains),
        )
        if detail.domains
        else _empty()
    )
    website = (
        format_html('<a href="{}" rel="noopener" target="_blank">{}</a>', c.website, c.website)
        if c.website
        else _empty()
    )
    revenue = f"{c.annual_revenue} {c.currency}".strip() if c.annual_revenue is not None else ""
    rows = [
        ("name", _("Name"), _value(c.name)),
        ("domain", _("Domains"), domains),
        ("website", _("Website"), website),
        ("phone", _("Phone"), _phones_html(detail.phones)),
        ("industry", _("Industry"), _value(c.industry)),
        ("size", _("Size"), _value(c.get_size_display())),
        ("annual_revenue", _("Annual revenue"), _value(revenue)),
        ("owner", _("Owner"), _value(_user_name(c.owner))),
        ("team", _("Team"), _value(c.team.name if c.team else "")),
        ("tags", _("Tags"), _tags_html(detail.tags)),
        ("description", _("Description"), _value(c.description)),
    ]
    result: list[dict[str, Any]] = [
        {"name": n, "label": label, "html": html} for n, label, html in rows
    ]
    for definition in definitions:
        result.append(
            {
                "name": customfields.form_field_name(definition.key),
                "label": definition.label,
                "html": _custom_display(definition, c.custom or {}),
                "custom": True,
            }
        )
    return result


def _panels(request: HttpRequest, panels: Sequence[Any], obj: Any) -> list[dict[str, Any]]:
    """Render each registered record panel; one that fails shows an error, not a 500."""
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


# ---- contacts: create, edit ----------------------------------------------------------------


def _contact_initial_from_query(request: HttpRequest) -> dict[str, Any]:
    initial: dict[str, Any] = {"owner": str(request.user.pk)}
    company = request.GET.get("company")
    if company and company.isdigit():
        initial["company"] = company
    teams = sorted(policy.access_for(request.user).team_ids)
    if len(teams) == 1:
        initial["team"] = str(teams[0])
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "edit", Contact):
        raise PermissionDenied(_("You are not allowed to create contacts."))
    definitions = customfields.definitions_for(CONTACT)
    duplicates: list[Any] = []
    if request.method == "POST":
        form = forms.ContactForm(request.POST, user=request.user, definitions=definitions)
        if form.is_valid():
            data = form.to_service_data()
            duplicates = selectors.contact_duplicates_for(data, user=request.user, limit=5)
            if duplicates and request.POST.get("confirm_duplicate") != "1":
                return render(
                    request,
                    "contacts/contact_form.html",
                    {"form": form, "duplicates": duplicates, "creating": True},
                    status=409,
                )
            try:
                contact = services.contact_create(actor=request.user, data=data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Contact %(name)s created.") % {"name": contact.display_name}
                )
                return HttpResponseRedirect(reverse("contacts:contact_detail", args=[contact.pk]))
        status = 400
    else:
        form = forms.ContactForm(
            initial=_contact_initial_from_query(request), user=request.user, definitions=definitions
        )
        status = 200
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.contact_detail(request.user, pk)
    contact = detail.contact
    policy.require(request.user, "edit", contact)
    definitions = customfields.definitions_for(CONTACT)
    initial = forms.ContactForm.initial_for(contact, detail.tags, definitions)
    if request.method == "POST":
        form = forms.ContactForm(
            request.POST, initial=initial, user=request.user, definitions=definitions
        )
        if form.is_valid():
            try:
                services.contact_update(
                    contact=contact, actor=request.user, changes=form.changed_service_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("contacts:contact_detail", args=[contact.pk]))
        status = 400
    else:
        form = forms.ContactForm(initial=initial, user=request.user, definitions=definitions)
        status = 200
    return render(
        request,
        "contacts/contact_form.html",
        {"form": form, "contact": contact, "creating": False},
        status=status,
    )


# ---- contacts: the 360° view ---------------------------------------------------------------


@login_required
@require_GET
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.contact_detail(request.user, pk)
    definitions = customfields.definitions_for(CONTACT)
    tab = request.GET.get("tab", "overview")
    context = {
        "detail": detail,
        "contact": detail.contact,
        "properties": contact_properties(detail, definitions),
        "panels": _panels(request, detail.panels, detail.contact) if tab == "overview" else [],
        "tab": "history" if tab == "history" else "overview",
        "field_url_name": "contacts:contact_field",
        "editable": detail.can_edit,
        "stages": LifecycleStage.choices,
        "can_merge": policy.has_capability(request.user, "merge"),
        "can_erase": policy.has_capability(request.user, "erase_personal_data"),
    }
    return render(request, "contacts/contact_detail.html", context)


def _inline_response(
    request: HttpRequest,
    template: str,
    record: Any,
    prop: dict[str, Any] | None,
    form: Any,
    name: str,
    status: int = 200,
    editable: bool = True,
) -> HttpResponse:
    partial = "prop_form" if form is not None else "prop_row"
    kind = "contact" if isinstance(record, Contact) else "company"
    context = {
        "field_url_name": f"contacts:{kind}_field",
        "record": record,
        "prop": prop,
        "form": form,
        "field": form[name] if form is not None else None,
        "name": name,
        "editable": editable,
    }
    return render(request, f"contacts/includes/props.html#{partial}", context, status=status)


def _find(props: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for prop in props:
        if prop["name"] == name:
            return prop
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def contact_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """Inline editing of one field of the 360° view: GET ``?edit=1`` gives the field's form,
    GET without it the read-only row (cancel), POST saves through ``contact_update``."""
    detail = selectors.contact_detail(request.user, pk)
    definitions = customfields.definitions_for(CONTACT)
    props = contact_properties(detail, definitions)
    prop = _find(props, name)
    contact = detail.contact
    template = "contacts/contact_detail.html"
    if request.method == "GET" and not request.GET.get("edit"):
        return _inline_response(
            request, template, contact, prop, None, name, editable=detail.can_edit
        )
    policy.require(request.user, "edit", contact)
    initial = forms.ContactForm.initial_for(contact, detail.tags, definitions)
    if request.method == "GET":
        form = forms.ContactForm(
            initial=initial, user=request.user, definitions=definitions, only=[name]
        )
        return _inline_response(request, template, contact, prop, form, name)
    form = forms.ContactForm(
        request.POST, initial=initial, user=request.user, definitions=definitions, only=[name]
    )
    if form.is_valid():
        try:
            services.contact_update(
                contact=contact, actor=request.user, changes=form.changed_service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            detail = selectors.contact_detail(request.user, pk)
            prop = _find(contact_properties(detail, definitions), name)
            response = _inline_response(request, template, detail.contact, prop, None, name)
            response["HX-Trigger"] = json.dumps({"accord:record-changed": {"id": pk}})
            return response
    return _inline_response(request, template, contact, prop, form, name, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policy.get_object_or_404_scoped(request.user, Contact, "delete", pk=pk)
    if request.method == "POST":
        name = contact.display_name
        services.contact_delete(contact=contact, actor=request.user)
        messages.success(request, _("Contact %(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(reverse("contacts:contact_list"))
    return render(
        request,
        "contacts/record_delete.html",
        {
            "record": contact,
            "title": contact.display_name,
            "cancel_url": reverse("contacts:contact_detail", args=[pk]),
            "kind": _("contact"),
        },
    )


# ---- merge ---------------------------------------------------------------------------------

CONTACT_MERGE_ROWS = [
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("job_title", "job_title"),
    ("department", "department"),
    ("company_id", "company"),
    ("lifecycle_stage", "lifecycle_stage"),
    ("lead_status", "lead_status"),
    ("lead_source", "lead_source"),
    ("owner_id", "owner"),
    ("team_id", "team"),
    ("birthday", "birthday"),
    ("email_opt_in", "email_opt_in"),
    ("do_not_contact", "do_not_contact"),
    ("description", "description"),
]


def _merge_value(record: Any, attr: str) -> str:
    value = getattr(record, attr, None)
    getter = getattr(record, f"get_{attr}_display", None)
    if callable(getter) and value:
        return str(getter())
    if attr in ("owner", "team") and value is not None:
        return str(getattr(value, "full_name", "") or value)
    return display(value) if value not in (None, "") else ""


COMPANY_MERGE_ROWS = [
    ("name", "name"),
    ("domain", "domain"),
    ("phone", "phone"),
    ("website", "website"),
    ("industry", "industry"),
    ("size", "size"),
    ("annual_revenue", "annual_revenue"),
    ("currency", "currency"),
    ("parent_id", "parent"),
    ("owner_id", "owner"),
    ("team_id", "team"),
    ("description", "description"),
]


@dataclass(frozen=True)
class MergeKind:
    model: type[Any]
    rows: list[tuple[str, str]]
    merge: Any
    duplicates_for: Any
    detail_url_name: str
    related: tuple[str, ...]

    def candidates_query(self, record: Any) -> dict[str, Any]:
        if self.model is Contact:
            return {
                "first_name": record.first_name,
                "last_name": record.last_name,
                "email": record.email,
                "phone": record.phone,
                "company_id": record.company_id,
            }
        return {"name": record.name, "domain": record.domain}


def _merge_kinds() -> dict[str, MergeKind]:
    return {
        "contact": MergeKind(
            Contact,
            CONTACT_MERGE_ROWS,
            services.contact_merge,
            selectors.contact_duplicates_for,
            "contacts:contact_detail",
            ("company", "owner", "team"),
        ),
        "company": MergeKind(
            Company,
            COMPANY_MERGE_ROWS,
            services.company_merge,
            selectors.company_duplicates_for,
            "contacts:company_detail",
            ("parent", "owner", "team"),
        ),
    }


def _title(record: Any) -> str:
    return str(getattr(record, "display_name", None) or record)


def _merge_page(request: HttpRequest, kind_name: str, pk: int) -> HttpResponse:
    """Choose the other record (``?other=<id>``), then pick each field's value; the record
    of this page stays (the primary) and absorbs the other."""
    kind = _merge_kinds()[kind_name]
    policy.require_capability(request.user, "merge")
    queryset = kind.model.objects.select_related(*kind.related)
    primary = policy.get_object_or_404_scoped(request.user, queryset, "edit", pk=pk)
    other_id = request.POST.get("other") or request.GET.get("other")
    other = None
    if other_id:
        other = policy.get_object_or_404_scoped(request.user, queryset, "edit", pk=other_id)
        if other.pk == primary.pk:
            raise Http404
    if request.method == "POST" and other is not None:
        choices: dict[str, Any] = {}
        for key, _attr in kind.rows:
            choice = request.POST.get(f"choice_{key}")
            if choice in ("primary", "other"):
                choices[key] = other.pk if choice == "other" else primary.pk
        try:
            kind.merge(primary=primary, others=[other], field_choices=choices, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Merged into %(name)s. The other record is gone; its history stays here.")
                % {"name": _title(primary)},
            )
            return HttpResponseRedirect(reverse(kind.detail_url_name, args=[primary.pk]))
    rows = []
    if other is not None:
        for key, attr in kind.rows:
            mine, theirs = _merge_value(primary, attr), _merge_value(other, attr)
            rows.append(
                {
                    "key": key,
                    "label": getattr(kind.model._meta.get_field(attr), "verbose_name", attr),
                    "primary": mine,
                    "other": theirs,
                    "differ": mine != theirs,
                    "default_other": not mine and bool(theirs),
                }
            )
    candidates = kind.duplicates_for(
        kind.candidates_query(primary), user=request.user, exclude_id=primary.pk, limit=10
    )
    return render(
        request,
        "contacts/record_merge.html",
        {
            "primary": primary,
            "other": other,
            "primary_title": _title(primary),
            "other_title": _title(other) if other is not None else "",
            "rows": rows,
            "candidates": candidates,
            "detail_url_name": kind.detail_url_name,
            "kind": kind_name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def contact_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _merge_page(request, "contact", pk)


@login_required
@require_http_methods(["GET", "POST"])
def company_merge(request: HttpRequest, pk: int) -> HttpResponse:
    return _merge_page(request, "company", pk)


def _duplicates_page(request: HttpRequest, object_type: str) -> HttpResponse:
    pairs = selectors.duplicate_candidates(request.user, object_type, limit=100)
    rows = [
        {
            "pair": pair,
            "reasons": [selectors.reason_label(r) for r in pair.reasons],
            "percent": round(pair.score * 100),
        }
        for pair in pairs
    ]
    is_contact = object_type == CONTACT
    return render(
        request,
        "contacts/record_duplicates.html",
        {
            "rows": rows,
            "can_merge": policy.has_capability(request.user, "merge"),
            "is_contact": is_contact,
            "detail_url_name": "contacts:contact_detail"
            if is_contact
            else "contacts:company_detail",
            "merge_url_name": "contacts:contact_merge" if is_contact else "contacts:company_merge",
            "list_url_name": "contacts:contact_list" if is_contact else "contacts:company_list",
        },
    )


@login_required
@require_GET
def contact_duplicates(request: HttpRequest) -> HttpResponse:
    return _duplicates_page(request, CONTACT)


@login_required
@require_GET
def company_duplicates(request: HttpRequest) -> HttpResponse:
    return _duplicates_page(request, COMPANY)


# ---- standards and privacy -----------------------------------------------------------------


@login_required
@require_GET
def contact_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policy.get_object_or_404_scoped(request.user, Contact, pk=pk)
    version = "3.0" if request.GET.get("version") == "3.0" else "4.0"
    text = services.contact_vcard_export(actor=request.user, ids=[contact.pk], version=version)
    response = HttpResponse(text, content_type="text/vcard; charset=utf-8")
    filename = f"contact-{contact.pk}.vcf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def contact_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    contact = policy.get_object_or_404_scoped(request.user, Contact, pk=pk)
    data = services.contact_data_export(contact=contact, actor=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a contact's personal data; the user types the contact's name to confirm."""
    policy.require_capability(request.user, "erase_personal_data")
    contact = policy.get_object_or_404_scoped(request.user, Contact, pk=pk)
    expected = contact.display_name
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != expected:
            error = _("Type the name exactly as shown to confirm.")
        else:
            services.contact_erase(contact=contact, actor=request.user)
            messages.success(request, _("The contact's personal data has been erased."))
            return HttpResponseRedirect(reverse("contacts:contact_detail", args=[pk]))
    return render(
        request,
        "contacts/contact_erase.html",
        {"contact": contact, "expected": expected, "error": error},
        status=400 if error else 200,
    )


# ---- companies -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def company_create(request: HttpRequest) -> HttpResponse:
    if not policy.can(request.user, "edit", Company):
        raise PermissionDenied(_("You are not allowed to create companies."))
    definitions = customfields.definitions_for(COMPANY)
    duplicates: list[Any] = []
    if request.method == "POST":
        form = forms.CompanyForm(request.POST, user=request.user, definitions=definitions)
        if form.is_valid():
            data = form.to_service_data()
            duplicates = selectors.company_duplicates_for(data, user=request.user, limit=5)
            if duplicates and request.POST.get("confirm_duplicate") != "1":
                return render(
                    request,
                    "contacts/company_form.html",
                    {"form": form, "duplicates": duplicates, "creating": True},
                    status=409,
                )
            try:
                company = services.company_create(actor=request.user, data=data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Company %(name)s created.") % {"name": company.name})
                return HttpResponseRedirect(reverse("contacts:company_detail", args=[company.pk]))
        status = 400
    else:
        initial: dict[str, Any] = {"owner": str(request.user.pk)}
        teams = sorted(policy.access_for(request.user).team_ids)
        if len(teams) == 1:
            initial["team"] = str(teams[0])
        form = forms.CompanyForm(initial=initial, user=request.user, definitions=definitions)
        status = 200
    return render(
        request,
        "contacts/company_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def company_edit(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.company_detail(request.user, pk)
    company = detail.company
    policy.require(request.user, "edit", company)
    definitions = customfields.definitions_for(COMPANY)
    initial = forms.CompanyForm.initial_for(company, detail.tags, definitions)
    if request.method == "POST":
        form = forms.CompanyForm(
            request.POST, initial=initial, user=request.user, definitions=definitions
        )
        if form.is_valid():
            try:
                services.company_update(
                    company=company, actor=request.user, changes=form.changed_service_data()
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Changes saved."))
                return HttpResponseRedirect(reverse("contacts:company_detail", args=[company.pk]))
        status = 400
    else:
        form = forms.CompanyForm(initial=initial, user=request.user, definitions=definitions)
        status = 200
    return render(
        request,
        "contacts/company_form.html",
        {"form": form, "company": company, "creating": False},
        status=status,
    )


@login_required
@require_GET
def company_detail(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.company_detail(request.user, pk)
    definitions = customfields.definitions_for(COMPANY)
    tab = request.GET.get("tab", "overview")
    context = {
        "detail": detail,
        "company": detail.company,
        "properties": company_properties(detail, definitions),
        "panels": _panels(request, detail.panels, detail.company) if tab == "overview" else [],
        "tab": "history" if tab == "history" else "overview",
        "field_url_name": "contacts:company_field",
        "editable": detail.can_edit,
        "can_merge": policy.has_capability(request.user, "merge"),
    }
    return render(request, "contacts/company_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def company_field(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    detail = selectors.company_detail(request.user, pk)
    definitions = customfields.definitions_for(COMPANY)
    prop = _find(company_properties(detail, definitions), name)
    company = detail.company
    template = "contacts/company_detail.html"
    if request.method == "GET" and not request.GET.get("edit"):
        return _inline_response(
            request, template, company, prop, None, name, editable=detail.can_edit
        )
    policy.require(request.user, "edit", company)
    initial = forms.CompanyForm.initial_for(company, detail.tags, definitions)
    if request.method == "GET":
        form = forms.CompanyForm(
            initial=initial, user=request.user, definitions=definitions, only=[name]
        )
        return _inline_response(request, template, company, prop, form, name)
    form = forms.CompanyForm(
        request.POST, initial=initial, user=request.user, definitions=definitions, only=[name]
    )
    if form.is_valid():
        try:
            services.company_update(
                company=company, actor=request.user, changes=form.changed_service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            detail = selectors.company_detail(request.user, pk)
            prop = _find(company_properties(detail, definitions), name)
            return _inline_response(request, template, detail.company, prop, None, name)
    return _inline_response(request, template, company, prop, form, name, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def company_delete(request: HttpRequest, pk: int) -> HttpResponse:
    company = policy.get_object_or_404_scoped(request.user, Company, "delete", pk=pk)
    if request.method == "POST":
        name = company.name
        try:
            services.company_delete(company=company, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(reverse("contacts:company_detail", args=[pk]))
        messages.success(request, _("Company %(name)s deleted.") % {"name": name})
        return HttpResponseRedirect(reverse("contacts:company_list"))
    return render(
        request,
        "contacts/record_delete.html",
        {
            "record": company,
            "title": company.name,
            "cancel_url": reverse("contacts:company_detail", args=[pk]),
            "kind": _("company"),
        },
    )


@login_required
@require_POST
def contact_stage_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The stage bar of the 360° view: move the contact to a lifecycle stage."""
    contact = policy.get_object_or_404_scoped(request.user, Contact, pk=pk)
    try:
        services.contact_set_lifecycle_stage(
            contact=contact, stage=request.POST.get("stage", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("contacts:contact_detail", args=[pk])
    if is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)
