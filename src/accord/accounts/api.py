"""JSON API of the accounts app: the current user's profile and personal API tokens.

Mounted by ``accord.api``; thin adapters over ``accord.accounts.preferences`` and
``accord.accounts.tokens``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from accord.accounts.models import ApiToken, User
from accord.accounts.preferences import user_profile_update
from accord.accounts.tokens import (
    api_token_create,
    api_token_get,
    api_token_list,
    api_token_revoke,
)
from accord.core.api.concurrency import (
    IF_MATCH_OPENAPI,
    check_if_match,
    etag_for,
    is_not_modified,
    set_etag,
)
from accord.core.api.pagination import CursorPage, CursorParams, paginate
from accord.core.api.problems import FieldError, ValidationFailed, problem_responses

router = Router(tags=["accounts"])


# --- Profile --------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    time_zone: str
    language: str
    theme: str
    role: str = Field(description="Role slug: admin, manager, sales-rep, ... or empty.")


class MePatch(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(None, max_length=200)
    time_zone: str | None = Field(None, description="An IANA time zone, e.g. Europe/Berlin.")
    language: str | None = Field(None, description="A language code: en, de, fr, es.")
    theme: str | None = Field(None, description="auto, light or dark.")


def me_out(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        full_name=user.full_name,
        time_zone=user.time_zone,
        language=user.language,
        theme=user.theme,
        role=user.role_slug,
    )


def me_etag(user: User) -> str:
    return etag_for(user, data=me_out(user))


@router.get(
    "/me",
    response={200: MeOut, 304: None, **problem_responses(401)},
    summary="The current user's profile",
)
def me_get(request: HttpRequest, response: HttpResponse) -> Any:
    """The signed-in user, with an ``ETag`` to send back as ``If-Match`` on PATCH."""
    user = request.auth  # type: ignore[attr-defined]
    etag = me_etag(user)
    set_etag(response, etag)
    if is_not_modified(request, etag):
        return Status(304, None)
    return me_out(user)


@router.patch(
    "/me",
    response={200: MeOut, **problem_responses(401, 403, 412, 422)},
    summary="Change the current user's profile",
    openapi_extra=IF_MATCH_OPENAPI,
)
def me_update(request: HttpRequest, response: HttpResponse, payload: MePatch) -> MeOut:
    """Change name, time zone, language or theme.

    Send ``If-Match`` with the ``ETag`` of your last read to refuse the change (412) if the
    profile changed meanwhile; without ``If-Match`` the change is applied.
    """
    changes = payload.model_dump(exclude_unset=True)
    nulls = [name for name, value in changes.items() if value is None]
    if nulls:
        raise ValidationFailed(
            [FieldError(name, _("This field may not be null."), "null") for name in nulls]
        )
    actor: User = request.auth  # type: ignore[attr-defined]
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("role").get(pk=actor.pk)
        check_if_match(request, me_etag(user), current=lambda: me_out(user))
        user_profile_update(
            user=user,
            actor=actor,
            full_name=changes.get("full_name", user.full_name),
            time_zone=changes.get("time_zone", user.time_zone),
            language=changes.get("language", user.language),
            theme=changes.get("theme", user.theme),
        )
    set_etag(response, me_etag(user))
    return me_out(user)


# --- API tokens -----------------------------------------------------------------------------


class TokenOut(Schema):
    prefix: str = Field(description="Identifies the token; the plaintext starts acc_<prefix>_.")
    name: str
    scope: str = Field(description="read or write")
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="The token itself. It is shown only in this response.")


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=100)
    scope: str = Field(ApiToken.SCOPE_READ, description="read or write")
    expires_at: datetime | None = Field(None, description="Optional expiry, with offset.")


def token_out(token: ApiToken) -> dict[str, Any]:
    return {
        "prefix": token.prefix,
        "name": token.name,
        "scope": token.scope,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
    }


@router.get(
    "/tokens",
    response={200: CursorPage[TokenOut], **problem_responses(400, 401, 422)},
    summary="List your API tokens",
)
def token_list(request: HttpRequest, params: Query[CursorParams]) -> dict[str, Any]:
    """Your tokens, newest first, revoked ones included (see ``revoked_at``)."""
    page = paginate(api_token_list(user=request.auth), params, ordering="-created_at")  # type: ignore[attr-defined]
    return {"items": [token_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **problem_responses(401, 403, 422)},
    summary="Create an API token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    """Needs a browser session or a write token. The token is in the response, once."""
    actor: User = request.auth  # type: ignore[attr-defined]
    created = api_token_create(
        user=actor,
        actor=actor,
        name=payload.name,
        scope=payload.scope,
        expires_at=payload.expires_at,
    )
    return Status(201, {**token_out(created.token), "token": created.plaintext})


@router.delete(
    "/tokens/{prefix}",
    response={204: None, **problem_responses(401, 403, 404)},
    summary="Revoke an API token",
)
def token_revoke(request: HttpRequest, prefix: str) -> Status:
    """Revoke one of your tokens; it is refused from the next request on."""
    actor: User = request.auth  # type: ignore[attr-defined]
    token = api_token_get(user=actor, prefix=prefix)
    api_token_revoke(token=token, actor=actor)
    return Status(204, None)
