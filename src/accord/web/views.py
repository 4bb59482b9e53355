"""Pages of the shell: dashboard, search, command palette, profile."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeDoneView, PasswordChangeView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts.models import User
from accord.accounts.preferences import user_profile_update, user_theme_set
from accord.core.htmx import is_htmx, render_page_or_partial
from accord.core.registry import registry
from accord.web import search as search_module
from accord.web.forms import ProfileForm

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard: every registered panel the user may see, each rendered with its context."""
    panels = []
    for panel in registry.dashboard_for(request.user):
        try:
            context = {**panel.context(request), "panel": panel}
            html = render_to_string(panel.template, context, request=request)
        except Exception:
            # One broken panel must not take the dashboard down with it.
            logger.exception("dashboard panel %s failed", panel.key)
            context = {"panel": panel}
            html = render_to_string("web/panels/failed.html", context, request=request)
        panels.append({"panel": panel, "context": context, "html": html})
    return render(request, "web/home.html", {"panels": panels})


@login_required
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    results = search_module.search(
        request.user, request.GET.get("q"), hit_limit=25, command_limit=5
    )
    return render_page_or_partial(request, "web/search.html", "results", {"results": results})


@login_required
@require_GET
def search_palette(request: HttpRequest) -> HttpResponse:
    """Results of the command palette (Ctrl-K): commands first, then records."""
    results = search_module.search(request.user, request.GET.get("q"), hit_limit=5, command_limit=8)
    return render(request, "web/search.html#palette_results", {"results": results})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                user_profile_update(user=user, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Your profile has been saved."))
                return redirect("web:profile")
        status = 400
    else:
        form = ProfileForm(
            initial={
                "full_name": user.full_name,
                "time_zone": user.time_zone,
                "language": user.language,
                "theme": user.theme,
            }
        )
        status = 200
    context: dict[str, Any] = {"form": form}
    return render_page_or_partial(request, "web/profile.html", "form", context, status=status)


@login_required
@require_POST
def profile_theme(request: HttpRequest) -> HttpResponse:
    """Switch the theme from the user menu; HTMX and fetch get 204, a plain form a redirect."""
    user = _user(request)
    try:
        user_theme_set(user=user, actor=user, theme=request.POST.get("theme", ""))
    except ValidationError:
        return HttpResponse(_("Choose system, light or dark."), status=400)
    if is_htmx(request) or request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(status=204)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = str(reverse_lazy("web:home"))
    return redirect(target)


class PasswordChange(PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("web:password_change_done")


class PasswordChangeDone(PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
