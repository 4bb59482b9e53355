"""Administration of users, invitations, teams and roles (principle 1: one write path).

The settings pages, the API and the command line call these. Every function takes the
acting user, checks the ``manage_settings`` capability first (a denied call changes
nothing), writes in one transaction with its audit entry, and calls ``policy.forget`` on a
user whose role or teams it changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from accord.accounts.models import Invitation, Membership, Role, Team, User
from accord.accounts.sessions import user_sessions_end
from accord.core import audit, policy

logger = logging.getLogger(__name__)

MANAGE = "manage_settings"
DEFAULT_INVITATION_DAYS = 7


def _require_manage(actor: Any) -> None:
    policy.require_capability(actor, MANAGE)


def invitation_days() -> int:
    return int(getattr(settings, "ACCORD_INVITATION_DAYS", DEFAULT_INVITATION_DAYS))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Memberships ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMembership:
    """One team of a user: ``team`` and whether the user manages it."""

    team: Team
    is_manager: bool = False


def _membership_state(user: User) -> dict[str, list[int]]:
    rows = list(Membership.objects.filter(user=user).values_list("team_id", "is_manager"))
    return {
        "team_ids": sorted(team_id for team_id, _m in rows),
        "managed_team_ids": sorted(team_id for team_id, manager in rows if manager),
    }


def _set_memberships(user: User, memberships: Sequence[TeamMembership]) -> None:
    wanted = {m.team.pk: m.is_manager for m in memberships}
    Membership.objects.filter(user=user).exclude(team_id__in=list(wanted)).delete()
    existing = {m.team_id: m for m in Membership.objects.filter(user=user)}
    for team_id, is_manager in wanted.items():
        membership = existing.get(team_id)
        if membership is None:
            Membership.objects.create(user=user, team_id=team_id, is_manager=is_manager)
        elif membership.is_manager != is_manager:
            membership.is_manager = is_manager
            membership.save(update_fields=["is_manager", "updated_at"])


def _membership_changes(
    before: Mapping[str, list[int]], after: Mapping[str, list[int]]
) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in before if before[name] != after[name]}


# --- Invitations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SentInvitation:
    user: User
    invitation: Invitation
    link: str  # the set-password link; contains the token, which is never stored


def _validate_email_free(email: str, *, exclude_pk: int | None = None) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid email address.")}) from None
    taken = User.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"email": _("A user with this email address exists.")})
    return email


def _invitation_link(token: str) -> str:
    return f"{settings.BASE_URL}{reverse('accounts:invite_accept', args=[token])}"


def _send_invitation_email(user_id: int, link: str, inviter_label: str) -> None:
    """Runs after commit; a mail server that is down is logged, the link can be re-sent."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return
    context = {
        "user": user,
        "link": link,
        "inviter": inviter_label,
        "days": invitation_days(),
        "base_url": settings.BASE_URL,
    }
    try:
        with override(user.language or settings.LANGUAGE_CODE):
            subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
            body = render_to_string("accounts/email/invitation_body.txt", context)
        send_mail(subject, body, None, [user.email])
    except Exception:
        logger.exception("could not send the invitation email to user %s", user_id)


def _new_invitation(user: User, actor: Any) -> tuple[Invitation, str]:
    Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=hash_token(token),
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
        expires_at=now + dt.timedelta(days=invitation_days()),
    )
    link = _invitation_link(token)
    inviter = str(getattr(actor, "display_name", "") or _("An administrator"))
    transaction.on_commit(partial(_send_invitation_email, user.pk, link, inviter))
    return invitation, link


def user_invite(
    *,
    actor: Any,
    email: str,
    full_name: str = "",
    role: Role | None,
    memberships: Sequence[TeamMembership] = (),
) -> SentInvitation:
    """Create an inactive user and email them a single-use link to set a password.

    The user becomes active when they accept (``invitation_accept``). Errors name ``email``,
    ``full_name`` or ``role``.
    """
    _require_manage(actor)
    errors: dict[str, str] = {}
    try:
        email = _validate_email_free(email)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    full_name = (full_name or "").strip()
    if len(full_name) > 200:
        errors["full_name"] = _("The name is longer than 200 characters.")
    if role is None:
        errors["role"] = _("Choose a role.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User(email=email, full_name=full_name, role=role, is_active=False)
        user.set_unusable_password()
        user.save()
        _set_memberships(user, memberships)
        entry = audit.build_create(user, actor)
        entry.action = "user.invited"
        entry.changes.update(
            {name: [None, value] for name, value in _membership_state(user).items() if value}
        )
        entry.save()
        invitation, link = _new_invitation(user, actor)
    return SentInvitation(user=user, invitation=invitation, link=link)


def user_invite_resend(*, actor: Any, user: User) -> SentInvitation:
    """Withdraw the user's open invitations and send a new one (only before they accepted)."""
    _require_manage(actor)
    if user.has_usable_password() or user.last_login is not None:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("This user has already set a password; use password reset.")}
        )
    with transaction.atomic():
        invitation, link = _new_invitation(user, actor)
        audit.record(user, audit.Verb.CUSTOM, actor, action="user.invitation_resent")
    return SentInvitation(user=user, invitation=invitation, link=link)


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation this token belongs to, or None (unknown, used, expired)."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=hash_token(token)).first()
    )
    if invitation is None or not invitation.is_usable():
        return None
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited user's password and activate them; the link then stops working.

    Raises ``ValidationError`` on ``token`` (unknown, used or expired) or ``password``.
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("user")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if invitation is None or not invitation.is_usable():
            raise ValidationError(
                {"token": _("This invitation link is not valid any more. Ask for a new one.")}
            )
        user = invitation.user
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from None
        before = audit.snapshot(user)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        entry = audit.build_update(user, user, before)
        if entry is not None:
            entry.action = "user.invitation_accepted"
            entry.save()
    return user


# --- Users ----------------------------------------------------------------------------------


def user_update(
    *,
    actor: Any,
    user: User,
    full_name: str,
    role: Role | None,
    memberships: Sequence[TeamMembership],
) -> User:
    """Change a user's name, role and teams (with the manager flag per team)."""
    _require_manage(actor)
    given = user
    errors: dict[str, str] = {}
    full_name = (full_name or "").strip()
    if len(full_name) > 200:
        errors["full_name"] = _("The name is longer than 200 characters.")
    if role is None:
        errors["role"] = _("Choose a role.")
    elif user.pk == getattr(actor, "pk", None) and role.pk != user.role_id:
        errors["role"] = _("You cannot change your own role; ask another administrator.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        before = audit.snapshot(user)
        teams_before = _membership_state(user)
        user.full_name = full_name
        user.role = role
        user.save(update_fields=["full_name", "role"])
        _set_memberships(user, memberships)
        audit.record_update(
            user, actor, before, extra=_membership_changes(teams_before, _membership_state(user))
        )
    policy.forget(given)
    policy.forget(user)
    return user


def user_deactivate(*, actor: Any, user: User) -> User:
    """Refuse the user from the very next request: sessions end, API tokens stop working."""
    _require_manage(actor)
    given = user
    if user.pk == getattr(actor, "pk", None):
        raise ValidationError({NON_FIELD_ERRORS: _("You cannot deactivate yourself.")})
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        if not user.is_active:
            return user
        before = audit.snapshot(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        Invitation.objects.filter(
            user=user, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        audit.record_update(user, actor, before)
        user_sessions_end(user=user)
    policy.forget(given)
    policy.forget(user)
    return user


def user_reactivate(*, actor: Any, user: User) -> User:
    """Let a deactivated user sign in again (with their old password and tokens)."""
    _require_manage(actor)
    given = user
    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).get(pk=user.pk)
        if user.is_active:
            return user
        if not user.has_usable_password():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("This user never accepted the invitation; resend it.")}
            )
        before = audit.snapshot(user)
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record_update(user, actor, before)
    policy.forget(given)
    policy.forget(user)
    return user


def user_sign_out_everywhere(*, actor: Any, user: User) -> int:
    """An administrator ends every browser session of ``user``; returns how many."""
    _require_manage(actor)
    with transaction.atomic():
        count = user_sessions_end(user=user)
        audit.record(
            user,
            audit.Verb.CUSTOM,
            actor,
            action="user.signed_out_everywhere",
            detail={"sessions": count},
        )
    return count


# --- Teams ----------------------------------------------------------------------------------


def _clean_team(team: Team) -> None:
    team.name = (team.name or "").strip()
    team.description = (team.description or "").strip()
    errors: dict[str, str] = {}
    if not team.name:
        errors["name"] = _("Enter a name.")
    elif Team.objects.filter(name__iexact=team.name).exclude(pk=team.pk).exists():
        errors["name"] = _("A team with this name exists.")
    if errors:
        raise ValidationError(errors)
    team.full_clean(exclude=["name"], validate_unique=False)


def team_create(*, actor: Any, name: str, description: str = "") -> Team:
    _require_manage(actor)
    team = Team(name=name, description=description)
    _clean_team(team)
    with transaction.atomic():
        team.save()
        audit.record_create(team, actor)
    return team


def team_update(*, actor: Any, team: Team, name: str, description: str = "") -> Team:
    _require_manage(actor)
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        before = audit.snapshot(team)
        team.name, team.description = name, description
        _clean_team(team)
        team.save()
        audit.record_update(team, actor, before)
    return team


def _team_members(team: Team) -> dict[str, list[int]]:
    rows = list(Membership.objects.filter(team=team).values_list("user_id", "is_manager"))
    return {
        "member_ids": sorted(user_id for user_id, _m in rows),
        "manager_ids": sorted(user_id for user_id, manager in rows if manager),
    }


def team_set_members(*, actor: Any, team: Team, members: Mapping[int, bool]) -> Team:
    """Make ``members`` (user id -> manages the team) exactly the team's members."""
    _require_manage(actor)
    known = set(User.objects.filter(pk__in=list(members)).values_list("pk", flat=True))
    unknown = [pk for pk in members if pk not in known]
    if unknown:
        raise ValidationError({"members": _("No such user.")})
    with transaction.atomic():
        team = Team.objects.select_for_update().get(pk=team.pk)
        before = _team_members(team)
        Membership.objects.filter(team=team).exclude(user_id__in=list(members)).delete()
        existing = {m.user_id: m for m in Membership.objects.filter(team=team)}
        for user_id, is_manager in members.items():
            membership = existing.get(user_id)
            if membership is None:
                Membership.objects.create(user_id=user_id, team=team, is_manager=is_manager)
            elif membership.is_manager != bool(is_manager):
                membership.is_manager = bool(is_manager)
                membership.save(update_fields=["is_manager", "updated_at"])
        changes = _membership_changes(before, _team_members(team))
        if changes:
            audit.record(team, audit.Verb.UPDATE, actor, changes=changes)
    return team


def team_delete(*, actor: Any, team: Team) -> None:
    """Delete a team; refused while records belong to it (move them to another team first)."""
    _require_manage(actor)
    try:
        with transaction.atomic():
            team = Team.objects.select_for_update().get(pk=team.pk)
            entry = audit.build_delete(team, actor)
            entry.changes.update(
                {name: [value, None] for name, value in _team_members(team).items() if value}
            )
            entry.save()
            team.delete()
    except ProtectedError:
        raise ValidationError(
            {NON_FIELD_ERRORS: _("Records still belong to this team; move them first.")}
        ) from None


# --- Roles ----------------------------------------------------------------------------------


def _clean_role(role: Role) -> None:
    role.name = (role.name or "").strip()
    errors: dict[str, str] = {}
    if not role.name:
        errors["name"] = _("Enter a name.")
    elif len(role.name) > 100:
        errors["name"] = _("The name is longer than 100 characters.")
    if errors:
        raise ValidationError(errors)


def role_create(*, actor: Any, slug: str, name: str, description: str = "") -> Role:
    """A custom role: no defaults, it grants only what its permissions say (nothing at first)."""
    _require_manage(actor)
    slug = slugify(slug or name)
    role = Role(slug=slug, name=name, description=(description or "").strip(), is_system=False)
    _clean_role(role)
    if not slug:
        raise ValidationError({"slug": _("Enter a slug: letters, digits and hyphens.")})
    if len(slug) > 50:
        raise ValidationError({"slug": _("The slug is longer than 50 characters.")})
    if Role.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("A role with this slug exists.")})
    with transaction.atomic():
        role.save()
        audit.record_create(role, actor)
    return role


def role_update(
    *,
    actor: Any,
    role: Role,
    name: str | None = None,
    description: str | None = None,
    permissions: Mapping[str, Any] | None = None,
) -> Role:
    """Rename a role or replace its permission overrides (validated, see docs/access.md)."""
    _require_manage(actor)
    if permissions is not None:
        policy.validate_permissions(permissions)
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        before = audit.snapshot(role)
        if name is not None:
            role.name = name
        if description is not None:
            role.description = description.strip()
        if permissions is not None:
            role.permissions = dict(permissions)
        _clean_role(role)
        role.save()
        audit.record_update(role, actor, before)
    return role


def role_delete(*, actor: Any, role: Role) -> None:
    """Delete a custom role nobody has; system roles are never deleted."""
    _require_manage(actor)
    if role.is_system:
        raise PermissionDenied(_("System roles cannot be deleted."))
    with transaction.atomic():
        role = Role.objects.select_for_update().get(pk=role.pk)
        if User.objects.filter(role=role).exists():
            raise ValidationError(
                {NON_FIELD_ERRORS: _("Users still have this role; give them another one first.")}
            )
        audit.record_delete(role, actor)
        role.delete()


def matrix_permissions(role: Role, matrix: Mapping[str, Any]) -> dict[str, Any]:
    """The ``permissions`` JSON that gives ``role`` exactly ``matrix``.

    The editor submits the full matrix; only the cells that differ from the role's defaults
    are stored, so a system role keeps following later default changes elsewhere.
    """
    defaults = policy.effective_matrix(role.slug, {}) if role.is_system else None
    objects: dict[str, dict[str, str]] = {}
    for object_type, row in (matrix.get("objects") or {}).items():
        for action, value in row.items():
            if defaults is None or defaults["objects"].get(object_type, {}).get(action) != value:
                objects.setdefault(object_type, {})[action] = value
    capabilities: dict[str, bool] = {}
    for name, granted in (matrix.get("capabilities") or {}).items():
        if defaults is None or defaults["capabilities"].get(name) != granted:
            capabilities[name] = granted
    result: dict[str, Any] = {}
    if objects:
        result["objects"] = objects
    if capabilities:
        result["capabilities"] = capabilities
    return result
