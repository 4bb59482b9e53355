"""Permission matrix rows of the accounts app: sign-in pages, the user's security page and
API tokens, the settings area (users, teams, roles, custom fields, audit log, explain access)
and the JSON API (/me, /tokens, /custom-fields). See tests/permission_matrix.py."""

from __future__ import annotations

from typing import Any

from tests.factories import TeamFactory, UserFactory
from tests.permission_matrix import (
    Endpoint,
    World,
    api,
    api_admin,
    declare,
    public,
    web_admin,
    web_page,
)

from accord.accounts.models import ApiToken, Invitation, Role, UserSession
from accord.core import audit
from accord.core.customfields import CustomFieldDefinition

CONTACT_TYPE = "contacts.contact"


def owner_token_prefix(world: World) -> dict[str, Any]:
    return {"prefix": ApiToken.objects.get(user=world.owner).prefix}


def owner_session(world: World) -> dict[str, Any]:
    session = world.once(
        "owner_session",
        lambda w: UserSession.objects.create(session_key="matrix-owner-session", user=w.owner),
    )
    return {"session_id": session.pk}


def subject(world: World) -> Any:
    return world.once("subject", lambda w: UserFactory(email="subject@matrix.test", teams=[w.team]))


def invited(world: World) -> Any:
    def make(w: World) -> Any:
        user = UserFactory(email="invited@matrix.test", is_active=False)
        user.set_unusable_password()
        user.save()
        return user

    return world.once("invited", make)


def spare_team(world: World) -> Any:
    return world.once("spare_team", lambda w: TeamFactory(name="Matrix spare"))


def custom_role(world: World) -> Any:
    return world.once(
        "custom_role", lambda w: Role.objects.create(slug="matrix-custom", name="Matrix custom")
    )


def definition(world: World, archived: bool = False) -> Any:
    def make(w: World) -> Any:
        from django.utils import timezone

        return CustomFieldDefinition.objects.create(
            object_type=CONTACT_TYPE,
            key="matrix_tier",
            label="Tier",
            field_type="text",
            archived_at=timezone.now() if archived else None,
        )

    return world.once("definition", make)


def audit_entry(world: World) -> Any:
    return world.once("audit_entry", lambda w: audit.record_create(w.team, w.users["admin"]))


def role_pk(slug: str) -> int:
    return int(Role.objects.get(slug=slug).pk)


declare(
    # --- Signing in (public) ----------------------------------------------------------------
    Endpoint("accounts:login", expect=public(200)),
    Endpoint(
        "accounts:login",
        method="POST",
        data=lambda w: {"username": "owner@matrix.test", "password": "wrong"},
        expect=public(200),
        note="a wrong password re-renders the form",
    ),
    Endpoint("accounts:login_two_factor", expect=public(302), note="nothing pending"),
    Endpoint("accounts:logout", method="POST", expect=public(302)),
    Endpoint("accounts:password_reset", expect=public(200)),
    Endpoint(
        "accounts:password_reset",
        method="POST",
        data=lambda w: {"email": "owner@matrix.test"},
        expect=public(302),
    ),
    Endpoint("accounts:password_reset_done", expect=public(200)),
    Endpoint(
        "accounts:password_reset_confirm",
        kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"},
        expect=public(200),
        note="the 'link does not work' page",
    ),
    Endpoint("accounts:password_reset_complete", expect=public(200)),
    Endpoint("accounts:invite_accept", kwargs=lambda w: {"token": "nope"}, expect=public(404)),
    # --- The user's own security page and tokens --------------------------------------------
    Endpoint("accounts:security", expect=web_page(200)),
    Endpoint("accounts:two_factor_setup", expect=web_page(200)),
    Endpoint("accounts:two_factor_disable", method="POST", expect=web_page(400)),
    Endpoint("accounts:recovery_codes_regenerate", method="POST", expect=web_page(400)),
    Endpoint(
        "accounts:session_revoke",
        method="POST",
        kwargs=owner_session,
        expect=web_page(404, owner=302),
    ),
    Endpoint("accounts:session_revoke_others", method="POST", expect=web_page(302)),
    Endpoint("accounts:token_list", expect=web_page(200)),
    Endpoint(
        "accounts:token_list",
        method="POST",
        data=lambda w: {"name": "Matrix", "scope": "read", "expires_in": ""},
        expect=web_page(302),
    ),
    Endpoint(
        "accounts:token_revoke",
        method="POST",
        kwargs=owner_token_prefix,
        expect=web_page(404, owner=302),
    ),
    # --- Settings area ------------------------------------------------------------------------
    Endpoint("settings:index", expect=web_admin(200)),
    Endpoint("settings:user_list", expect=web_admin(200)),
    Endpoint("settings:user_invite", expect=web_admin(200)),
    Endpoint(
        "settings:user_invite",
        method="POST",
        data=lambda w: {"email": "new@matrix.test", "role": role_pk("sales-rep")},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_edit", kwargs=lambda w: {"user_id": subject(w).pk}, expect=web_admin(200)
    ),
    Endpoint(
        "settings:user_edit",
        method="POST",
        kwargs=lambda w: {"user_id": subject(w).pk},
        data=lambda w: {"full_name": "Renamed", "role": role_pk("marketer")},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_deactivate",
        method="POST",
        kwargs=lambda w: {"user_id": subject(w).pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_reactivate",
        method="POST",
        kwargs=lambda w: {"user_id": w.users["deactivated"].pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_invite_resend",
        method="POST",
        kwargs=lambda w: {"user_id": invited(w).pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_sign_out",
        method="POST",
        kwargs=lambda w: {"user_id": subject(w).pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:user_two_factor_reset",
        method="POST",
        kwargs=lambda w: {"user_id": subject(w).pk},
        expect=web_admin(302),
    ),
    Endpoint("settings:team_list", expect=web_admin(200)),
    Endpoint(
        "settings:team_list",
        method="POST",
        data=lambda w: {"name": "Matrix new team"},
        expect=web_admin(302),
    ),
    Endpoint("settings:team_edit", kwargs=lambda w: {"team_id": w.team.pk}, expect=web_admin(200)),
    Endpoint(
        "settings:team_edit",
        method="POST",
        kwargs=lambda w: {"team_id": w.team.pk},
        data=lambda w: {"part": "details", "name": "Matrix A renamed"},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:team_delete",
        method="POST",
        kwargs=lambda w: {"team_id": spare_team(w).pk},
        expect=web_admin(302),
    ),
    Endpoint("settings:role_list", expect=web_admin(200)),
    Endpoint(
        "settings:role_list",
        method="POST",
        data=lambda w: {"name": "Matrix role"},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:role_edit",
        kwargs=lambda w: {"role_id": role_pk("sales-rep")},
        expect=web_admin(200),
    ),
    Endpoint(
        "settings:role_edit",
        method="POST",
        kwargs=lambda w: {"role_id": role_pk("sales-rep")},
        expect=web_admin(400),
        note="an empty form: the admin gets errors, everyone else a 403",
    ),
    Endpoint(
        "settings:role_delete",
        method="POST",
        kwargs=lambda w: {"role_id": custom_role(w).pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:customfield_list",
        query=lambda w: {"object_type": CONTACT_TYPE},
        expect=web_admin(200),
    ),
    Endpoint(
        "settings:customfield_create",
        kwargs=lambda w: {"object_type": CONTACT_TYPE},
        expect=web_admin(200),
    ),
    Endpoint(
        "settings:customfield_create",
        method="POST",
        kwargs=lambda w: {"object_type": CONTACT_TYPE},
        data=lambda w: {"label": "Segment", "key": "segment", "field_type": "text"},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:customfield_edit",
        kwargs=lambda w: {"field_id": definition(w).pk},
        expect=web_admin(200),
    ),
    Endpoint(
        "settings:customfield_edit",
        method="POST",
        kwargs=lambda w: {"field_id": definition(w).pk},
        data=lambda w: {"label": "Tier level", "field_type": "text"},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:customfield_archive",
        method="POST",
        kwargs=lambda w: {"field_id": definition(w).pk},
        expect=web_admin(302),
    ),
    Endpoint(
        "settings:customfield_restore",
        method="POST",
        kwargs=lambda w: {"field_id": definition(w, archived=True).pk},
        expect=web_admin(302),
    ),
    Endpoint("settings:audit_list", expect=web_admin(200)),
    Endpoint("settings:audit_export", expect=web_admin(200)),
    Endpoint(
        "settings:audit_detail",
        kwargs=lambda w: {"entry_id": audit_entry(w).pk},
        expect=web_admin(200),
    ),
    Endpoint("settings:explain", query=lambda w: {"user": w.owner.pk}, expect=web_admin(200)),
    # --- JSON API -------------------------------------------------------------------------------
    Endpoint("GET /api/v1/me", expect=api(200)),
    Endpoint("PATCH /api/v1/me", data=lambda w: {"full_name": "Renamed"}, expect=api(200)),
    Endpoint("GET /api/v1/tokens", expect=api(200)),
    Endpoint("POST /api/v1/tokens", data=lambda w: {"name": "Matrix"}, expect=api(201)),
    Endpoint(
        "DELETE /api/v1/tokens/{prefix}",
        kwargs=owner_token_prefix,
        expect=api(404, owner=204),
    ),
    Endpoint(
        "GET /api/v1/custom-fields",
        query=lambda w: {"object_type": CONTACT_TYPE},
        expect=api(200),
    ),
    Endpoint(
        "POST /api/v1/custom-fields",
        data=lambda w: {
            "object_type": CONTACT_TYPE,
            "key": "segment",
            "label": "Segment",
            "field_type": "text",
        },
        expect=api_admin(201),
    ),
    Endpoint(
        "PATCH /api/v1/custom-fields/{field_id}",
        kwargs=lambda w: {"field_id": definition(w).pk},
        data=lambda w: {"label": "Tier level"},
        expect=api_admin(200),
    ),
    Endpoint(
        "POST /api/v1/custom-fields/{field_id}/archive",
        kwargs=lambda w: {"field_id": definition(w).pk},
        expect=api_admin(200),
    ),
    Endpoint(
        "POST /api/v1/custom-fields/{field_id}/restore",
        kwargs=lambda w: {"field_id": definition(w, archived=True).pk},
        expect=api_admin(200),
    ),
)

__all__ = ["Invitation"]
