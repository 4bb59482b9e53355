"""Permission matrix rows of the notifications app (see tests/permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import Endpoint, World, declare, web_page

from accord.notifications.models import Notification


def owner_notification(world: World) -> dict[str, Any]:
    notification = world.once(
        "owner_notification",
        lambda w: Notification.objects.create(user=w.owner, title="Matrix", url="/profile/"),
    )
    return {"pk": notification.pk}


declare(
    Endpoint("notifications:notification_list", expect=web_page(200)),
    Endpoint("notifications:notification_menu", expect=web_page(200)),
    Endpoint("notifications:notification_read_all", method="POST", expect=web_page(200)),
    Endpoint(
        "notifications:notification_read",
        method="POST",
        kwargs=owner_notification,
        expect=web_page(404, owner=302),
    ),
    Endpoint(
        "notifications:notification_open",
        method="POST",
        kwargs=owner_notification,
        expect=web_page(404, owner=302),
    ),
)
