"""The permission matrix: what every endpoint answers to every kind of caller.

Each app declares its endpoints in ``tests/<app>/permissions.py``::

    from tests.permission_matrix import Endpoint, api, declare, web_admin, web_page

    declare(
        Endpoint("contacts:contact_list", expect=web_page()),
        Endpoint("contacts:contact_detail", kwargs=lambda w: {"pk": own_contact(w).pk},
                 expect=web_page(404, owner=200, same_team=200, manager=200,
                                 read_only=200, admin=200)),
        Endpoint("POST /api/v1/contacts", data=lambda w: {...}, expect=api(201, read_only=403)),
    )

``tests/test_permission_matrix.py`` walks every URL pattern of the project and every
operation of the JSON API; one that no ``permissions.py`` declares fails the suite with
"undeclared endpoint ...". Then it calls every declared endpoint as every actor, asserts the
exact status, and, for every denial (401, 403, 404, 405, or a redirect to sign in), that the
database did not change. See docs/accounts.md, "The permission matrix".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.accounts.models import Team, User

# The callers. owner, same_team, read_only and manager are in (or manage) team A; other_team
# is in team B. A record "of the owner" is owned by owner and belongs to team A.
ACTORS = (
    "owner",
    "same_team",
    "other_team",
    "manager",
    "read_only",
    "admin",
    "anonymous",
    "deactivated",
    "revoked_token",
)
SIGNED_IN = ("owner", "same_team", "other_team", "manager", "read_only", "admin")
SIGNED_OUT = ("anonymous", "deactivated", "revoked_token")
# Record-level shorthands: who can see a record of the owner in team A by default.
SEES_TEAM_A = ("owner", "same_team", "manager", "read_only", "admin")
EDITS_TEAM_A = ("owner", "same_team", "manager", "admin")

SIGN_IN_REDIRECT = 302


@dataclass
class World:
    """Users of every kind, and a place for apps to keep the records they create."""

    team: Team
    other_team: Team
    users: dict[str, User]
    tokens: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def owner(self) -> User:
        return self.users["owner"]

    def once(self, key: str, make: Callable[[World], Any]) -> Any:
        """Create something at most once per world (e.g. a record several arguments need)."""
        if key not in self.extra:
            self.extra[key] = make(self)
        return self.extra[key]


@dataclass(frozen=True)
class Endpoint:
    """One endpoint (a URL name, or ``"METHOD /api/v1/path/{param}"``) and its expectations.

    - ``expect``: the status per actor (every actor of ``ACTORS``; use the helpers).
    - ``method``: for URL names; API keys carry their method.
    - ``kwargs(world)``: URL arguments; ``data(world)``: form data (web) or JSON body (API);
      ``query(world)``: query string parameters.
    - ``covers_routes``: route prefixes this declaration stands for (e.g. ``"admin/"`` for
      Django's admin site, whose pages are all behind the same check).
    """

    key: str
    expect: Mapping[str, int]
    method: str = "GET"
    kwargs: Callable[[World], dict[str, Any]] | None = None
    data: Callable[[World], dict[str, Any]] | None = None
    query: Callable[[World], dict[str, Any]] | None = None
    path: str = ""  # a literal path, for patterns without a name
    covers_routes: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_api(self) -> bool:
        return " " in self.key

    @property
    def http_method(self) -> str:
        return self.key.split(" ", 1)[0] if self.is_api else self.method

    @property
    def case_id(self) -> str:
        return self.key if self.is_api else f"{self.method} {self.key}"


REGISTRY: dict[str, Endpoint] = {}


def declare(*endpoints: Endpoint) -> None:
    for endpoint in endpoints:
        missing = set(ACTORS) - set(endpoint.expect)
        extra = set(endpoint.expect) - set(ACTORS)
        if missing or extra:
            raise ValueError(
                f"{endpoint.case_id}: expect must name every actor; "
                f"missing {sorted(missing)}, unknown {sorted(extra)}"
            )
        if endpoint.case_id in REGISTRY:
            raise ValueError(f"{endpoint.case_id} is declared twice")
        REGISTRY[endpoint.case_id] = endpoint


def _expect(signed_in: int, signed_out: int, overrides: Mapping[str, int]) -> dict[str, int]:
    unknown = set(overrides) - set(ACTORS)
    if unknown:
        raise ValueError(f"unknown actors {sorted(unknown)}")
    result = dict.fromkeys(SIGNED_IN, signed_in)
    result.update(dict.fromkeys(SIGNED_OUT, signed_out))
    result.update(overrides)
    return result


def web_page(signed_in: int = 200, **overrides: int) -> dict[str, int]:
    """A page for signed-in users: signed-out callers are sent to sign in (302)."""
    return _expect(signed_in, SIGN_IN_REDIRECT, overrides)


def web_admin(allowed: int = 200, **overrides: int) -> dict[str, int]:
    """A page that needs a capability only the admin role has by default: others get 403."""
    return _expect(403, SIGN_IN_REDIRECT, {"admin": allowed, **overrides})


def public(status: int = 200, **overrides: int) -> dict[str, int]:
    """The same answer for everybody (sign-in pages, health checks, docs)."""
    return _expect(status, status, overrides)


def api(allowed: int = 200, **overrides: int) -> dict[str, int]:
    """An API operation: signed-out callers (no token, a deactivated user's token, a revoked
    token) get 401."""
    return _expect(allowed, 401, overrides)


def api_admin(allowed: int = 200, **overrides: int) -> dict[str, int]:
    return _expect(403, 401, {"admin": allowed, **overrides})


def only(actors: tuple[str, ...], allowed: int, denied: int, **overrides: int) -> dict[str, int]:
    """Signed-in ``actors`` get ``allowed``, the other signed-in ones ``denied``."""
    values = {actor: (allowed if actor in actors else denied) for actor in SIGNED_IN}
    values.update(overrides)
    return values
