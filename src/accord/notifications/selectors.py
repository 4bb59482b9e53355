"""Reads of notifications. A user only ever sees their own."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accord.notifications.models import Notification


def notification_scope(user: Any) -> QuerySet[Notification]:
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_unread_count(user: Any) -> int:
    return notification_scope(user).filter(read_at__isnull=True).count()


def notification_list(
    user: Any, *, unread_only: bool = False, limit: int = 50
) -> list[Notification]:
    queryset = notification_scope(user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return list(queryset[:limit])
