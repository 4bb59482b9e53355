"""Services of the settings area: invitations, users, teams and roles (all audited, all
refused without ``manage_settings`` before anything changes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accord.accounts import services
from accord.accounts.models import Invitation, Membership, Role, Team, User, UserSession
from accord.accounts.services import TeamMembership
from accord.accounts.tokens import TokenError, api_token_authenticate, api_token_create
from accord.core import policy
from accord.core.audit import AuditEntry

pytestmark = pytest.mark.django_db


def role(slug: str) -> Role:
    return Role.objects.get(slug=slug)


def entries_for(obj: object) -> list[AuditEntry]:
    from accord.core import audit

    return list(audit.history_for(obj).order_by("at", "id"))  # type: ignore[arg-type]


def fingerprint() -> tuple[int, ...]:
    return (
        User.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Role.objects.count(),
        Invitation.objects.count(),
        AuditEntry.objects.count(),
    )


# --- Invitations ----------------------------------------------------------------------------


def test_invite_creates_inactive_user_and_emails_a_link(
    settings_admin: User, team: Team, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.user_invite(
            actor=settings_admin,
            email=" New.Person@Example.com ",
            full_name="New Person",
            role=role("sales-rep"),
            memberships=[TeamMembership(team=team, is_manager=True)],
        )
    user = User.objects.get(pk=sent.user.pk)
    assert user.email == "new.person@example.com"
    assert user.is_active is False
    assert user.has_usable_password() is False
    assert list(Membership.objects.filter(user=user).values_list("team_id", "is_manager")) == [
        (team.pk, True)
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert message.subject == "Bo Boss invited you to Accord"
    assert sent.link in message.body
    assert sent.link.startswith("http://127.0.0.1:8000/accounts/invitation/")
    invitation = Invitation.objects.get(user=user)
    token = sent.link.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    [entry] = entries_for(user)
    assert entry.verb == "create"
    assert entry.action == "user.invited"
    assert entry.actor_id == settings_admin.pk
    assert entry.changes["email"] == [None, "new.person@example.com"]
    assert entry.changes["team_ids"] == [None, [team.pk]]
    assert entry.changes["managed_team_ids"] == [None, [team.pk]]
    assert "password" not in entry.changes


def test_invite_errors_name_the_field(settings_admin: User, user: User) -> None:
    before = fingerprint()
    with pytest.raises(ValidationError) as caught:
        services.user_invite(actor=settings_admin, email="REP@example.com", role=None)
    assert caught.value.message_dict == {
        "email": ["A user with this email address exists."],
        "role": ["Choose a role."],
    }
    with pytest.raises(ValidationError) as caught:
        services.user_invite(actor=settings_admin, email="not-an-email", role=role("admin"))
    assert caught.value.message_dict == {"email": ["Enter a valid email address."]}
    assert fingerprint() == before


def test_invite_needs_manage_settings(manager: User) -> None:
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.user_invite(actor=manager, email="x@example.com", role=role("sales-rep"))
    assert fingerprint() == before


def _token(sent: services.SentInvitation) -> str:
    return sent.link.rstrip("/").rsplit("/", 1)[1]


def test_accept_sets_password_activates_and_is_single_use(settings_admin: User) -> None:
    sent = services.user_invite(actor=settings_admin, email="n@example.com", role=role("marketer"))
    token = _token(sent)
    user = services.invitation_accept(token=token, password="a-long-new-passphrase")
    user.refresh_from_db()
    assert user.is_active is True
    assert user.check_password("a-long-new-passphrase") is True
    assert Invitation.objects.get(user=user).accepted_at is not None
    assert services.invitation_for_token(token) is None
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(token=token, password="another-long-passphrase")
    assert caught.value.message_dict == {
        "token": ["This invitation link is not valid any more. Ask for a new one."]
    }
    user.refresh_from_db()
    assert user.check_password("a-long-new-passphrase") is True
    accepted = entries_for(user)[-1]
    assert accepted.action == "user.invitation_accepted"
    assert accepted.actor_id == user.pk
    assert accepted.changes == {"is_active": [False, True]}


def test_expired_invitation_is_refused(settings_admin: User) -> None:
    sent = services.user_invite(actor=settings_admin, email="e@example.com", role=role("marketer"))
    Invitation.objects.filter(pk=sent.invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert services.invitation_for_token(_token(sent)) is None
    with pytest.raises(ValidationError):
        services.invitation_accept(token=_token(sent), password="a-long-new-passphrase")
    assert User.objects.get(pk=sent.user.pk).is_active is False


def test_weak_password_is_refused_and_invitation_stays_usable(settings_admin: User) -> None:
    sent = services.user_invite(actor=settings_admin, email="w@example.com", role=role("marketer"))
    with pytest.raises(ValidationError) as caught:
        services.invitation_accept(token=_token(sent), password="123")
    assert list(caught.value.message_dict) == ["password"]
    assert services.invitation_for_token(_token(sent)) is not None


def test_resend_withdraws_the_old_link(settings_admin: User) -> None:
    first = services.user_invite(actor=settings_admin, email="r@example.com", role=role("marketer"))
    second = services.user_invite_resend(actor=settings_admin, user=first.user)
    assert services.invitation_for_token(_token(first)) is None
    assert services.invitation_for_token(_token(second)) is not None
    assert Invitation.objects.get(pk=first.invitation.pk).revoked_at is not None


# --- Users ----------------------------------------------------------------------------------


def test_user_update_changes_role_and_teams_with_audit(
    settings_admin: User, user: User, team: Team, other_team: Team
) -> None:
    policy.access_for(user)  # cached: the service must forget it
    services.user_update(
        actor=settings_admin,
        user=user,
        full_name="Riley R.",
        role=role("manager"),
        memberships=[TeamMembership(other_team, is_manager=True)],
    )
    assert policy.access_for(user).team_ids == frozenset({other_team.pk})
    fresh = User.objects.get(pk=user.pk)
    assert fresh.role_slug == "manager"
    assert fresh.full_name == "Riley R."
    [entry] = entries_for(user)
    assert entry.verb == "update"
    assert entry.changes == {
        "full_name": ["Riley Rep", "Riley R."],
        "role_id": [role("sales-rep").pk, role("manager").pk],
        "team_ids": [[team.pk], [other_team.pk]],
        "managed_team_ids": [[], [other_team.pk]],
    }


def test_admin_cannot_change_own_role(settings_admin: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.user_update(
            actor=settings_admin,
            user=settings_admin,
            full_name="",
            role=role("read-only"),
            memberships=[],
        )
    assert caught.value.message_dict == {
        "role": ["You cannot change your own role; ask another administrator."]
    }


def test_deactivated_user_is_refused_on_the_next_request(
    settings_admin: User, user: User, client_for: Callable[[User], Client]
) -> None:
    browser = client_for(user)
    assert browser.get(reverse("web:profile")).status_code == 200
    plaintext = api_token_create(user=user, actor=None, scope="read").plaintext
    api = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert api.get("/api/v1/me").status_code == 200

    services.user_deactivate(actor=settings_admin, user=user)

    response = browser.get(reverse("web:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert api.get("/api/v1/me").status_code == 401
    with pytest.raises(TokenError):
        api_token_authenticate(plaintext)
    assert UserSession.objects.filter(user=user).count() == 0
    [entry] = entries_for(user)
    assert entry.changes == {"is_active": [True, False]}


def test_reactivate_lets_the_user_back_in(settings_admin: User, user: User) -> None:
    services.user_deactivate(actor=settings_admin, user=user)
    services.user_reactivate(actor=settings_admin, user=user)
    assert User.objects.get(pk=user.pk).is_active is True
    assert [e.changes for e in entries_for(user)] == [
        {"is_active": [True, False]},
        {"is_active": [False, True]},
    ]


def test_cannot_deactivate_yourself(settings_admin: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.user_deactivate(actor=settings_admin, user=settings_admin)
    assert caught.value.messages == ["You cannot deactivate yourself."]


def test_deactivate_needs_manage_settings(manager: User, user: User) -> None:
    before = fingerprint()
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=manager, user=user)
    assert User.objects.get(pk=user.pk).is_active is True
    assert fingerprint() == before


def test_sign_out_everywhere_ends_every_session(
    settings_admin: User, user: User, client_for: Callable[[User], Client]
) -> None:
    first, second = client_for(user), client_for(user)
    assert first.get(reverse("web:profile")).status_code == 200
    assert second.get(reverse("web:profile")).status_code == 200
    assert UserSession.objects.filter(user=user).count() == 2
    assert services.user_sign_out_everywhere(actor=settings_admin, user=user) == 2
    assert first.get(reverse("web:profile")).status_code == 302
    assert second.get(reverse("web:profile")).status_code == 302
    assert User.objects.get(pk=user.pk).is_active is True
    entry = entries_for(user)[-1]
    assert entry.action == "user.signed_out_everywhere"
    assert entry.detail == {"sessions": 2}


# --- Teams ----------------------------------------------------------------------------------


def test_team_lifecycle(settings_admin: User, user: User, manager: User) -> None:
    created = services.team_create(actor=settings_admin, name="  Key Accounts ", description="")
    assert created.name == "Key Accounts"
    with pytest.raises(ValidationError) as caught:
        services.team_create(actor=settings_admin, name="key accounts")
    assert caught.value.message_dict == {"name": ["A team with this name exists."]}
    services.team_update(actor=settings_admin, team=created, name="Key accounts", description="VIP")
    services.team_set_members(actor=settings_admin, team=created, members={user.pk: False})
    services.team_set_members(
        actor=settings_admin, team=created, members={user.pk: True, manager.pk: False}
    )
    assert sorted(
        Membership.objects.filter(team=created).values_list("user_id", "is_manager")
    ) == sorted([(user.pk, True), (manager.pk, False)])
    history = entries_for(created)
    assert [e.verb for e in history] == ["create", "update", "update", "update"]
    assert history[1].changes == {
        "name": ["Key Accounts", "Key accounts"],
        "description": ["", "VIP"],
    }
    assert history[2].changes == {"member_ids": [[], [user.pk]]}
    assert history[3].changes == {
        "member_ids": [[user.pk], sorted([user.pk, manager.pk])],
        "manager_ids": [[], [user.pk]],
    }
    team_pk = created.pk
    services.team_delete(actor=settings_admin, team=created)
    assert not Team.objects.filter(pk=team_pk).exists()
    assert Membership.objects.filter(team_id=team_pk).count() == 0
    deleted = AuditEntry.objects.filter(target_id=str(team_pk), verb="delete").get()
    assert deleted.changes["name"] == ["Key accounts", None]
    assert deleted.changes["member_ids"] == [sorted([user.pk, manager.pk]), None]


def test_team_with_records_cannot_be_deleted(settings_admin: User, team: Team) -> None:
    from accord.contacts.models import Contact

    Contact.objects.create(first_name="Kept", team=team)
    with pytest.raises(ValidationError) as caught:
        services.team_delete(actor=settings_admin, team=team)
    assert caught.value.messages == ["Records still belong to this team; move them first."]
    assert Team.objects.filter(pk=team.pk).exists()
    assert not AuditEntry.objects.filter(verb="delete").exists()


def test_team_services_need_manage_settings(user: User, team: Team) -> None:
    before = fingerprint()
    for call in (
        lambda: services.team_create(actor=user, name="Nope"),
        lambda: services.team_update(actor=user, team=team, name="Renamed"),
        lambda: services.team_set_members(actor=user, team=team, members={}),
        lambda: services.team_delete(actor=user, team=team),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert fingerprint() == before
    assert Team.objects.get(pk=team.pk).name == "Sales North"


# --- Roles ----------------------------------------------------------------------------------


def test_custom_role_lifecycle(settings_admin: User, user: User) -> None:
    custom = services.role_create(actor=settings_admin, slug="", name="Partner Manager")
    assert custom.slug == "partner-manager"
    assert custom.is_system is False
    with pytest.raises(ValidationError) as caught:
        services.role_create(actor=settings_admin, slug="partner-manager", name="Other")
    assert caught.value.message_dict == {"slug": ["A role with this slug exists."]}
    services.role_update(
        actor=settings_admin,
        role=custom,
        permissions={"objects": {"*": {"view": "team"}}, "capabilities": {"export": True}},
    )
    User.objects.filter(pk=user.pk).update(role=custom)
    with pytest.raises(ValidationError) as caught:
        services.role_delete(actor=settings_admin, role=custom)
    assert caught.value.messages == ["Users still have this role; give them another one first."]
    User.objects.filter(pk=user.pk).update(role=role("sales-rep"))
    services.role_delete(actor=settings_admin, role=custom)
    assert not Role.objects.filter(slug="partner-manager").exists()
    verbs = list(
        AuditEntry.objects.filter(target_id=str(custom.pk), target_type__model="role")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["create", "update", "delete"]


def test_system_roles_are_never_deleted(settings_admin: User) -> None:
    with pytest.raises(PermissionDenied):
        services.role_delete(actor=settings_admin, role=role("read-only"))
    assert Role.objects.filter(slug="read-only").exists()


def test_bad_permissions_are_refused_with_their_path(settings_admin: User) -> None:
    target = role("marketer")
    with pytest.raises(ValidationError) as caught:
        services.role_update(
            actor=settings_admin,
            role=target,
            permissions={"objects": {"contacts.contact": {"view": "everything"}}},
        )
    assert caught.value.message_dict == {
        "permissions.objects.contacts.contact.view": ["Must be one of: none, own, team, all."]
    }
    assert Role.objects.get(pk=target.pk).permissions == {}


def test_matrix_permissions_store_only_differences_for_system_roles() -> None:
    rep = role("sales-rep")
    matrix = policy.effective_matrix("sales-rep", {})
    assert services.matrix_permissions(rep, matrix) == {}
    matrix["objects"]["contacts.contact"]["delete"] = "none"
    matrix["capabilities"]["export"] = True
    assert services.matrix_permissions(rep, matrix) == {
        "objects": {"contacts.contact": {"delete": "none"}},
        "capabilities": {"export": True},
    }
