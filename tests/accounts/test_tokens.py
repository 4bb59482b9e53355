"""Personal API tokens: services and the `accord token` command."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.accounts.models import ApiToken, User
from accord.accounts.tokens import (
    TokenError,
    api_token_authenticate,
    api_token_create,
    api_token_list,
    api_token_revoke,
)
from accord.core import audit
from accord.core.api.testing import ApiClient
from accord.core.audit import AuditEntry

TOKEN_RE = re.compile(r"^acc_[a-z0-9]{8}_[A-Za-z0-9]{40}$")


@pytest.mark.django_db
class TestCreate:
    def test_token_is_shaped_and_stored_hashed(self, user: User) -> None:
        created = api_token_create(user=user, actor=user, name="Backup", scope="write")

        assert TOKEN_RE.match(created.plaintext), created.plaintext
        row = ApiToken.objects.get()
        assert row.user == user
        assert row.name == "Backup"
        assert row.scope == "write"
        assert created.plaintext.split("_")[1] == row.prefix
        assert row.secret_hash == hashlib.sha256(created.plaintext.encode()).hexdigest()
        secret = created.plaintext.split("_")[2]
        for value in (row.name, row.prefix, row.secret_hash, row.scope):
            assert secret not in value
        assert row.last_used_at is None
        assert row.revoked_at is None

    def test_defaults_to_read_scope_and_a_name(self, user: User) -> None:
        created = api_token_create(user=user, actor=None)
        assert created.token.scope == "read"
        assert created.token.name == "API token"

    def test_two_tokens_differ(self, user: User) -> None:
        first = api_token_create(user=user, actor=None)
        second = api_token_create(user=user, actor=None)
        assert first.plaintext != second.plaintext
        assert first.token.prefix != second.token.prefix

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"scope": "admin"}, "scope"),
            ({"name": "x" * 101}, "name"),
            ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expires_at"),
        ],
    )
    def test_bad_input_names_the_field(self, user: User, kwargs: dict, field: str) -> None:
        with pytest.raises(ValidationError) as info:
            api_token_create(user=user, actor=user, **kwargs)
        assert list(info.value.message_dict) == [field]
        assert ApiToken.objects.count() == 0

    def test_nobody_creates_tokens_for_someone_else(self, user: User, admin_user: User) -> None:
        with pytest.raises(PermissionDenied):
            api_token_create(user=user, actor=admin_user)
        assert ApiToken.objects.count() == 0

    def test_deactivated_user_gets_no_token(self, user: User) -> None:
        user.is_active = False
        user.save()
        with pytest.raises(ValidationError) as info:
            api_token_create(user=user, actor=None)
        assert list(info.value.message_dict) == ["user"]


@pytest.mark.django_db
class TestAuthenticate:
    def test_valid_token_returns_it_with_user(self, user: User) -> None:
        created = api_token_create(user=user, actor=None)
        token = api_token_authenticate(created.plaintext)
        assert token.pk == created.token.pk
        assert token.user == user

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # wrong secret
            lambda t: "acc_zzzzzzzz_" + t.split("_")[2],  # unknown prefix
            lambda t: t.replace("acc_", "xyz_"),  # not our format
            lambda t: t[:-3],  # truncated
            lambda t: "",
        ],
    )
    def test_wrong_tokens_are_refused(self, user: User, mangle) -> None:
        created = api_token_create(user=user, actor=None)
        with pytest.raises(TokenError):
            api_token_authenticate(mangle(created.plaintext))

    def test_revoked_token_is_refused(self, user: User) -> None:
        created = api_token_create(user=user, actor=None)
        api_token_revoke(token=created.token, actor=user)
        with pytest.raises(TokenError, match="revoked"):
            api_token_authenticate(created.plaintext)

    def test_expired_token_is_refused(self, user: User) -> None:
        expires = timezone.now() + timedelta(hours=1)
        created = api_token_create(user=user, actor=None, expires_at=expires)
        api_token_authenticate(created.plaintext, now=expires - timedelta(seconds=1))
        with pytest.raises(TokenError, match="expired"):
            api_token_authenticate(created.plaintext, now=expires)

    def test_deactivated_users_token_is_refused(self, user: User) -> None:
        created = api_token_create(user=user, actor=None)
        User.objects.filter(pk=user.pk).update(is_active=False)
        with pytest.raises(TokenError, match="deactivated"):
            api_token_authenticate(created.plaintext)

    def test_last_used_is_written_at_most_once_a_minute(self, user: User) -> None:
        created = api_token_create(user=user, actor=None)
        start = timezone.now()

        api_token_authenticate(created.plaintext, now=start)
        created.token.refresh_from_db()
        assert created.token.last_used_at == start

        api_token_authenticate(created.plaintext, now=start + timedelta(seconds=59))
        created.token.refresh_from_db()
        assert created.token.last_used_at == start

        later = start + timedelta(seconds=61)
        api_token_authenticate(created.plaintext, now=later)
        created.token.refresh_from_db()
        assert created.token.last_used_at == later


@pytest.mark.django_db
class TestRevokeAndList:
    def test_revoke_is_idempotent(self, user: User) -> None:
        token = api_token_create(user=user, actor=None).token
        api_token_revoke(token=token, actor=user)
        first = token.revoked_at
        assert first is not None
        api_token_revoke(token=token, actor=user)
        token.refresh_from_db()
        assert token.revoked_at == first

    def test_only_owner_or_superuser_revokes(
        self, user: User, manager: User, admin_user: User
    ) -> None:
        token = api_token_create(user=user, actor=None).token
        with pytest.raises(PermissionDenied):
            api_token_revoke(token=token, actor=manager)
        token.refresh_from_db()
        assert token.revoked_at is None
        api_token_revoke(token=token, actor=admin_user)
        token.refresh_from_db()
        assert token.revoked_at is not None

    def test_list_is_newest_first_and_own_only(self, user: User, manager: User) -> None:
        first = api_token_create(user=user, actor=None, name="first").token
        second = api_token_create(user=user, actor=None, name="second").token
        api_token_create(user=manager, actor=None, name="not mine")
        api_token_revoke(token=first, actor=user)
        assert [t.name for t in api_token_list(user=user)] == ["second", "first"]
        assert [t.pk for t in api_token_list(user=user, include_revoked=False)] == [second.pk]


@pytest.mark.django_db
class TestCommand:
    def run(self, *args: str) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("token", *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_create_prints_only_the_token(self, user: User) -> None:
        out, err = self.run(
            "create", "--user", "REP@example.com", "--scope", "write", "--name", "ci"
        )
        assert TOKEN_RE.match(out.strip()), out
        assert out.count("\n") == 1
        token = ApiToken.objects.get()
        assert (token.user, token.scope, token.name) == (user, "write", "ci")
        assert token.prefix in err
        assert api_token_authenticate(out.strip()).pk == token.pk

    def test_create_with_expiry(self, user: User) -> None:
        self.run("create", "--user", user.email, "--expires-in-days", "30")
        token = ApiToken.objects.get()
        assert token.scope == "read"
        assert token.expires_at is not None
        expected = timezone.now() + timedelta(days=30)
        assert abs((token.expires_at - expected).total_seconds()) < 60

    def test_unknown_user_is_named(self, db: None) -> None:
        with pytest.raises(CommandError, match=r"--user: no user with the email 'nobody@x\.org'"):
            self.run("create", "--user", "nobody@x.org")

    def test_bad_scope_is_refused(self, user: User) -> None:
        with pytest.raises(CommandError, match="scope"):
            self.run("create", "--user", user.email, "--scope", "admin")
        assert ApiToken.objects.count() == 0

    def test_list_and_revoke(self, user: User) -> None:
        plaintext, _err = self.run("create", "--user", user.email, "--name", "nightly")
        prefix = plaintext.split("_")[1]

        out, _err = self.run("list", "--user", user.email)
        lines = out.strip().splitlines()
        assert lines[0].split() == ["PREFIX", "SCOPE", "STATE", "CREATED", "LAST", "USED", "NAME"]
        assert lines[1].split()[:3] == [prefix, "read", "active"]
        assert lines[1].endswith("nightly")

        out, _err = self.run("revoke", prefix)
        assert out.strip() == f"Revoked token {prefix} of {user.email}."
        with pytest.raises(TokenError):
            api_token_authenticate(plaintext.strip())

        out, _err = self.run("list", "--user", user.email)
        assert out.strip().splitlines()[1].split()[2] == "revoked"

    def test_revoke_unknown_prefix(self, db: None) -> None:
        with pytest.raises(CommandError, match=r"no API token with the prefix 'nothere1'"):
            self.run("revoke", "nothere1")

    def test_list_without_tokens(self, user: User) -> None:
        out, _err = self.run("list", "--user", user.email)
        assert out.strip() == f"{user.email} has no API tokens."


@pytest.mark.django_db
class TestAudit:
    def entries(self, token: ApiToken) -> list[AuditEntry]:
        return list(audit.history_for(token).order_by("pk"))

    def test_create_and_revoke_are_audited_without_the_hash(self, user: User) -> None:
        created = api_token_create(user=user, actor=user, name="ci", scope="write")
        api_token_revoke(token=created.token, actor=user)
        api_token_revoke(token=created.token, actor=user)  # no change, no entry

        first, second = self.entries(created.token)
        assert (first.verb, first.actor, second.verb, second.actor) == (
            "create",
            user,
            "update",
            user,
        )
        assert first.changes["name"] == [None, "ci"]
        assert first.changes["scope"] == [None, "write"]
        assert "secret_hash" not in first.changes
        assert created.plaintext not in json.dumps(first.changes)
        assert list(second.changes) == ["revoked_at"]
        assert second.changes["revoked_at"][0] is None

    def test_command_line_origin(self, user: User) -> None:
        call_command("token", "create", "--user", user.email, stdout=StringIO(), stderr=StringIO())
        (entry,) = self.entries(ApiToken.objects.get())
        assert (entry.origin, entry.actor, entry.actor_label) == ("cli", None, "cli:token")

    def test_api_origin(self, user: User) -> None:
        plaintext = api_token_create(user=user, actor=None, scope="write").plaintext
        response = ApiClient(token=plaintext).post("/api/v1/tokens", {"name": "via api"})
        assert response.status_code == 201
        (entry,) = self.entries(ApiToken.objects.get(name="via api"))
        assert (entry.origin, entry.actor) == ("api", user)
