"""Every write to notifications goes through here (reminders, mentions, jobs, the UI)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.notifications.models import Notification, NotificationKind


def notification_create(
    *,
    user: Any,
    title: str,
    body: str = "",
    url: str = "",
    kind: str = NotificationKind.INFO,
) -> Notification:
    """Create an unread notification for ``user``.

    ``url`` is where the notification leads (a path such as ``/deals/12/``); it must be a
    local path so a notification can never send someone to another site.
    """
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("A notification needs a title.")
    elif len(title) > 200:
        errors["title"] = _("The title is longer than 200 characters.")
    if url and (not url.startswith("/") or url.startswith("//")):
        errors["url"] = _("The link must be a path on this site, starting with /.")
    if kind not in NotificationKind.values:
        errors["kind"] = _("Unknown kind of notification.")
    if errors:
        raise ValidationError(errors)
    return Notification.objects.create(user=user, title=title, body=body, url=url, kind=kind)


def notification_mark_read(*, notification: Notification, actor: Any) -> Notification:
    """Mark one notification read. Only its recipient may do so."""
    if notification.user_id != actor.pk:
        raise PermissionDenied(_("This notification belongs to someone else."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; returns how many changed."""
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )
