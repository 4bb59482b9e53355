"""Permission matrix rows of the list framework's endpoints (``lists:*``: saved views,
columns, bulk actions, CSV export), exercised on the contacts list. See
tests/permission_matrix.py."""

from __future__ import annotations

from typing import Any

from tests.contacts.permissions import own_contact
from tests.permission_matrix import Endpoint, World, declare, only, web_page

from accord.lists.models import SavedView
from accord.lists.services import saved_view_create

OBJECT_TYPE = "contacts.contact"


def shared_view(world: World) -> SavedView:
    """A view of the owner, shared with team A."""
    return world.once(
        "lists_shared_view",
        lambda w: saved_view_create(
            actor=w.owner,
            object_type=OBJECT_TYPE,
            data={"name": "Matrix view", "filters": {}, "shared_with_team_id": w.team.pk},
        ),
    )


def view_kwargs(world: World) -> dict[str, Any]:
    return {"object_type": OBJECT_TYPE, "pk": shared_view(world).pk}


# Only the owner changes a view; team A members see it (403); others do not (404), the
# admin included (a saved view is personal: not shared with a team the admin is in).
OWNER_OF_VIEW = web_page(
    **only(("owner",), 302, 403, other_team=404, admin=404),
)

declare(
    Endpoint(
        "lists:saved_view_create",
        method="POST",
        kwargs=lambda w: {"object_type": OBJECT_TYPE},
        data=lambda w: {"name": "Mine", "query": "lifecycle_stage=lead"},
        expect=web_page(302),
        note="a personal view: every signed-in user may save one",
    ),
    Endpoint(
        "lists:saved_view_update",
        method="POST",
        kwargs=view_kwargs,
        data=lambda w: {"name": "Renamed"},
        expect=OWNER_OF_VIEW,
    ),
    Endpoint(
        "lists:saved_view_delete",
        method="POST",
        kwargs=view_kwargs,
        expect=OWNER_OF_VIEW,
    ),
    Endpoint(
        "lists:columns",
        method="POST",
        kwargs=lambda w: {"object_type": OBJECT_TYPE},
        data=lambda w: {"columns": ["name", "email"]},
        expect=web_page(302),
        note="the caller's own column preference",
    ),
    Endpoint(
        "lists:bulk",
        method="POST",
        kwargs=lambda w: {"object_type": OBJECT_TYPE},
        data=lambda w: {
            "action": "tag_add",
            "ids": [own_contact(w).pk],
            "confirm": "1",
            "tags": "matrix",
        },
        expect=web_page(302, read_only=403),
        note="bulk_update capability; another team's ids select nothing (back to the list)",
    ),
    Endpoint(
        "lists:export",
        kwargs=lambda w: {"object_type": OBJECT_TYPE},
        expect=web_page(**only(("manager", "admin"), 200, 403)),
        note="the export capability",
    ),
)
