"""Visibility from the access policy (``accord.core.policy``): who sees which index rows.

    visibility = visibility_for(request.user, "contacts.contact")
    search_query(q, object_types=["contacts.contact"], visibility=visibility)

    # several types, each with its own scope (types sharing one are searched together):
    search_query(q, visibility=visibilities_for(request.user, ["contacts.contact",
                                                               "contacts.company"]))

The index stores each record's ``owner_id`` and ``team_id``, so the policy's standard scopes
map onto it directly: ``all`` -> see everything, ``team`` -> the user's teams plus their own
records, ``own`` -> their own records, ``none`` -> nothing. A Policy subclass whose
``filter_q`` means something else (e.g. team-less records visible to everyone) needs its own
Visibility, or a post-check through ``policy.scope``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accord.core import policy
from accord.search.types import Visibility


def visibility_for(user: Any, object_type: str, action: str = "view") -> Visibility:
    """The index rows of ``object_type`` that ``user`` may ``action`` (default: view)."""
    try:
        decision = policy.policy_for(object_type).decide(user, action)
    except LookupError:
        decision = policy.decide(user, object_type, action)
    if decision.scope is policy.Scope.ALL:
        return Visibility(see_all=True)
    if decision.scope is policy.Scope.NONE or user.pk is None:
        return Visibility()
    own = frozenset({int(user.pk)})
    if decision.scope is policy.Scope.TEAM:
        return Visibility(owner_ids=own, team_ids=policy.access_for(user).team_ids)
    return Visibility(owner_ids=own)


def visibilities_for(user: Any, object_types: Iterable[str]) -> dict[str, Visibility]:
    """``visibility_for`` of each type, for ``search_query(visibility=...)``."""
    return {object_type: visibility_for(user, object_type) for object_type in object_types}
