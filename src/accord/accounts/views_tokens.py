"""The "API tokens" page of a user's settings: list, create (shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accord.accounts.forms_tokens import ApiTokenCreateForm
from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import api_token_create, api_token_list, api_token_revoke

SESSION_KEY = "accord_created_api_token"


def _render(
    request: HttpRequest,
    form: ApiTokenCreateForm,
    *,
    created: str = "",
    created_token: ApiToken | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return render(
        request,
        "accounts/token_list.html",
        {
            "form": form,
            "tokens": api_token_list(user=user),
            "created": created,
            "created_token": created_token,
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens and the create form (and a token just created, once).

    POST: create a token, then redirect to the GET that shows it.
    """
    user = request.user
    assert isinstance(user, User)
    if request.method != "POST":
        created_prefix = request.session.pop(SESSION_KEY, None)
        created_token = None
        plaintext = ""
        if isinstance(created_prefix, list) and len(created_prefix) == 2:
            created_token = ApiToken.objects.filter(user=user, prefix=created_prefix[0]).first()
            plaintext = created_prefix[1] if created_token is not None else ""
        return _render(
            request, ApiTokenCreateForm(), created=plaintext, created_token=created_token
        )
    form = ApiTokenCreateForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=422)
    try:
        created = api_token_create(
            user=user,
            actor=user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=form.expires_at(),
        )
    except ValidationError as exc:
        for field, field_messages in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in field_messages:
                form.add_error(target, message)
        return _render(request, form, status=422)
    # Post/redirect/get, so a reload cannot create a second token. The plaintext waits in the
    # (server-side) session for exactly one display and is removed by it.
    request.session[SESSION_KEY] = [created.token.prefix, created.plaintext]
    return redirect("accounts:token_list")


@login_required
@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = get_object_or_404(ApiToken, user=user, prefix=prefix)
    if token.is_revoked:
        messages.info(request, _("The token %(prefix)s was already revoked.") % {"prefix": prefix})
    else:
        api_token_revoke(token=token, actor=user)
        messages.success(
            request,
            _("Revoked the token “%(name)s” (%(prefix)s); it no longer works.")
            % {"name": token.name, "prefix": prefix},
        )
    return redirect("accounts:token_list")
