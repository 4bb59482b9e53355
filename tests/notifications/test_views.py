"""The bell, the dropdown, the notifications page and mark-read actions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import User
from accord.notifications.models import Notification
from accord.notifications.services import notification_create

pytestmark = pytest.mark.django_db


def test_bell_shows_unread_count(user_client: Client, user: User) -> None:
    html = user_client.get(reverse("web:home")).content.decode()
    assert '<span class="bell-count" id="notification-count" hidden' in html
    notification_create(user=user, title="One")
    notification_create(user=user, title="Two")
    html = user_client.get(reverse("web:home")).content.decode()
    assert 'aria-label="2 unread notifications">2</span>' in html


def test_menu_lists_recent_and_updates_bell(user_client: Client, user: User) -> None:
    notification_create(user=user, title="Deal won: Acme", url="/deals/1/", kind="success")
    response = user_client.get(
        reverse("notifications:notification_menu"), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Deal won: Acme" in html
    assert 'hx-swap-oob="true"' in html


def test_list_page_and_empty_state(user_client: Client, user: User) -> None:
    html = user_client.get(reverse("notifications:notification_list")).content.decode()
    assert "No notifications yet" in html
    notification_create(user=user, title="Hello")
    html = user_client.get(reverse("notifications:notification_list")).content.decode()
    assert "Hello" in html
    html = user_client.get(
        reverse("notifications:notification_list"), {"filter": "unread"}
    ).content.decode()
    assert "Hello" in html


def test_mark_read_with_htmx_returns_row_and_new_count(user_client: Client, user: User) -> None:
    notification = notification_create(user=user, title="Ping")
    response = user_client.post(
        reverse("notifications:notification_read", args=[notification.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<li class="notification" id="notification-{notification.pk}">' in html
    assert 'id="notification-count" hx-swap-oob="true" hidden' in html
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_marks_read_and_follows_link(user_client: Client, user: User) -> None:
    notification = notification_create(user=user, title="Task due", url="/profile/")
    response = user_client.post(reverse("notifications:notification_open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_404_and_unchanged(
    user_client: Client, admin_user: User
) -> None:
    notification = notification_create(user=admin_user, title="Admin only")
    for name in ("notifications:notification_read", "notifications:notification_open"):
        response = user_client.post(reverse(name, args=[notification.pk]))
        assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_read_all(user_client: Client, user: User) -> None:
    notification_create(user=user, title="A")
    notification_create(user=user, title="B")
    response = user_client.post(
        reverse("notifications:notification_read_all"), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 0
    assert response.content.decode().lstrip().startswith('<div id="notification-list"')


def test_mark_read_requires_post(user_client: Client, user: User) -> None:
    notification = notification_create(user=user, title="A")
    response = user_client.get(reverse("notifications:notification_read", args=[notification.pk]))
    assert response.status_code == 405
