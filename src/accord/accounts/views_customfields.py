"""Custom fields admin (``manage_settings``): per record type, list / create / edit /
archive / restore definitions through the ``custom_field_*`` services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.views_settings import _actor, manage_settings
from accord.core import customfields, policy
from accord.core.customfields import CustomFieldDefinition, FieldType


def custom_field_types() -> list[tuple[str, str]]:
    """Registered record types whose model has custom fields: (object type, label)."""
    result = []
    for name, type_policy in policy.object_types().items():
        if customfields.has_custom_fields(name):
            label = str(type_policy.model._meta.verbose_name_plural).capitalize()
            result.append((name, label))
    return result


def _require_type(object_type: str) -> str:
    if object_type not in dict(custom_field_types()):
        raise Http404(_("This record type has no custom fields."))
    return object_type


def parse_options(text: str) -> list[dict[str, str]]:
    """One option per line: ``value`` or ``value | Label``."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        value, _sep, label = line.partition("|")
        options.append({"value": value.strip(), "label": label.strip() or value.strip()})
    return options


def format_options(options: list[dict[str, str]]) -> str:
    lines = []
    for option in options or []:
        value, label = option.get("value", ""), option.get("label", "")
        lines.append(value if label in ("", value) else f"{value} | {label}")
    return "\n".join(lines)


def _default_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and "amount" in value:
        return f"{value['amount']} {value.get('currency', '')}".strip()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class CustomFieldForm(forms.Form):
    label = forms.CharField(label=gettext_lazy("Label"), max_length=200)
    key = forms.CharField(
        label=gettext_lazy("Key"),
        max_length=63,
        help_text=gettext_lazy(
            "The name in the API, imports and exports: lower-case letters, digits and "
            "underscores. It never changes."
        ),
    )
    field_type = forms.ChoiceField(label=gettext_lazy("Type"), choices=FieldType.choices)
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=500, required=False)
    options = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "gold | Gold\nsilver | Silver"}),
        help_text=gettext_lazy(
            "Select fields only. One option per line: value, or value | label. Values cannot "
            "contain commas."
        ),
    )
    currency = forms.CharField(
        label=gettext_lazy("Currency"),
        max_length=3,
        required=False,
        help_text=gettext_lazy("Currency fields only: the ISO code used when none is given."),
    )
    default = forms.CharField(
        label=gettext_lazy("Default"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Filled in on new records when no value is given."),
    )
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False)
    unique = forms.BooleanField(
        label=gettext_lazy("Unique"),
        required=False,
        help_text=gettext_lazy("No two records may have the same value."),
    )
    order = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, required=False)

    def __init__(self, *args: Any, definition: CustomFieldDefinition | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.definition = definition
        if definition is not None:
            self.fields["key"].disabled = True
            self.fields["key"].required = False
            self.initial.update(
                {
                    "label": definition.label,
                    "key": definition.key,
                    "field_type": definition.field_type,
                    "help_text": definition.help_text,
                    "options": format_options(definition.options),
                    "currency": definition.currency,
                    "default": _default_text(definition.default),
                    "required": definition.required,
                    "unique": definition.unique,
                    "order": definition.order,
                }
            )

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        default = data.get("default")
        values: dict[str, Any] = {
            "label": data["label"],
            "field_type": data["field_type"],
            "help_text": data.get("help_text") or "",
            "options": parse_options(data.get("options") or ""),
            "currency": (data.get("currency") or "").strip(),
            "default": default if default not in (None, "") else None,
            "required": bool(data.get("required")),
            "unique": bool(data.get("unique")),
        }
        if data.get("order") is not None:
            values["order"] = data["order"]
        return values


def add_definition_errors(form: CustomFieldForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, messages_ in exc.message_dict.items():
        target: str | None = name
        prefix = ""
        if name.startswith("options."):
            target = "options"
            index = name.partition(".")[2]
            if index.isdigit():
                prefix = _("Line %(line)d: ") % {"line": int(index) + 1}
        if target not in form.fields or form.fields[target].disabled:
            target = None
        for message in messages_:
            form.add_error(target, prefix + message)


@manage_settings
@require_GET
def customfield_list(request: HttpRequest) -> HttpResponse:
    types = custom_field_types()
    object_type = request.GET.get("object_type") or (types[0][0] if types else "")
    if object_type:
        _require_type(object_type)
    definitions = (
        customfields.definitions_for(object_type, include_archived=True) if object_type else []
    )
    return render(
        request,
        "accounts/settings/customfield_list.html",
        {
            "types": types,
            "object_type": object_type,
            "type_label": dict(types).get(object_type, ""),
            "definitions": definitions,
        },
    )


@manage_settings
@require_http_methods(["GET", "POST"])
def customfield_create(request: HttpRequest, object_type: str) -> HttpResponse:
    _require_type(object_type)
    form = CustomFieldForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                definition = customfields.custom_field_create(
                    actor=_actor(request),
                    object_type=object_type,
                    key=form.cleaned_data["key"].strip(),
                    **form.settings(),
                )
            except ValidationError as exc:
                add_definition_errors(form, exc)
            else:
                messages.success(
                    request, _("Added the field %(label)s.") % {"label": definition.label}
                )
                return redirect(f"{_list_url()}?object_type={object_type}")
    return render(
        request,
        "accounts/settings/customfield_form.html",
        {
            "form": form,
            "object_type": object_type,
            "type_label": dict(custom_field_types())[object_type],
            "definition": None,
        },
        status=status,
    )


def _list_url() -> str:
    return reverse("settings:customfield_list")


@manage_settings
@require_http_methods(["GET", "POST"])
def customfield_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=field_id)
    form = CustomFieldForm(request.POST or None, definition=definition)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = {
                name: value
                for name, value in form.settings().items()
                if getattr(definition, name) != value
            }
            try:
                customfields.custom_field_update(
                    actor=_actor(request), definition=definition, **changes
                )
            except ValidationError as exc:
                add_definition_errors(form, exc)
            else:
                messages.success(
                    request, _("Saved the field %(label)s.") % {"label": form.cleaned_data["label"]}
                )
                return redirect(f"{_list_url()}?object_type={definition.object_type}")
    types = dict(custom_field_types())
    return render(
        request,
        "accounts/settings/customfield_form.html",
        {
            "form": form,
            "object_type": definition.object_type,
            "type_label": types.get(definition.object_type, definition.object_type),
            "definition": definition,
        },
        status=status,
    )


@manage_settings
@require_POST
def customfield_archive(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=field_id)
    customfields.custom_field_archive(actor=_actor(request), definition=definition)
    messages.success(
        request,
        _("Archived the field %(label)s. Its values are kept; restore it to show them again.")
        % {"label": definition.label},
    )
    return redirect(f"{_list_url()}?object_type={definition.object_type}")


@manage_settings
@require_POST
def customfield_restore(request: HttpRequest, field_id: int) -> HttpResponse:
    definition = get_object_or_404(CustomFieldDefinition, pk=field_id)
    customfields.custom_field_restore(actor=_actor(request), definition=definition)
    messages.success(
        request, _("Restored the field %(label)s with its values.") % {"label": definition.label}
    )
    return redirect(f"{_list_url()}?object_type={definition.object_type}")
