"""Input shapes of the sales pages (the rules live in ``accord.sales.services``).

``DealForm`` carries every editable deal field plus the custom fields; the create and edit
pages use all of them, inline editing on the 360° view one at a time (``only=[...]``).
The close forms ask what marking a deal won or lost needs; the board's filter form is the
HTML face of ``DealFilterSet`` parameters.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.contacts.forms import RecordForm, team_options, user_options
from accord.contacts.models import Company, Contact
from accord.core import policy
from accord.sales.models import (
    Deal,
    DealContactRole,
    DealKind,
    DealSource,
    ForecastCategory,
    LostReason,
    PeriodKind,
    Pipeline,
    Stage,
    StageKind,
)

DEAL_OBJECT_TYPE = "sales.deal"


def base_currency() -> str:
    from accord.sales.currency import base_currency as configured

    return configured()


def _blank(choices: Iterable[tuple[Any, Any]], label: Any = "—") -> list[tuple[Any, Any]]:
    return [("", label), *choices]


def company_options(user: Any, current: Any = None) -> list[tuple[str, str]]:
    options = [("", "—")]
    if user is None:
        return options
    scoped = policy.scope(user, Company.objects.all())
    options += [
        (str(pk), name)
        for pk, name in scoped.order_by("name", "id").values_list("pk", "name")[:500]
    ]
    if current and str(current) not in {v for v, _l in options}:
        name = scoped.filter(pk=current).values_list("name", flat=True).first()
        if name:
            options.append((str(current), name))
    return options


def stage_options(pipelines: Iterable[Pipeline]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Stages grouped by pipeline (an <optgroup> each)."""
    groups = []
    for pipeline in pipelines:
        stages = [(str(s.pk), s.name) for s in pipeline.stages.all() if not s.archived]
        groups.append((pipeline.name, stages))
    return groups


class DealForm(RecordForm):
    object_type = DEAL_OBJECT_TYPE
    service_names = {
        "owner": "owner_id",
        "team": "team_id",
        "company": "company_id",
        "pipeline": "pipeline_id",
        "stage": "stage_id",
    }

    name = forms.CharField(label=_("Name"), max_length=200)
    pipeline = forms.ChoiceField(label=_("Pipeline"))
    stage = forms.ChoiceField(label=_("Stage"))
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal(0), initial=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    company = forms.ChoiceField(label=_("Company"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=DealKind.choices, initial=DealKind.SALE)
    source = forms.ChoiceField(
        label=_("Source"), choices=_blank(DealSource.choices), required=False
    )
    forecast_category = forms.ChoiceField(
        label=_("Forecast category"),
        choices=ForecastCategory.choices,
        initial=ForecastCategory.PIPELINE,
    )
    next_step = forms.CharField(label=_("Next step"), max_length=255, required=False)
    next_step_due_date = forms.DateField(
        label=_("Next step due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accord.sales.policy import pipelines_usable

        pipelines = (
            list(
                pipelines_usable(user, Pipeline.objects.filter(archived=False)).prefetch_related(
                    "stages"
                )
            )
            if user is not None
            else []
        )
        if "pipeline" in self.fields:
            self.fields["pipeline"].choices = [(str(p.pk), p.name) for p in pipelines]  # type: ignore[attr-defined]
        if "stage" in self.fields:
            self.fields["stage"].choices = stage_options(pipelines)  # type: ignore[attr-defined]
        if "company" in self.fields:
            current = self.initial.get("company") or (
                self.data.get("company") if self.is_bound else None
            )
            self.fields["company"].choices = company_options(user, current)  # type: ignore[attr-defined]
        if "currency" in self.fields and not self.initial.get("currency"):
            self.fields["currency"].initial = base_currency()

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()

    @classmethod
    def initial_for(cls, deal: Deal, definitions: Any) -> dict[str, Any]:
        from accord.core import customfields

        initial: dict[str, Any] = {
            "name": deal.name,
            "pipeline": str(deal.pipeline_id),
            "stage": str(deal.stage_id),
            "amount": deal.amount,
            "currency": deal.currency,
            "expected_close_date": deal.expected_close_date,
            "company": str(deal.company_id) if deal.company_id else "",
            "owner": str(deal.owner_id) if deal.owner_id else "",
            "team": str(deal.team_id) if deal.team_id else "",
            "kind": deal.kind,
            "source": deal.source,
            "forecast_category": deal.forecast_category,
            "next_step": deal.next_step,
            "next_step_due_date": deal.next_step_due_date,
            "description": deal.description,
        }
        for definition in definitions:
            initial[customfields.form_field_name(definition.key)] = (deal.custom or {}).get(
                definition.key
            )
        return initial


class DealWonForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Final amount"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        help_text=_("What the customer signed for, in the deal's currency."),
    )


class DealLostForm(forms.Form):
    lost_reason = forms.ModelChoiceField(
        label=_("Reason"),
        queryset=LostReason.objects.filter(archived=False),
        empty_label=_("Choose a reason…"),
        error_messages={"required": _("Choose why the deal was lost.")},
    )
    lost_note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DealContactAddForm(forms.Form):
    contact = forms.ChoiceField(label=_("Contact"))
    role = forms.ChoiceField(
        label=_("Role"), choices=DealContactRole.choices, initial=DealContactRole.OTHER
    )

    def __init__(self, *args: Any, user: Any = None, company_id: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        scoped = policy.scope(user, Contact.objects.all())
        if company_id:
            scoped = scoped.filter(company_id=company_id)
        self.fields["contact"].choices = _blank(  # type: ignore[attr-defined]
            (str(pk), f"{first} {last}".strip() or email)
            for pk, first, last, email in scoped.order_by(
                "last_name", "first_name", "id"
            ).values_list("pk", "first_name", "last_name", "email")[:500]
        )


class LeadConvertForm(forms.Form):
    """ "Convert to deal" on a lead contact."""

    name = forms.CharField(label=_("Deal name"), max_length=200)
    pipeline = forms.ChoiceField(label=_("Pipeline"))
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal(0), initial=0
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    expected_close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from accord.sales.policy import pipelines_usable

        self.fields["pipeline"].choices = [  # type: ignore[attr-defined]
            (str(pk), name)
            for pk, name in pipelines_usable(user, Pipeline.objects.filter(archived=False))
            .order_by("order", "id")
            .values_list("pk", "name")
        ]
        self.fields["currency"].initial = base_currency()

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()


class BoardFilterForm(forms.Form):
    """The board's filters; the field names are ``DealFilterSet`` parameters."""

    owner_id = forms.ChoiceField(label=_("Owner"), required=False)
    team_id = forms.ChoiceField(label=_("Team"), required=False)
    expected_close_date__after = forms.DateField(
        label=_("Closing from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_close_date__before = forms.DateField(
        label=_("Closing until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    amount__gte = forms.DecimalField(
        label=_("Amount from"), required=False, widget=forms.NumberInput(attrs={"step": "any"})
    )
    amount__lte = forms.DecimalField(
        label=_("Amount up to"), required=False, widget=forms.NumberInput(attrs={"step": "any"})
    )
    is_stalled = forms.BooleanField(label=_("Stalled only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [  # type: ignore[attr-defined]
            ("", _("Anyone")),
            ("me", _("Me")),
            *user_options(),
        ]
        self.fields["team_id"].choices = [("", _("Any team")), *team_options()]  # type: ignore[attr-defined]


# ---- pipeline settings -----------------------------------------------------------------------


class PipelineForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    teams = forms.MultipleChoiceField(
        label=_("Limited to teams"),
        required=False,
        help_text=_("Leave empty to let every team use it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"].choices = team_options()  # type: ignore[attr-defined]


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100)
    rotting_days = forms.IntegerField(label=_("Stalled after (days)"), required=False, min_value=1)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices, initial=StageKind.OPEN)


class LostReasonForm(forms.Form):
    name = forms.CharField(label=_("Reason"), max_length=100)


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)
    rate = forms.DecimalField(
        label=_("Rate to base currency"), max_digits=20, decimal_places=10, min_value=Decimal(0)
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()


class TargetForm(forms.Form):
    owner = forms.ChoiceField(label=_("User"), required=False)
    team = forms.ChoiceField(label=_("Team"), required=False)
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    period_start = forms.DateField(
        label=_("Period start"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=18, decimal_places=2, min_value=Decimal(0)
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _blank(user_options())  # type: ignore[attr-defined]
        self.fields["team"].choices = _blank(team_options())  # type: ignore[attr-defined]
        self.fields["currency"].initial = base_currency()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("owner")) == bool(cleaned.get("team")):
            self.add_error("owner", _("Choose a user or a team, not both."))
        return cleaned


def stage_of(pk: Any) -> Stage | None:
    try:
        return Stage.objects.select_related("pipeline").get(pk=int(pk))
    except (TypeError, ValueError, Stage.DoesNotExist):
        return None


# ---- bulk actions of the deal list ------------------------------------------------------------


class BulkAssignOwnerForm(forms.Form):
    owner = forms.ChoiceField(label=_("New owner"))

    def __init__(self, user: Any, data: Any = None) -> None:
        super().__init__(data)
        self.fields["owner"].choices = _blank(user_options(), _("Choose…"))  # type: ignore[attr-defined]


class BulkMoveStageForm(forms.Form):
    stage = forms.ChoiceField(
        label=_("New stage"),
        help_text=_("Every selected deal must be in this stage's pipeline."),
    )

    def __init__(self, user: Any, data: Any = None) -> None:
        super().__init__(data)
        from accord.sales.policy import pipelines_usable

        pipelines = pipelines_usable(user, Pipeline.objects.filter(archived=False))
        groups: dict[str, list[tuple[str, str]]] = {}
        for pk, name, pipeline in (
            Stage.objects.filter(pipeline__in=pipelines, kind=StageKind.OPEN, archived=False)
            .order_by("pipeline__order", "pipeline_id", "order", "id")
            .values_list("pk", "name", "pipeline__name")
        ):
            groups.setdefault(pipeline, []).append((str(pk), name))
        self.fields["stage"].choices = _blank(list(groups.items()), _("Choose…"))  # type: ignore[attr-defined]

    def clean_stage(self) -> Stage:
        stage = stage_of(self.cleaned_data["stage"])
        if stage is None:
            raise forms.ValidationError(_("Choose a stage."))
        return stage
