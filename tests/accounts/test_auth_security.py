"""Signing in: lock-out after failures, two-factor codes, password reset by email,
invitations end to end over real SMTP, and session records / revocation."""

from __future__ import annotations

import datetime as dt
import email
import re
import socket
import time
from collections.abc import Callable, Iterator
from email.message import Message
from typing import Any

import pyotp
import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from tests.factories import PASSWORD

from accord.accounts import throttle, twofactor
from accord.accounts.models import RecoveryCode, Team, TwoFactorDevice, User, UserSession
from accord.core.audit import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(client: Client, email_address: str, password: str, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email_address, "password": password}, **extra)


# --- Lock-out -------------------------------------------------------------------------------


def test_five_failures_lock_the_email_and_address(client: Client, user: User) -> None:
    for _attempt in range(4):
        response = sign_in(client, user.email, "wrong")
        assert response.status_code == 200
        assert "Please enter a correct email and password." in response.content.decode()
    response = sign_in(client, user.email, "wrong")
    page = response.content.decode()
    assert "Too many failed sign-ins." in page
    assert "locked for 15 more minutes: try again at" in page
    # Locked: even the right password is refused until the lock ends.
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "Too many failed sign-ins." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not locked out (the lock is per email + IP).
    other = Client(REMOTE_ADDR="10.0.0.9")
    response = sign_in(other, user.email, PASSWORD)
    assert response.status_code == 302


def test_lock_lives_in_the_shared_cache_and_expires(user: User) -> None:
    for _attempt in range(4):
        assert throttle.record_failure(user.email, "10.1.1.1") is None
    lock = throttle.record_failure(user.email.upper(), "10.1.1.1")
    assert lock is not None
    assert lock.minutes_left == 15
    assert throttle.locked_until(user.email, "10.1.1.1") == lock
    assert throttle.locked_until(user.email, "10.1.1.2") is None
    throttle.reset(user.email, "10.1.1.1")
    assert throttle.locked_until(user.email, "10.1.1.1") is None


def test_success_resets_the_failures(client: Client, user: User) -> None:
    for _attempt in range(4):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _attempt in range(4):
        response = sign_in(client, user.email, "wrong")
        assert "Too many failed sign-ins." not in response.content.decode()


# --- Two-factor -----------------------------------------------------------------------------


def enable_two_factor(user: User) -> tuple[str, list[str]]:
    device = twofactor.twofactor_begin(user=user)
    codes = twofactor.twofactor_enable(user=user, code=pyotp.TOTP(device.secret).now())
    return device.secret, codes


def test_enrolment_page_shows_qr_and_secret(user_client: Client, user: User) -> None:
    response = user_client.get(reverse("accounts:two_factor_setup"))
    page = response.content.decode()
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert "<svg" in page
    assert device.secret in page
    assert "otpauth://totp/Accord:rep%40example.com?secret=" in page
    response = user_client.post(reverse("accounts:two_factor_setup"), {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    code = pyotp.TOTP(device.secret).now()
    response = user_client.post(reverse("accounts:two_factor_setup"), {"code": code})
    assert response.status_code == 302
    page = user_client.get(reverse("accounts:security")).content.decode()
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", page)
    assert len(codes) == 10
    assert RecoveryCode.objects.filter(user=user).count() == 10
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not any(c.replace("-", "") in h for c in codes for h in stored)
    # Shown once only.
    assert (
        "<code>" + codes[0] + "</code>"
        not in user_client.get(reverse("accounts:security")).content.decode()
    )


def test_login_asks_for_the_code_after_the_password(client: Client, user: User) -> None:
    secret, _codes = enable_two_factor(user)
    TwoFactorDevice.objects.filter(user=user).update(last_used_step=0)
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_two_factor")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("web:profile")).status_code == 302
    response = client.post(reverse("accounts:login_two_factor"), {"code": "123456"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    code = pyotp.TOTP(secret).now()
    response = client.post(reverse("accounts:login_two_factor"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("web:profile")).status_code == 200
    # The same code is never accepted twice.
    replay = Client()
    sign_in(replay, user.email, PASSWORD)
    response = replay.post(reverse("accounts:login_two_factor"), {"code": code})
    assert response.status_code == 400


def test_recovery_code_works_once(client: Client, user: User) -> None:
    _secret, codes = enable_two_factor(user)
    sign_in(client, user.email, PASSWORD)
    response = client.post(reverse("accounts:login_two_factor"), {"code": codes[3].upper()})
    assert response.status_code == 302
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    again = Client()
    sign_in(again, user.email, PASSWORD)
    assert again.post(reverse("accounts:login_two_factor"), {"code": codes[3]}).status_code == 400
    assert AuditEntry.objects.filter(action="user.recovery_code_used").count() == 1


def test_wrong_codes_count_towards_the_lock(client: Client, user: User) -> None:
    enable_two_factor(user)
    sign_in(client, user.email, PASSWORD)
    for _attempt in range(4):
        client.post(reverse("accounts:login_two_factor"), {"code": "000000"})
    response = client.post(reverse("accounts:login_two_factor"), {"code": "000000"})
    assert "Too many failed sign-ins." in response.content.decode()


def test_disable_needs_the_password(user_client: Client, user: User) -> None:
    enable_two_factor(user)
    url = reverse("accounts:two_factor_disable")
    response = user_client.post(url, {"disable-password": "wrong"})
    assert response.status_code == 400
    assert "The password is not right." in response.content.decode()
    assert twofactor.is_enabled(user) is True
    assert user_client.post(url, {"disable-password": PASSWORD}).status_code == 302
    assert twofactor.is_enabled(user) is False
    assert RecoveryCode.objects.filter(user=user).count() == 0
    assert list(
        AuditEntry.objects.filter(action__startswith="user.two_factor").values_list(
            "action", flat=True
        )
    ) == ["user.two_factor_disabled", "user.two_factor_enabled"]


def test_admin_can_turn_off_someone_elses_two_factor(
    user: User, settings_admin: User, settings_client: Client, manager: User
) -> None:
    enable_two_factor(user)
    with pytest.raises(PermissionDenied):
        twofactor.twofactor_disable(user=user, password="", actor=manager)
    assert twofactor.is_enabled(user) is True
    response = settings_client.post(reverse("settings:user_two_factor_reset", args=[user.pk]))
    assert response.status_code == 302
    assert twofactor.is_enabled(user) is False
    entry = AuditEntry.objects.get(action="user.two_factor_disabled")
    assert entry.actor_id == settings_admin.pk


# --- Password reset -------------------------------------------------------------------------


def test_login_page_links_to_password_reset(client: Client) -> None:
    page = client.get(LOGIN).content.decode()
    assert f'href="{reverse("accounts:password_reset")}"' in page


def test_password_reset_by_email(client: Client, user: User) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "REP@example.com"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Reset your Accord password"
    assert message.to == ["rep@example.com"]
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/reset/\S+/)", str(message.body))
    assert link is not None
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")
    assert User.objects.get(pk=user.pk).check_password("brand-new-passphrase")
    # The link is single-use.
    response = client.get(link.group(1), follow=True)
    assert "This link does not work any more" in response.content.decode()


def test_password_reset_for_unknown_email_says_the_same(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


# --- Sessions -------------------------------------------------------------------------------


def test_sessions_are_listed_and_revoked(client_for: Callable[[User], Client], user: User) -> None:
    laptop = client_for(user)
    phone = client_for(user)
    laptop.get(reverse("web:profile"), HTTP_USER_AGENT="Laptop Firefox")
    phone.get(reverse("web:profile"), HTTP_USER_AGENT="Phone Safari", REMOTE_ADDR="10.2.3.4")
    page = laptop.get(reverse("accounts:security")).content.decode()
    assert "Laptop Firefox" in page
    assert "Phone Safari" in page
    assert "10.2.3.4" in page
    phone_session = UserSession.objects.get(user_agent="Phone Safari")
    response = laptop.post(reverse("accounts:session_revoke", args=[phone_session.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("web:profile")).status_code == 302
    assert laptop.get(reverse("web:profile")).status_code == 200
    assert list(UserSession.objects.values_list("user_agent", flat=True)) == ["Laptop Firefox"]


def test_revoke_all_others_keeps_the_current_session(
    client_for: Callable[[User], Client], user: User
) -> None:
    clients = [client_for(user) for _n in range(3)]
    for index, browser in enumerate(clients):
        browser.get(reverse("web:profile"), HTTP_USER_AGENT=f"Browser {index}")
    response = clients[0].post(reverse("accounts:session_revoke_others"))
    assert response.status_code == 302
    assert clients[0].get(reverse("web:profile")).status_code == 200
    assert clients[1].get(reverse("web:profile")).status_code == 302
    assert clients[2].get(reverse("web:profile")).status_code == 302


def test_cannot_revoke_someone_elses_session(
    client_for: Callable[[User], Client], user: User, manager: User
) -> None:
    theirs = client_for(manager)
    theirs.get(reverse("web:profile"))
    session = UserSession.objects.get(user=manager)
    mine = client_for(user)
    assert mine.post(reverse("accounts:session_revoke", args=[session.pk])).status_code == 404
    assert theirs.get(reverse("web:profile")).status_code == 200


def test_sign_out_removes_the_session_record(client: Client, user: User) -> None:
    sign_in(client, user.email, PASSWORD)
    client.get(reverse("web:profile"))
    assert UserSession.objects.filter(user=user).count() == 1
    client.post(reverse("accounts:logout"))
    assert UserSession.objects.filter(user=user).count() == 0


# --- Invitation end to end over SMTP --------------------------------------------------------


class Collector:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Collector]:
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield collector
    finally:
        controller.stop()


def test_invitation_end_to_end(
    smtp_server: Collector,
    settings_client: Client,
    team: Team,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = settings_client.post(
            reverse("settings:user_invite"),
            {
                "email": "newbie@example.com",
                "full_name": "Nia Newbie",
                "role": str(_role_pk("sales-rep")),
                f"team_{team.pk}": "member",
            },
        )
    assert response.status_code == 302
    deadline = time.monotonic() + 10
    while not smtp_server.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = smtp_server.messages
    assert message["To"] == "newbie@example.com"
    body = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    match = re.search(r"http://127\.0\.0\.1:8000(/accounts/invitation/[\w-]+/)", body)
    assert match is not None
    invitee = Client()
    page = invitee.get(match.group(1))
    assert page.status_code == 200
    assert "Choose a password for newbie@example.com" in page.content.decode()
    response = invitee.post(
        match.group(1),
        {"new_password1": "my-first-passphrase", "new_password2": "my-first-passphrase"},
    )
    assert response.status_code == 302
    assert invitee.get(reverse("web:profile")).status_code == 200
    created = User.objects.get(email="newbie@example.com")
    assert created.is_active is True
    assert list(created.teams.values_list("name", flat=True)) == ["Sales North"]
    # The link worked once.
    assert Client().get(match.group(1)).status_code == 404


def _role_pk(slug: str) -> int:
    from accord.accounts.models import Role

    return int(Role.objects.get(slug=slug).pk)


def test_session_record_is_refreshed_at_most_once_a_minute(
    client_for: Callable[[User], Client], user: User
) -> None:
    browser = client_for(user)
    browser.get(reverse("web:profile"))
    record = UserSession.objects.get(user=user)
    seen = record.last_seen_at
    browser.get(reverse("web:profile"))
    assert UserSession.objects.get(pk=record.pk).last_seen_at == seen
    session = browser.session
    key, stamp = session["_accord_seen"]
    session["_accord_seen"] = [key, stamp - 120]
    session.save()
    UserSession.objects.filter(pk=record.pk).update(last_seen_at=seen - dt.timedelta(minutes=2))
    browser.get(reverse("web:profile"))
    assert UserSession.objects.get(pk=record.pk).last_seen_at > seen - dt.timedelta(minutes=2)


def test_password_change_ends_the_other_sessions(
    client_for: Callable[[User], Client], user: User
) -> None:
    here, there = client_for(user), client_for(user)
    response = here.post(
        reverse("web:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("web:profile")).status_code == 200
    assert there.get(reverse("web:profile")).status_code == 302
