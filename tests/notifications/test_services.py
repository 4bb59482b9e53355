"""notification_create and mark-read services."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.accounts.models import User
from accord.notifications.models import Notification
from accord.notifications.selectors import notification_list, notification_unread_count
from accord.notifications.services import (
    notification_create,
    notification_mark_all_read,
    notification_mark_read,
)

pytestmark = pytest.mark.django_db


def test_create_makes_an_unread_notification(user: User) -> None:
    notification = notification_create(
        user=user,
        title="  Call Ada back ",
        body="She asked about pricing.",
        url="/contacts/1/",
        kind="reminder",
    )
    notification.refresh_from_db()
    assert (notification.title, notification.body, notification.url, notification.kind) == (
        "Call Ada back",
        "She asked about pricing.",
        "/contacts/1/",
        "reminder",
    )
    assert notification.read_at is None
    assert notification_unread_count(user) == 1


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"title": " "}, {"title": ["A notification needs a title."]}),
        ({"title": "x" * 201}, {"title": ["The title is longer than 200 characters."]}),
        (
            {"title": "Hi", "url": "https://evil.example/"},
            {"url": ["The link must be a path on this site, starting with /."]},
        ),
        (
            {"title": "Hi", "url": "//evil.example/"},
            {"url": ["The link must be a path on this site, starting with /."]},
        ),
        ({"title": "Hi", "kind": "shout"}, {"kind": ["Unknown kind of notification."]}),
    ],
)
def test_create_rejects_bad_input_and_writes_nothing(
    user: User, fields: dict[str, str], errors: dict[str, list[str]]
) -> None:
    with pytest.raises(ValidationError) as caught:
        notification_create(user=user, **fields)
    assert caught.value.message_dict == errors
    assert Notification.objects.count() == 0


def test_mark_read_and_unread_count(user: User) -> None:
    first = notification_create(user=user, title="One")
    notification_create(user=user, title="Two")
    assert notification_unread_count(user) == 2
    notification_mark_read(notification=first, actor=user)
    first.refresh_from_db()
    assert first.read_at is not None
    read_at = first.read_at
    notification_mark_read(notification=first, actor=user)  # twice does no harm
    first.refresh_from_db()
    assert first.read_at == read_at
    assert notification_unread_count(user) == 1


def test_mark_read_of_someone_elses_is_denied(user: User, admin_user: User) -> None:
    notification = notification_create(user=user, title="Private")
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=notification, actor=admin_user)
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_only_touches_own(user: User, admin_user: User) -> None:
    notification_create(user=user, title="A")
    notification_create(user=user, title="B")
    notification_create(user=admin_user, title="C")
    assert notification_mark_all_read(actor=user) == 2
    assert notification_unread_count(user) == 0
    assert notification_unread_count(admin_user) == 1


def test_list_is_newest_first_and_scoped(user: User, admin_user: User) -> None:
    notification_create(user=user, title="Old")
    notification_create(user=user, title="New")
    notification_create(user=admin_user, title="Not mine")
    assert [n.title for n in notification_list(user)] == ["New", "Old"]
