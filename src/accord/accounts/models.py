"""Users, teams and roles."""

from __future__ import annotations

import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accord.core.models import TimeStampedModel

ROLE_ADMIN = "admin"
ROLE_MANAGER = "manager"
ROLE_SALES_REP = "sales-rep"
ROLE_MARKETER = "marketer"
ROLE_SUPPORT_AGENT = "support-agent"
ROLE_READ_ONLY = "read-only"
ROLE_SLUGS = (
    ROLE_ADMIN,
    ROLE_MANAGER,
    ROLE_SALES_REP,
    ROLE_MARKETER,
    ROLE_SUPPORT_AGENT,
    ROLE_READ_ONLY,
)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(value)s is not a known time zone."), params={"value": value}
        ) from exc


class Role(TimeStampedModel):
    """A named set of permissions. The six system roles are seeded by a migration."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_system = models.BooleanField(default=False)
    # The access matrix of this role, filled in by the access policy (issue: access).
    permissions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    name = models.CharField(_("name"), max_length=150, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("email is required")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in to Accord, identified by email."""

    email = models.EmailField(_("email"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    role = models.ForeignKey(
        Role, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    teams = models.ManyToManyField(Team, through="Membership", related_name="users", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(
        _("language"), max_length=10, default="en", choices=settings.LANGUAGES
    )
    theme = models.CharField(
        _("theme"),
        max_length=10,
        default="auto",
        choices=[("auto", _("System")), ("light", _("Light")), ("dark", _("Dark"))],
    )

    # Bumped to sign the user out of every session at once (see get_session_auth_hash).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()
    # Never in the audit trail: the hash, the login stamp and the session counter.
    audit_exclude = ("password", "last_login", "session_generation")

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django signs every session with a hash of the password; mixing in the session
        # generation lets an admin (or the user) end every session without a password change.
        # Generation 0 keeps Django's own hash, so existing sessions survive the upgrade.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        value = (
            self.password
            if not self.session_generation
            else (f"{self.password}:{self.session_generation}")
        )
        return salted_hmac(key_salt, value, secret=secret, algorithm="sha256").hexdigest()

    @property
    def role_slug(self) -> str:
        return self.role.slug if self.role_id and self.role else ""


class Membership(TimeStampedModel):
    """A user in a team; managers of a team see and manage its records."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    is_manager = models.BooleanField(_("manager of the team"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "team"], name="membership_user_team_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class ApiToken(models.Model):
    """A personal API token: ``acc_<prefix>_<secret>``, stored as a SHA-256 hash.

    Created and revoked through ``accord.accounts.tokens``; the plaintext is shown once.
    """

    SCOPE_READ = "read"
    SCOPE_WRITE = "write"
    SCOPE_CHOICES = [(SCOPE_READ, _("Read")), (SCOPE_WRITE, _("Read and write"))]
    # Neither the hash nor the every-minute usage stamp belongs in the audit trail.
    audit_exclude = ("secret_hash", "last_used_at")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    scope = models.CharField(_("scope"), max_length=5, choices=SCOPE_CHOICES, default=SCOPE_READ)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="apitoken_user_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: Any = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_usable(self, now: Any = None) -> bool:
        return not self.is_revoked and not self.is_expired(now) and self.user.is_active

    @property
    def can_write(self) -> bool:
        return self.scope == self.SCOPE_WRITE


class Invitation(models.Model):
    """An emailed link that lets an invited user set a password; single use, expires.

    Only the SHA-256 hash of the link's token is stored.
    """

    audit_exclude = ("token_hash",)

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation of {self.user}"

    def is_usable(self, now: Any = None) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > (now or timezone.now())
        )


class UserSession(models.Model):
    """One signed-in browser session, for "your sessions" and revocation.

    Written by ``accord.accounts.middleware.UserSessionMiddleware``; the session itself lives
    in Django's session store, keyed by the same ``session_key``.
    """

    session_key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="browser_sessions")
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("signed in"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "-last_seen_at"], name="usersession_user_seen")]

    def __str__(self) -> str:
        return f"session of {self.user} from {self.ip_address}"


class TwoFactorDevice(models.Model):
    """A user's TOTP authenticator; enabled once ``confirmed_at`` is set."""

    audit_exclude = ("secret", "last_used_step")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(_("enabled"), null=True, blank=True)
    # The TOTP time step of the last accepted code: a code is never accepted twice.
    last_used_step = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"two-factor device of {self.user}"

    @property
    def is_enabled(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A single-use two-factor recovery code, stored as a SHA-256 hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "code_hash"], name="recoverycode_user_hash")]

    def __str__(self) -> str:
        return f"recovery code of {self.user}"
