"""The settings area (/settings/): index, users, teams and roles. Thin adapters over
``accord.accounts.services``; every page needs the ``manage_settings`` capability (the index
also opens for ``view_audit_log``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accord.accounts import services, twofactor
from accord.accounts.forms import (
    InviteForm,
    RoleCreateForm,
    RoleMatrixForm,
    TeamForm,
    TeamMembersForm,
    UserEditForm,
    add_service_errors,
)
from accord.accounts.models import Invitation, Membership, Role, Team, User, UserSession
from accord.core import policy

View = Callable[..., HttpResponseBase]


def requires_capability(*names: str) -> Callable[[View], View]:
    """Signed in (else the sign-in page) and holding any of ``names`` (else 403)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(policy.has_capability(request.user, name) for name in names):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


manage_settings = requires_capability(services.MANAGE)


def can_open_settings(user: Any) -> bool:
    return policy.has_capability(user, services.MANAGE) or policy.has_capability(
        user, "view_audit_log"
    )


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- Index ----------------------------------------------------------------------------------

CARDS: list[tuple[str, Any, Any, str, str]] = [
    # url name, title, text, icon, capability
    (
        "settings:user_list",
        gettext_lazy("Users"),
        gettext_lazy("Invite people, set their role and teams, deactivate accounts."),
        "users",
        services.MANAGE,
    ),
    (
        "settings:team_list",
        gettext_lazy("Teams"),
        gettext_lazy("Group users; members see their teams' records, managers manage them."),
        "users-round",
        services.MANAGE,
    ),
    (
        "settings:role_list",
        gettext_lazy("Roles"),
        gettext_lazy("What each role may see and do, per record type."),
        "shield",
        services.MANAGE,
    ),
    (
        "settings:customfield_list",
        gettext_lazy("Custom fields"),
        gettext_lazy("Add your own fields to contacts, companies, deals and more."),
        "list-plus",
        services.MANAGE,
    ),
    (
        "settings:audit_list",
        gettext_lazy("Audit log"),
        gettext_lazy("Every change: who, when, how and what."),
        "history",
        "view_audit_log",
    ),
    (
        "settings:explain",
        gettext_lazy("Explain access"),
        gettext_lazy("What a user may do, and why."),
        "search-check",
        services.MANAGE,
    ),
    (
        "accounts:token_list",
        gettext_lazy("API tokens"),
        gettext_lazy("Your personal tokens for the JSON API."),
        "key-round",
        "",
    ),
    (
        "background:job_list",
        gettext_lazy("Background jobs"),
        gettext_lazy("Queued, running and failed jobs; periodic jobs and workers."),
        "cpu",
        services.MANAGE,
    ),
]


@requires_capability(services.MANAGE, "view_audit_log")
@require_GET
def settings_index(request: HttpRequest) -> HttpResponse:
    cards = []
    for url_name, title, text, icon, capability in CARDS:
        if capability and not policy.has_capability(request.user, capability):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        cards.append({"url": url, "title": title, "text": text, "icon": icon})
    return render(request, "accounts/settings/index.html", {"cards": cards})


# --- Users ----------------------------------------------------------------------------------


@manage_settings
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "active")
    query = request.GET.get("q", "").strip()
    users = User.objects.select_related("role").prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("team"))
    )
    if status == "active":
        users = users.filter(is_active=True)
    elif status == "inactive":
        users = users.filter(is_active=False)
    if query:
        users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
    pending = set(
        Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, user__is_active=False
        ).values_list("user_id", flat=True)
    )
    return render(
        request,
        "accounts/settings/user_list.html",
        {
            "users": users.order_by("full_name", "email")[:500],
            "status": status,
            "query": query,
            "pending": pending,
            "tabs": [
                ("active", _("Active")),
                ("inactive", _("Deactivated and invited")),
                ("all", _("All")),
            ],
        },
    )


@manage_settings
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                sent = services.user_invite(
                    actor=_actor(request),
                    email=form.cleaned_data["email"],
                    full_name=form.cleaned_data["full_name"],
                    role=form.cleaned_data["role"],
                    memberships=form.memberships(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s. The link works once, for %(days)d days.")
                    % {"email": sent.user.email, "days": services.invitation_days()},
                )
                return redirect("settings:user_edit", user_id=sent.user.pk)
    return render(request, "accounts/settings/user_invite.html", {"form": form}, status=status)


@manage_settings
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = get_object_or_404(User.objects.select_related("role"), pk=user_id)
    form = UserEditForm(request.POST or None, user=target)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.user_update(
                    actor=_actor(request),
                    user=target,
                    full_name=form.cleaned_data["full_name"],
                    role=form.cleaned_data["role"],
                    memberships=form.memberships(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved %(user)s.") % {"user": target.email})
                return redirect("settings:user_edit", user_id=target.pk)
    invitation = (
        Invitation.objects.filter(user=target, accepted_at__isnull=True, revoked_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    context = {
        "target": target,
        "form": form,
        "invitation": invitation,
        "session_count": UserSession.objects.filter(user=target).count(),
        "is_self": target.pk == request.user.pk,
        "two_factor_on": twofactor.is_enabled(target),
    }
    return render(request, "accounts/settings/user_edit.html", context, status=status)


def _user_action(
    request: HttpRequest, user_id: int, action: Callable[..., Any], success: str
) -> HttpResponse:
    target = get_object_or_404(User, pk=user_id)
    try:
        action(actor=_actor(request), user=target)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success % {"user": target.email})
    return redirect("settings:user_edit", user_id=target.pk)


@manage_settings
@require_POST
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request,
        user_id,
        services.user_deactivate,
        _("%(user)s is deactivated: signed out everywhere, API tokens refused."),
    )


@manage_settings
@require_POST
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request, user_id, services.user_reactivate, _("%(user)s can sign in again.")
    )


@manage_settings
@require_POST
def user_invite_resend(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request, user_id, services.user_invite_resend, _("A new invitation was sent to %(user)s.")
    )


@manage_settings
@require_POST
def user_sign_out(request: HttpRequest, user_id: int) -> HttpResponse:
    return _user_action(
        request,
        user_id,
        services.user_sign_out_everywhere,
        _("%(user)s is signed out of every session."),
    )


@manage_settings
@require_POST
def user_two_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Turn off the two-factor sign-in of someone who lost their phone and recovery codes."""
    target = get_object_or_404(User, pk=user_id)
    twofactor.twofactor_disable(user=target, password="", actor=_actor(request))
    messages.success(
        request,
        _("Two-factor sign-in of %(user)s is off; they can turn it on again.")
        % {"user": target.email},
    )
    return redirect("settings:user_edit", user_id=target.pk)


# --- Teams ----------------------------------------------------------------------------------


@manage_settings
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    """The teams, and the form to create one (POST)."""
    form = TeamForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                team = services.team_create(actor=_actor(request), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Created the team %(team)s.") % {"team": team.name})
                return redirect("settings:team_edit", team_id=team.pk)
    teams = Team.objects.annotate(
        member_count=Count("memberships"),
        manager_count=Count("memberships", filter=Q(memberships__is_manager=True)),
    ).order_by("name")
    return render(
        request, "accounts/settings/team_list.html", {"teams": teams, "form": form}, status=status
    )


@manage_settings
@require_http_methods(["GET", "POST"])
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    form = TeamForm(
        request.POST if request.POST.get("part") == "details" else None,
        initial={"name": team.name, "description": team.description},
    )
    members_form = TeamMembersForm(
        request.POST if request.POST.get("part") == "members" else None, team=team
    )
    status = 200
    if request.method == "POST":
        status = 400
        actor = _actor(request)
        try:
            if form.is_bound and form.is_valid():
                services.team_update(actor=actor, team=team, **form.cleaned_data)
                messages.success(request, _("Saved the team."))
                return redirect("settings:team_edit", team_id=team.pk)
            if members_form.is_bound and members_form.is_valid():
                services.team_set_members(actor=actor, team=team, members=members_form.members())
                messages.success(request, _("Saved the members."))
                return redirect("settings:team_edit", team_id=team.pk)
        except ValidationError as exc:
            add_service_errors(form if form.is_bound else members_form, exc)
    return render(
        request,
        "accounts/settings/team_edit.html",
        {"team": team, "form": form, "members_form": members_form},
        status=status,
    )


@manage_settings
@require_POST
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    try:
        services.team_delete(actor=_actor(request), team=team)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("settings:team_edit", team_id=team.pk)
    messages.success(request, _("Deleted the team %(team)s.") % {"team": team.name})
    return redirect("settings:team_list")


# --- Roles ----------------------------------------------------------------------------------


@manage_settings
@require_http_methods(["GET", "POST"])
def role_list(request: HttpRequest) -> HttpResponse:
    """The roles, and the form to create a custom role (POST)."""
    form = RoleCreateForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                role = services.role_create(actor=_actor(request), **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Created the role %(role)s. It allows nothing until you grant it.")
                    % {"role": role.name},
                )
                return redirect("settings:role_edit", role_id=role.pk)
    roles = Role.objects.annotate(user_count=Count("users")).order_by("-is_system", "name")
    return render(
        request, "accounts/settings/role_list.html", {"roles": roles, "form": form}, status=status
    )


@manage_settings
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, role_id: int) -> HttpResponse:
    """The role matrix editor: a scope per record type and action, and the capabilities."""
    role = get_object_or_404(Role, pk=role_id)
    form = RoleMatrixForm(request.POST or None, role=role)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.role_update(
                    actor=_actor(request),
                    role=role,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    permissions=services.matrix_permissions(role, form.matrix()),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved the role %(role)s.") % {"role": role.name})
                return redirect("settings:role_edit", role_id=role.pk)
    context = {
        "role": role,
        "form": form,
        "user_count": User.objects.filter(role=role).count(),
        "actions": policy.ACTIONS,
    }
    return render(request, "accounts/settings/role_edit.html", context, status=status)


@manage_settings
@require_POST
def role_delete(request: HttpRequest, role_id: int) -> HttpResponse:
    role = get_object_or_404(Role, pk=role_id)
    try:
        services.role_delete(actor=_actor(request), role=role)
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
        return redirect("settings:role_edit", role_id=role.pk)
    messages.success(request, _("Deleted the role %(role)s.") % {"role": role.name})
    return redirect("settings:role_list")
