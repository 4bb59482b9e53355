"""Input shapes of the shell's pages."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    names = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})
    return [(name, name.replace("_", " ")) for name in names]


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        required=False,
        help_text=_("Shown to your colleagues on records you own."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times are shown in this time zone."),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Language of the interface, and how numbers and money are written."),
    )
    theme = forms.ChoiceField(
        label=_("Theme"),
        widget=forms.RadioSelect,
        choices=[("auto", _("System")), ("light", _("Light")), ("dark", _("Dark"))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["language"].choices = list(settings.LANGUAGES)  # type: ignore[attr-defined]
