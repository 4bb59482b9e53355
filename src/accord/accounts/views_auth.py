"""Signing in and out: throttled password sign-in, the two-factor step, password reset by
email, accepting an invitation, and the user's own security page (two-factor, sessions)."""

from __future__ import annotations

import time
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts import services, sessions, throttle, twofactor
from accord.accounts.models import TwoFactorDevice, User, UserSession

PENDING_KEY = "accord_2fa_pending"
PENDING_SECONDS = 300
RECOVERY_SESSION_KEY = "accord_recovery_codes"


def _lock_message(lock: throttle.Lock) -> str:
    until = formats.time_format(timezone.localtime(lock.until), "TIME_FORMAT")
    return _(
        "Too many failed sign-ins. For your security this sign-in is locked for "
        "%(minutes)d more minutes: try again at %(time)s, or reset your password."
    ) % {"minutes": lock.minutes_left, "time": until}


class LoginForm(AuthenticationForm):
    """Django's sign-in form with the lock-out of ``accord.accounts.throttle``."""

    def clean(self) -> dict[str, Any]:
        email = str(self.cleaned_data.get("username") or "")
        ip = throttle.client_ip(self.request) if self.request else "unknown"
        lock = throttle.locked_until(email, ip)
        if lock is not None:
            raise ValidationError(_lock_message(lock), code="locked")
        try:
            return super().clean()
        except ValidationError as exc:
            if email and getattr(exc, "code", "") in ("invalid_login", "inactive"):
                new_lock = throttle.record_failure(email, ip)
                if new_lock is not None:
                    raise ValidationError(_lock_message(new_lock), code="locked") from None
            raise


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(reverse_lazy(settings.LOGIN_REDIRECT_URL))


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if twofactor.is_enabled(user):
            # The password was right; the session is not signed in until the code is.
            self.request.session[PENDING_KEY] = {
                "user_id": user.pk,
                "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
                "at": time.time(),
                "next": self.get_redirect_url(),
            }
            return redirect("accounts:login_two_factor")
        throttle.reset(user.email, throttle.client_ip(self.request))
        return super().form_valid(form)


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy(
            "The 6-digit code from your authenticator app, or one of your recovery codes."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def login_two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of signing in for users with two-factor on."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        messages.info(request, _("Sign in again: the code was not entered in time."))
        return redirect("accounts:login")
    user = User.objects.filter(pk=int(pending.get("user_id") or 0), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:login")
    ip = throttle.client_ip(request)
    form = TwoFactorCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        lock = throttle.locked_until(user.email, ip)
        if lock is not None:
            form.is_valid()
            form.add_error(None, _lock_message(lock))
        elif form.is_valid():
            kind = twofactor.twofactor_verify(user=user, code=form.cleaned_data["code"])
            if kind is not None:
                request.session.pop(PENDING_KEY, None)
                throttle.reset(user.email, ip)
                login(request, user, backend=pending["backend"])
                if kind == "recovery":
                    messages.warning(
                        request,
                        _(
                            "You signed in with a recovery code; it cannot be used again. "
                            "%(count)d codes are left."
                        )
                        % {"count": twofactor.recovery_codes_left(user)},
                    )
                return HttpResponseRedirect(_safe_next(request, str(pending.get("next") or "")))
            new_lock = throttle.record_failure(user.email, ip)
            if new_lock is not None:
                form.add_error(None, _lock_message(new_lock))
            else:
                form.add_error("code", _("That code is not right."))
    return render(request, "registration/login_two_factor.html", {"form": form}, status=status)


class LogoutView(auth_views.LogoutView):
    """Signing out also removes the session's record from "your sessions"."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()
        return super().post(request, *args, **kwargs)


# --- Password reset (Django's views, the shell's templates) ---------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        # Links in the email start with ACCORD_BASE_URL, not with the request's Host header.
        self.extra_email_context = {"base_url": settings.BASE_URL}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


# --- Invitations ----------------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation email: choose a password, and you are signed in."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "registration/invite_invalid.html", status=404)
    user = invitation.user
    form = SetPasswordForm(user, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    token=token, password=form.cleaned_data["new_password1"]
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    target = "new_password1" if field == "password" else None
                    for error in errors:
                        form.add_error(target, error)
            else:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(request, _("Welcome to Accord! Your password is set."))
                return redirect(settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "registration/invite_accept.html",
        {"form": form, "invited_user": user},
        status=status,
    )


# --- The user's own security page: two-factor and sessions ----------------------------------


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _add_errors(form: forms.Form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _security_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    device = TwoFactorDevice.objects.filter(user=user).first()
    current_key = request.session.session_key
    rows = []
    for row in sessions.user_session_list(user=user):
        rows.append({"session": row, "current": row.session_key == current_key})
    context: dict[str, Any] = {
        "device": device,
        "two_factor_on": device is not None and device.is_enabled,
        "recovery_left": twofactor.recovery_codes_left(user) if device else 0,
        "sessions": rows,
        "disable_form": PasswordConfirmForm(prefix="disable"),
        "regenerate_form": PasswordConfirmForm(prefix="regenerate"),
        "recovery_codes": request.session.pop(RECOVERY_SESSION_KEY, None),
    }
    context.update(extra)
    return context


@never_cache
@login_required
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/security.html", _security_context(request))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """GET: a new secret as a QR code and text. POST: check a code and turn two-factor on."""
    user = _user(request)
    if twofactor.is_enabled(user):
        return redirect("accounts:security")
    form = TwoFactorCodeForm(request.POST or None)
    form.fields["code"].help_text = _("The 6-digit code your authenticator app shows now.")
    status = 200
    if request.method == "POST":
        device = TwoFactorDevice.objects.filter(user=user).first()
        status = 400
        if device is not None and form.is_valid():
            try:
                codes = twofactor.twofactor_enable(user=user, code=form.cleaned_data["code"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                request.session[RECOVERY_SESSION_KEY] = codes
                messages.success(request, _("Two-factor sign-in is on."))
                return redirect("accounts:security")
        if device is None:
            device = twofactor.twofactor_begin(user=user)
    else:
        device = twofactor.twofactor_begin(user=user)
    uri = twofactor.provisioning_uri(user, device)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "uri": uri, "secret": device.secret, "qr_svg": twofactor.qr_svg(uri)},
        status=status,
    )


@login_required
@require_POST
@sensitive_post_parameters("disable-password")
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordConfirmForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            twofactor.twofactor_disable(user=user, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("accounts:security")
    return render(
        request, "accounts/security.html", _security_context(request, disable_form=form), status=400
    )


@login_required
@require_POST
@sensitive_post_parameters("regenerate-password")
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordConfirmForm(request.POST, prefix="regenerate")
    if form.is_valid():
        try:
            codes = twofactor.recovery_codes_regenerate(
                user=user, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            request.session[RECOVERY_SESSION_KEY] = codes
            messages.success(request, _("New recovery codes; the old ones no longer work."))
            return redirect("accounts:security")
    return render(
        request,
        "accounts/security.html",
        _security_context(request, regenerate_form=form),
        status=400,
    )


@login_required
@require_POST
def session_revoke(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    row = get_object_or_404(UserSession, pk=session_id, user=user)
    if row.session_key == request.session.session_key:
        messages.info(request, _("To end this session, sign out."))
        return redirect("accounts:security")
    sessions.user_session_revoke(actor=user, session=row)
    messages.success(request, _("The session has ended."))
    return redirect("accounts:security")


@login_required
@require_POST
def session_revoke_others(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    count = sessions.user_sessions_end_others(
        user=user, current_session_key=request.session.session_key
    )
    messages.success(request, _("%(count)d other sessions have ended.") % {"count": count})
    return redirect(reverse("accounts:security"))
