"""Input shapes of the settings pages (users, teams, roles, audit log filters, explain)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import Membership, Role, Team, User
from accord.accounts.services import TeamMembership
from accord.core import audit, policy

NOT_MEMBER = ""
MEMBER = "member"
MANAGER = "manager"
MEMBERSHIP_CHOICES = [
    (NOT_MEMBER, _("Not a member")),
    (MEMBER, _("Member")),
    (MANAGER, _("Manager")),
]


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name (others at the top)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, messages in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)


class MembershipFieldsMixin(forms.Form):
    """One select per team: not a member / member / manager (field ``team_<id>``)."""

    def add_team_fields(self, teams: list[Team], current: dict[int, bool]) -> None:
        self.teams = teams
        for team in teams:
            name = f"team_{team.pk}"
            self.fields[name] = forms.ChoiceField(
                label=team.name, choices=MEMBERSHIP_CHOICES, required=False
            )
            if team.pk in current:
                self.initial[name] = MANAGER if current[team.pk] else MEMBER

    def team_fields(self) -> list[forms.BoundField]:
        return [self[f"team_{team.pk}"] for team in self.teams]

    def memberships(self) -> list[TeamMembership]:
        result = []
        for team in self.teams:
            value = self.cleaned_data.get(f"team_{team.pk}") or NOT_MEMBER
            if value != NOT_MEMBER:
                result.append(TeamMembership(team=team, is_manager=value == MANAGER))
        return result


class InviteForm(MembershipFieldsMixin):
    email = forms.EmailField(label=_("Email"), max_length=254)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.order_by("name"), empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_team_fields(list(Team.objects.order_by("name")), {})
        self.fields["role"].initial = Role.objects.filter(slug="sales-rep").first()


class UserEditForm(MembershipFieldsMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    role = forms.ModelChoiceField(
        label=_("Role"), queryset=Role.objects.order_by("name"), empty_label=None
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("full_name", user.full_name)
        self.initial.setdefault("role", user.role_id)
        current = dict(Membership.objects.filter(user=user).values_list("team_id", "is_manager"))
        self.add_team_fields(list(Team.objects.order_by("name")), current)


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class TeamMembersForm(forms.Form):
    """One select per active user: not a member / member / manager (field ``user_<id>``)."""

    def __init__(self, *args: Any, team: Team, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current = dict(Membership.objects.filter(team=team).values_list("user_id", "is_manager"))
        self.users = list(
            User.objects.filter(Q(is_active=True) | Q(pk__in=list(current))).order_by(
                "full_name", "email"
            )
        )
        for user in self.users:
            name = f"user_{user.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(user), choices=MEMBERSHIP_CHOICES, required=False
            )
            if user.pk in current:
                self.initial[name] = MANAGER if current[user.pk] else MEMBER

    def rows(self) -> list[tuple[User, forms.BoundField]]:
        return [(user, self[f"user_{user.pk}"]) for user in self.users]

    def members(self) -> dict[int, bool]:
        result = {}
        for user in self.users:
            value = self.cleaned_data.get(f"user_{user.pk}") or NOT_MEMBER
            if value != NOT_MEMBER:
                result[user.pk] = value == MANAGER
        return result


class RoleCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=50,
        required=False,
        help_text=_("Used by the command line and the API; made from the name when empty."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


SCOPE_CHOICES = [
    (policy.Scope.NONE.value, _("None")),
    (policy.Scope.OWN.value, _("Own")),
    (policy.Scope.TEAM.value, _("Team")),
    (policy.Scope.ALL.value, _("All")),
]


def scope_field_name(object_type: str, action: str) -> str:
    return f"scope__{object_type}__{action}"


def capability_field_name(name: str) -> str:
    return f"cap__{name}"


class RoleMatrixForm(forms.Form):
    """The role editor: a scope select per object type and action, a checkbox per capability."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, role: Role, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        matrix = policy.effective_matrix(role.slug, role.permissions or {})
        self.initial.setdefault("name", role.name)
        self.initial.setdefault("description", role.description)
        self.object_types = list(matrix["objects"])
        for object_type, row in matrix["objects"].items():
            for action in policy.ACTIONS:
                name = scope_field_name(object_type, action)
                self.fields[name] = forms.ChoiceField(
                    label=f"{object_type} {action}", choices=SCOPE_CHOICES
                )
                self.initial[name] = row[action]
        self.capability_names = list(matrix["capabilities"])
        for capability, granted in matrix["capabilities"].items():
            name = capability_field_name(capability)
            self.fields[name] = forms.BooleanField(
                label=str(policy.CAPABILITIES[capability]), required=False
            )
            self.initial[name] = granted

    def matrix_rows(self) -> list[dict[str, Any]]:
        rows = []
        for object_type in self.object_types:
            model = policy.policy_for(object_type).model
            rows.append(
                {
                    "object_type": object_type,
                    "label": str(model._meta.verbose_name_plural).capitalize(),
                    "cells": [self[scope_field_name(object_type, a)] for a in policy.ACTIONS],
                }
            )
        return rows

    def capability_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(name, self[capability_field_name(name)]) for name in self.capability_names]

    def matrix(self) -> dict[str, Any]:
        return {
            "objects": {
                object_type: {
                    action: self.cleaned_data[scope_field_name(object_type, action)]
                    for action in policy.ACTIONS
                }
                for object_type in self.object_types
            },
            "capabilities": {
                name: bool(self.cleaned_data.get(capability_field_name(name)))
                for name in self.capability_names
            },
        }


def object_type_choices() -> list[tuple[str, str]]:
    return [
        (name, f"{str(p.model._meta.verbose_name_plural).capitalize()} ({name})")
        for name, p in policy.object_types().items()
    ]


class AuditFilterForm(forms.Form):
    actor = forms.ModelChoiceField(
        label=_("Who"),
        queryset=User.objects.order_by("email"),
        required=False,
        empty_label=_("Anyone"),
    )
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=100)
    origin = forms.ChoiceField(
        label=_("How"), choices=[("", _("Any")), *list(audit.Origin.choices)], required=False
    )
    verb = forms.ChoiceField(
        label=_("What"), choices=[("", _("Any")), *list(audit.Verb.choices)], required=False
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Including this day."),
    )
    target_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    batch = forms.CharField(label=_("Batch"), required=False, max_length=64)

    def clean_object_type(self) -> str:
        value = str(self.cleaned_data.get("object_type") or "").strip().lower()
        if not value:
            return ""
        try:
            audit.content_type_for(value)
        except Exception:
            raise ValidationError(_("Unknown record type.")) from None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return data


class ExplainForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("User"), queryset=User.objects.order_by("email"), required=True
    )
    object_type = forms.ChoiceField(label=_("Record type"), choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["object_type"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("Every record type")),
            *list(object_type_choices()),
        ]
