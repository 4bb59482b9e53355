"""Optional TOTP two-factor sign-in (RFC 6238, any authenticator app) with recovery codes.

Enrolment: :func:`twofactor_begin` draws a secret (shown as a QR code and as text), then
:func:`twofactor_enable` checks one code from the app and returns ten single-use recovery
codes, shown once and stored hashed. Sign-in asks for a code after the password
(:func:`twofactor_verify`); a code is never accepted twice. :func:`twofactor_disable` needs
the password.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import time
from typing import Any

import pyotp
import qrcode
import qrcode.image.svg
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.accounts.models import RecoveryCode, TwoFactorDevice, User
from accord.core import audit, policy

ISSUER = "Accord"
RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
VALID_WINDOW = 1  # accept the previous and next 30-second step too (clock drift)


def _hash(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def is_enabled(user: Any) -> bool:
    pk = getattr(user, "pk", None)
    if pk is None:
        return False
    device = TwoFactorDevice.objects.filter(user_id=pk).first()
    return device is not None and device.is_enabled


def provisioning_uri(user: User, device: TwoFactorDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code (pure Python, no image library)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def twofactor_begin(*, user: User) -> TwoFactorDevice:
    """Start (or restart) enrolment with a fresh secret; refused while two-factor is on."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.is_enabled:
            raise ValidationError({"code": _("Two-factor sign-in is already on.")})
        if device is None:
            device = TwoFactorDevice(user=user)
        device.secret = pyotp.random_base32()
        device.created_at = timezone.now()
        device.last_used_step = 0
        device.save()
    return device


def _check_totp(device: TwoFactorDevice, code: str) -> bool:
    """True if ``code`` is valid now and newer than the last accepted one (saves the step)."""
    code = _normalise(code)
    if not code.isdigit() or len(code) != 6:
        return False
    totp = pyotp.TOTP(device.secret)
    now = time.time()
    for offset in range(-VALID_WINDOW, VALID_WINDOW + 1):
        at = now + offset * totp.interval
        step = int(at // totp.interval)
        if step <= device.last_used_step:
            continue
        if secrets.compare_digest(totp.at(at), code):
            device.last_used_step = step
            device.save(update_fields=["last_used_step"])
            return True
    return False


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _i in range(10))
        for _n in range(RECOVERY_CODE_COUNT)
    ]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash(c)) for c in codes])
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def twofactor_enable(*, user: User, code: str) -> list[str]:
    """Turn two-factor on after checking a code from the app; returns the recovery codes."""
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise ValidationError({"code": _("Start the set-up again.")})
        if device.is_enabled:
            raise ValidationError({"code": _("Two-factor sign-in is already on.")})
        if not _check_totp(device, code):
            raise ValidationError(
                {"code": _("That code is not right. Check the time on your phone and try again.")}
            )
        device.confirmed_at = timezone.now()
        device.save(update_fields=["confirmed_at"])
        codes = _new_recovery_codes(user)
        audit.record(user, audit.Verb.CUSTOM, user, action="user.two_factor_enabled")
    return codes


def twofactor_disable(*, user: User, password: str, actor: User | None = None) -> None:
    """Turn two-factor off; the user confirms with their password. An administrator
    (``manage_settings``) may turn it off for someone who lost their phone and codes."""
    actor = actor or user
    if actor.pk != user.pk:
        policy.require_capability(actor, "manage_settings")
    elif not user.check_password(password or ""):
        raise ValidationError({"password": _("The password is not right.")})
    with transaction.atomic():
        deleted, _detail = TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        if deleted:
            audit.record(user, audit.Verb.CUSTOM, actor, action="user.two_factor_disabled")


def recovery_codes_regenerate(*, user: User, password: str) -> list[str]:
    if not user.check_password(password or ""):
        raise ValidationError({"password": _("The password is not right.")})
    if not is_enabled(user):
        raise ValidationError({"password": _("Two-factor sign-in is off.")})
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(user, audit.Verb.CUSTOM, user, action="user.recovery_codes_regenerated")
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def twofactor_verify(*, user: User, code: str) -> str | None:
    """Check a sign-in code: a TOTP code or an unused recovery code.

    Returns ``"totp"`` or ``"recovery"`` when accepted (a recovery code is used up), else None.
    """
    with transaction.atomic():
        device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
        if device is None or not device.is_enabled:
            return None
        if _check_totp(device, code):
            return "totp"
        used = RecoveryCode.objects.filter(
            user=user, code_hash=_hash(code), used_at__isnull=True
        ).update(used_at=timezone.now())
        if used:
            audit.record(user, audit.Verb.CUSTOM, user, action="user.recovery_code_used")
            return "recovery"
    return None
