"""Input shape of the API token page."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.accounts.models import ApiToken

EXPIRY_CHOICES = [
    ("", _("Never")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. “Nightly export”."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[
            (ApiToken.SCOPE_READ, _("Read: may only read (GET)")),
            (ApiToken.SCOPE_WRITE, _("Read and write: may change everything you may change")),
        ],
        initial=ApiToken.SCOPE_READ,
        widget=forms.RadioSelect,
    )
    expires_in = forms.ChoiceField(
        label=_("Expires"), choices=EXPIRY_CHOICES, required=False, initial=""
    )

    def expires_at(self) -> datetime | None:
        days = self.cleaned_data.get("expires_in") or ""
        return timezone.now() + timedelta(days=int(days)) if days else None
