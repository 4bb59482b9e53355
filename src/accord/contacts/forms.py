"""Input shapes of the contact and company pages (the rules live in the services).

``ContactForm`` / ``CompanyForm`` carry every editable field plus the custom fields; the
create and edit pages use all of them and inline editing on the 360° view uses one field at a
time (``only=["job_title"]``). ``to_service_data`` turns cleaned data into the service payload
and ``add_service_errors`` puts a service's ``ValidationError`` back on the fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accord.contacts.models import (
    Company,
    CompanySize,
    Contact,
    LeadSource,
    LeadStatus,
    LifecycleStage,
)
from accord.core import customfields, policy
from accord.core.customfields import CustomFieldDefinition

CONTACT_OBJECT_TYPE = "contacts.contact"
COMPANY_OBJECT_TYPE = "contacts.company"


def _blank(choices: Iterable[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def user_options() -> list[tuple[str, str]]:
    from accord.accounts.models import User

    return [
        (str(pk), name or email)
        for pk, name, email in User.objects.filter(is_active=True)
        .order_by("full_name", "email")
        .values_list("pk", "full_name", "email")
    ]


def team_options() -> list[tuple[str, str]]:
    from accord.accounts.models import Team

    return [(str(pk), name) for pk, name in Team.objects.order_by("name").values_list("pk", "name")]


def split_tags(value: str) -> list[str]:
    return [t.strip() for t in (value or "").split(",") if t.strip()]


class RecordForm(forms.Form):
    """Shared behaviour: custom fields, a subset of fields, service payloads and errors."""

    object_type = ""
    # form field -> service key, for names that differ
    service_names: dict[str, str] = {"owner": "owner_id", "team": "team_id"}

    def __init__(
        self,
        *args: Any,
        definitions: Sequence[CustomFieldDefinition] | None = None,
        only: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if definitions is None:
            definitions = customfields.definitions_for(self.object_type)
        self.definitions = list(definitions)
        self.fields.update(customfields.form_fields(self.object_type, definitions=definitions))
        if "owner" in self.fields:
            self.fields["owner"].choices = _blank(user_options())  # type: ignore[attr-defined]
        if "team" in self.fields:
            self.fields["team"].choices = _blank(team_options())  # type: ignore[attr-defined]
        if only is not None:
            for name in list(self.fields):
                if name not in only:
                    del self.fields[name]

    def to_service_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        custom_names = {customfields.form_field_name(d.key) for d in self.definitions}
        for name, value in self.cleaned_data.items():
            if name in custom_names:
                continue
            key = self.service_names.get(name, name)
            if key.endswith("_id"):
                value = int(value) if value not in (None, "") else None
            elif name == "tags":
                value = split_tags(value)
            data[key] = value
        custom = customfields.values_from_form(self.cleaned_data, self.definitions)
        if custom:
            data["custom"] = custom
        return data

    def changed_service_data(self) -> dict[str, Any]:
        """The changes for an update service: only the fields the user changed, under their
        service names, with changed custom fields under ``custom``."""
        data = self.to_service_data()
        changed = set(self.changed_data)
        result: dict[str, Any] = {}
        for name in changed:
            if name.startswith("custom_"):
                continue
            key = self.service_names.get(name, name)
            if key in data:
                result[key] = data[key]
        custom = {
            d.key: data["custom"][d.key]
            for d in self.definitions
            if customfields.form_field_name(d.key) in changed and d.key in data.get("custom", {})
        }
        if custom:
            result["custom"] = custom
        return result

    def add_service_errors(self, exc: ValidationError) -> None:
        reverse_names = {v: k for k, v in self.service_names.items()}
        for name, messages in customfields.form_errors(exc).items():
            field = reverse_names.get(name, name)
            if field.startswith(("emails.", "email")):
                field = "email"
            elif field.startswith(("phones.", "phone")):
                field = "phone"
            elif field.startswith(("domains.", "domain")):
                field = "domain"
            elif field.startswith("tags"):
                field = "tags"
            if field not in self.fields:
                self.add_error(
                    None, [f"{name}: {m}" for m in messages] if name != "__all__" else messages
                )
            else:
                self.add_error(field, messages)


class ContactForm(RecordForm):
    object_type = CONTACT_OBJECT_TYPE
    service_names = {"owner": "owner_id", "team": "team_id", "company": "company_id"}

    first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    email = forms.CharField(
        label=_("Email"), max_length=254, required=False, widget=forms.EmailInput
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
        help_text=_("Any format; stored in international form."),
    )
    company = forms.IntegerField(label=_("Company"), required=False, widget=forms.Select)
    job_title = forms.CharField(label=_("Job title"), max_length=150, required=False)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"), choices=LifecycleStage.choices, initial=LifecycleStage.LEAD
    )
    lead_status = forms.ChoiceField(
        label=_("Lead status"), choices=_blank(LeadStatus.choices), required=False
    )
    lead_source = forms.ChoiceField(
        label=_("Lead source"), choices=_blank(LeadSource.choices), required=False
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    email_opt_in = forms.BooleanField(label=_("Email marketing opt-in"), required=False)
    email_opt_in_source = forms.CharField(label=_("Opt-in source"), max_length=100, required=False)
    do_not_contact = forms.BooleanField(label=_("Do not contact"), required=False)
    description = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "company" in self.fields:
            # the visible companies, by name (a long list becomes a search later)
            options = [("", "—")]
            if user is not None:
                options += [
                    (str(pk), name)
                    for pk, name in policy.scope(user, Company.objects.all())
                    .order_by("name", "id")
                    .values_list("pk", "name")[:500]
                ]
                current = self.initial.get("company") or (
                    self.data.get("company") if self.is_bound else None
                )
                if current and str(current) not in {v for v, _l in options}:
                    name = (
                        policy.scope(user, Company.objects.filter(pk=current))
                        .values_list("name", flat=True)
                        .first()
                    )
                    if name:
                        options.append((str(current), name))
            self.fields["company"].widget.choices = options

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        names = ("first_name", "last_name", "email", "phone")
        if all(name in self.fields for name in names) and not any(cleaned.get(n) for n in names):
            raise ValidationError(_("Enter at least a name, an email address or a phone number."))
        return cleaned

    @classmethod
    def initial_for(cls, contact: Contact, tags: Iterable[Any], definitions: Any) -> dict[str, Any]:
        initial = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
            "company": contact.company_id,
            "job_title": contact.job_title,
            "department": contact.department,
            "lifecycle_stage": contact.lifecycle_stage,
            "lead_status": contact.lead_status,
            "lead_source": contact.lead_source,
            "owner": contact.owner_id or "",
            "team": contact.team_id or "",
            "tags": ", ".join(t.name for t in tags),
            "birthday": contact.birthday,
            "email_opt_in": contact.email_opt_in,
            "email_opt_in_source": contact.email_opt_in_source,
            "do_not_contact": contact.do_not_contact,
            "description": contact.description,
        }
        initial.update(customfields.form_initial(contact.custom, definitions))
        return initial


class CompanyForm(RecordForm):
    object_type = COMPANY_OBJECT_TYPE

    name = forms.CharField(label=_("Name"), max_length=200)
    domain = forms.CharField(
        label=_("Domain"), max_length=253, required=False, help_text=_("e.g. acme.com")
    )
    website = forms.CharField(label=_("Website"), max_length=500, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    size = forms.ChoiceField(label=_("Size"), choices=_blank(CompanySize.choices), required=False)
    annual_revenue = forms.DecimalField(
        label=_("Annual revenue"), required=False, max_digits=18, decimal_places=2
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False, help_text=_("ISO code, e.g. EUR")
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, company: Company, tags: Iterable[Any], definitions: Any) -> dict[str, Any]:
        initial = {
            "name": company.name,
            "domain": company.domain,
            "website": company.website,
            "phone": company.phone,
            "industry": company.industry,
            "size": company.size,
            "annual_revenue": company.annual_revenue,
            "currency": company.currency,
            "owner": company.owner_id or "",
            "team": company.team_id or "",
            "tags": ", ".join(t.name for t in tags),
            "description": company.description,
        }
        initial.update(customfields.form_initial(company.custom, definitions))
        return initial


# ---- bulk action options ------------------------------------------------------------------


class BulkAssignOwnerForm(forms.Form):
    owner = forms.ChoiceField(label=_("New owner"))
    team = forms.ChoiceField(
        label=_("Also move to team"),
        required=False,
        help_text=_("Leave empty to keep each record's team."),
    )

    def __init__(self, user: Any, data: Any = None) -> None:
        super().__init__(data)
        self.fields["owner"].choices = _blank(user_options(), _("Choose…"))  # type: ignore[attr-defined]
        self.fields["team"].choices = _blank(team_options())  # type: ignore[attr-defined]


class BulkStageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New lifecycle stage"), choices=LifecycleStage.choices)

    def __init__(self, user: Any, data: Any = None) -> None:
        super().__init__(data)


class BulkTagsForm(forms.Form):
    tags = forms.CharField(label=_("Tags"), help_text=_("Separate tags with commas."))

    def __init__(self, user: Any, data: Any = None) -> None:
        super().__init__(data)

    def clean_tags(self) -> list[str]:
        names = split_tags(self.cleaned_data["tags"])
        if not names:
            raise ValidationError(_("Enter at least one tag."))
        return names


class MergeSearchForm(forms.Form):
    other = forms.IntegerField(label=_("Record to merge"), widget=forms.HiddenInput)
