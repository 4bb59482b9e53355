"""Record-level access: who may see which records and who may do what.

Every object type (``"contacts.contact"``) is registered with a :class:`Policy`. A user's
role gives, per object type, a *scope* for each action (``view``, ``edit``, ``delete``):

- ``own``: records the user owns;
- ``team``: records the user owns or whose team is one of the user's teams (for managers:
  the teams they manage and the teams they belong to, which are their memberships);
- ``all``: every record;
- ``none``: no record.

plus *capabilities* (``import``, ``export``, ...) that are not tied to a record. The six
system roles have defaults (:data:`DEFAULT_ROLE_PERMISSIONS`); a role's ``permissions`` JSON
overrides them. Superusers have ``all`` and every capability; anonymous and deactivated
users have nothing.

Adapters read through :func:`scope` and :func:`get_object_or_404_scoped`; services call
:func:`require` before changing anything. A record outside the *view* scope raises
:class:`NotFound` (a ``Http404``): it must look exactly like a record that does not exist.
A visible record the user may not change raises ``PermissionDenied`` (403).
See docs/access.md.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import (
    FieldDoesNotExist,
    ObjectDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class NotFound(Http404):
    """The record does not exist *or* is outside the user's view scope (never say which)."""


class Scope(enum.StrEnum):
    NONE = "none"
    OWN = "own"
    TEAM = "team"
    ALL = "all"


SCOPE_LABELS: dict[Scope, Promise] = {
    Scope.NONE: _("no records"),
    Scope.OWN: _("records they own"),
    Scope.TEAM: _("records they own or of their teams"),
    Scope.ALL: _("all records"),
}

ACTIONS: tuple[str, ...] = ("view", "edit", "delete")
# "create" is checked against the edit scope, on the unsaved record (its owner and team).
CHECKED_ACTIONS = frozenset({*ACTIONS, "create"})

CAPABILITIES: dict[str, Promise] = {
    "import": _("Import records"),
    "export": _("Export records"),
    "bulk_update": _("Change many records at once"),
    "merge": _("Merge duplicate records"),
    "send_email": _("Send email"),
    "manage_settings": _("Manage settings, users, roles and custom fields"),
    "view_audit_log": _("View the audit log"),
    "erase_personal_data": _("Erase personal data"),
}

ALL_OBJECTS = "*"
_TEAM_RECORDS = {"view": "team", "edit": "team", "delete": "own"}

# Defaults of the system roles. A role's ``permissions`` JSON has the same shape and wins
# key by key: objects[<type>][<action>], then objects["*"][<action>], then these defaults.
DEFAULT_ROLE_PERMISSIONS: dict[str, dict[str, Any]] = {
    "admin": {
        "objects": {ALL_OBJECTS: {"view": "all", "edit": "all", "delete": "all"}},
        "capabilities": {ALL_OBJECTS: True},
    },
    "manager": {
        "objects": {ALL_OBJECTS: {"view": "team", "edit": "team", "delete": "team"}},
        "capabilities": {
            "import": True,
            "export": True,
            "bulk_update": True,
            "merge": True,
            "send_email": True,
        },
    },
    "sales-rep": {
        "objects": {ALL_OBJECTS: dict(_TEAM_RECORDS)},
        "capabilities": {"bulk_update": True, "merge": True, "send_email": True},
    },
    "marketer": {
        "objects": {ALL_OBJECTS: dict(_TEAM_RECORDS)},
        "capabilities": {"import": True, "export": True, "bulk_update": True, "send_email": True},
    },
    "support-agent": {
        "objects": {ALL_OBJECTS: dict(_TEAM_RECORDS)},
        "capabilities": {"merge": True, "send_email": True},
    },
    "read-only": {
        "objects": {ALL_OBJECTS: {"view": "team", "edit": "none", "delete": "none"}},
        "capabilities": {},
    },
}


def register_capability(name: str, label: Promise | str) -> None:
    """Add a capability (apps call this from ``ready()``); it defaults to granted for admins."""
    CAPABILITIES[name] = label  # type: ignore[assignment]


# --- The user's teams, cached on the user object ------------------------------------------

_CACHE_ATTR = "_accord_access"


@dataclass(frozen=True)
class UserAccess:
    role_slug: str
    role_name: str
    permissions: Mapping[str, Any]
    team_ids: frozenset[int]
    managed_team_ids: frozenset[int]


def access_for(user: Any) -> UserAccess:
    """Role and team ids of ``user``, loaded once and cached on the user object.

    ``request.user`` is a new object per request, so the cache lives one request; call
    :func:`forget` after changing a user's role or teams in the same request or job.
    """
    cached = getattr(user, _CACHE_ATTR, None)
    if isinstance(cached, UserAccess):
        return cached
    membership = apps.get_model("accounts", "Membership")
    team_ids: set[int] = set()
    managed: set[int] = set()
    for team_id, is_manager in membership._default_manager.filter(user_id=user.pk).values_list(
        "team_id", "is_manager"
    ):
        team_ids.add(team_id)
        if is_manager:
            managed.add(team_id)
    role = getattr(user, "role", None)
    permissions = getattr(role, "permissions", None)
    access = UserAccess(
        role_slug=str(getattr(role, "slug", "") or ""),
        role_name=str(getattr(role, "name", "") or ""),
        permissions=permissions if isinstance(permissions, Mapping) else {},
        team_ids=frozenset(team_ids),
        managed_team_ids=frozenset(managed),
    )
    setattr(user, _CACHE_ATTR, access)
    return access


def forget(user: Any) -> None:
    """Drop the cached role and teams of ``user``."""
    with contextlib.suppress(AttributeError):
        delattr(user, _CACHE_ATTR)


# --- Decisions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """The scope of one action and where it comes from (for "explain access")."""

    scope: Scope
    # anonymous | inactive | superuser | role_override | role_default | no_rule | policy
    source: str
    rule: str = ""  # the object type key that matched: "contacts.contact" or "*"


@dataclass(frozen=True)
class CapabilityDecision:
    granted: bool
    source: str
    rule: str = ""


def _signed_in(user: Any) -> bool:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _lookup_scope(
    permissions: Mapping[str, Any], object_type: str, action: str
) -> tuple[Scope, str] | None:
    objects = permissions.get("objects")
    if not isinstance(objects, Mapping):
        return None
    for key in (object_type, ALL_OBJECTS):
        rules = objects.get(key)
        if isinstance(rules, Mapping) and action in rules:
            try:
                return Scope(rules[action]), key
            except ValueError:
                return Scope.NONE, key  # a malformed value grants nothing
    return None


def _lookup_capability(permissions: Mapping[str, Any], name: str) -> tuple[bool, str] | None:
    capabilities = permissions.get("capabilities")
    if not isinstance(capabilities, Mapping):
        return None
    for key in (name, ALL_OBJECTS):
        if key in capabilities:
            return capabilities[key] is True, key
    return None


def decide(user: Any, object_type: str, action: str) -> Decision:
    """The scope ``user`` has for ``action`` on ``object_type`` by role (no per-model hook)."""
    if action == "create":
        action = "edit"
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
    if not _signed_in(user):
        return Decision(Scope.NONE, "anonymous")
    if not user.is_active:
        return Decision(Scope.NONE, "inactive")
    if user.is_superuser:
        return Decision(Scope.ALL, "superuser")
    access = access_for(user)
    found = _lookup_scope(access.permissions, object_type, action)
    if found is not None:
        return Decision(found[0], "role_override", found[1])
    found = _lookup_scope(DEFAULT_ROLE_PERMISSIONS.get(access.role_slug, {}), object_type, action)
    if found is not None:
        return Decision(found[0], "role_default", found[1])
    return Decision(Scope.NONE, "no_rule")


def capability_decision(user: Any, name: str) -> CapabilityDecision:
    if name not in CAPABILITIES:
        raise ValueError(f"unknown capability {name!r}; expected one of {sorted(CAPABILITIES)}")
    if not _signed_in(user):
        return CapabilityDecision(False, "anonymous")
    if not user.is_active:
        return CapabilityDecision(False, "inactive")
    if user.is_superuser:
        return CapabilityDecision(True, "superuser")
    access = access_for(user)
    found = _lookup_capability(access.permissions, name)
    if found is not None:
        return CapabilityDecision(found[0], "role_override", found[1])
    found = _lookup_capability(DEFAULT_ROLE_PERMISSIONS.get(access.role_slug, {}), name)
    if found is not None:
        return CapabilityDecision(found[0], "role_default", found[1])
    return CapabilityDecision(False, "no_rule")


# --- Per-model policies -------------------------------------------------------------------


class Policy:
    """How records of one model are scoped. Subclass to customise, then :func:`register`.

    ``owner_field`` and ``team_field`` are lookup paths, so a child record can follow its
    parent (``owner_field = "contact__owner"``); set one to None when the model has no such
    column. Override :meth:`decide` to change the scope for some users (e.g. a type every
    signed-in user may view), :meth:`filter_q` and :meth:`matches` together to change what a
    scope means (e.g. records without a team visible to everyone with ``team`` scope).
    """

    owner_field: str | None = "owner"
    team_field: str | None = "team"

    def __init__(self, model: type[models.Model], object_type: str) -> None:
        self.model = model
        self.object_type = object_type

    def decide(self, user: Any, action: str) -> Decision:
        return decide(user, self.object_type, action)

    def filter_q(self, user: Any, scope: Scope) -> Q | None:
        """The WHERE clause of ``scope`` for ``user``; None means no restriction."""
        if scope is Scope.ALL:
            return None
        nothing = Q(pk__in=[])
        if scope is Scope.NONE:
            return nothing
        condition = Q(**{self.owner_field: user.pk}) if self.owner_field else nothing
        if scope is Scope.TEAM and self.team_field:
            team_ids = access_for(user).team_ids
            if team_ids:
                condition |= Q(**{f"{self.team_field}__in": sorted(team_ids)})
        return condition

    def matches(self, user: Any, scope: Scope, obj: models.Model) -> bool:
        """Whether ``obj`` (saved or not) is inside ``scope``, without a query when possible."""
        if scope is Scope.ALL:
            return True
        if scope is Scope.NONE:
            return False
        if self.owner_field and _value_at(obj, self.owner_field) == user.pk:
            return True
        if scope is Scope.TEAM and self.team_field:
            team_id = _value_at(obj, self.team_field)
            return team_id is not None and team_id in access_for(user).team_ids
        return False


def _value_at(obj: models.Model | None, path: str) -> Any:
    """``contact__owner`` -> ``obj.contact.owner_id`` (None when a link is empty)."""
    *links, last = path.split("__")
    for link in links:
        if obj is None:
            return None
        obj = getattr(obj, link)
    if obj is None:
        return None
    try:
        attname = obj._meta.get_field(last).attname  # type: ignore[union-attr]
    except FieldDoesNotExist:
        attname = last
    return getattr(obj, attname)


_policies: dict[str, Policy] = {}
_by_model: dict[type[models.Model], Policy] = {}


def object_type_of(model: type[models.Model] | models.Model) -> str:
    return model._meta.label_lower


def register(
    model: type[models.Model], policy_class: type[Policy] = Policy, *, object_type: str = ""
) -> Policy:
    """Make ``model`` an access-controlled object type (call from ``AppConfig.ready()``)."""
    name = object_type or object_type_of(model)
    policy = policy_class(model, name)
    _policies[name] = policy
    _by_model[model] = policy
    return policy


def object_types() -> dict[str, Policy]:
    """Registered object types, by name."""
    return dict(sorted(_policies.items()))


def is_registered(model: type[models.Model]) -> bool:
    return (model._meta.concrete_model or model) in _by_model


def policy_for(target: str | type[models.Model] | models.Model | QuerySet[Any]) -> Policy:
    if isinstance(target, str):
        try:
            return _policies[target]
        except KeyError:
            raise LookupError(f"{target!r} is not a registered object type") from None
    if isinstance(target, QuerySet):
        target = target.model
    model = target if isinstance(target, type) else type(target)
    model = model._meta.concrete_model or model
    try:
        return _by_model[model]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} is not registered with accord.core.policy.register()"
        ) from None


# --- Public checks ------------------------------------------------------------------------


def scope[M: models.Model](user: Any, queryset: QuerySet[M], action: str = "view") -> QuerySet[M]:
    """``queryset`` narrowed to the records ``user`` may ``action``: one WHERE, no subquery."""
    policy = policy_for(queryset.model)
    decision = policy.decide(user, action)
    if decision.scope is Scope.NONE:
        return queryset.none()
    condition = policy.filter_q(user, decision.scope)
    return queryset if condition is None else queryset.filter(condition)


def can(user: Any, action: str, target: models.Model | type[models.Model] | str) -> bool:
    """May ``user`` do ``action`` on this record, or on at least some records of this type?

    For a record, ``edit`` and ``delete`` also need the record to be visible; ``create``
    checks the unsaved record (its owner and team) against the edit scope.
    """
    if action not in CHECKED_ACTIONS:
        raise ValueError(f"unknown action {action!r}; expected one of {sorted(CHECKED_ACTIONS)}")
    policy = policy_for(target)
    if not isinstance(target, models.Model):
        return policy.decide(user, action).scope is not Scope.NONE
    if action not in ("view", "create"):
        view = policy.decide(user, "view")
        if not policy.matches(user, view.scope, target):
            return False
    decision = policy.decide(user, action)
    return policy.matches(user, decision.scope, target)


def require(user: Any, action: str, obj: models.Model) -> None:
    """Raise unless ``user`` may ``action`` ``obj``; a denied request must change nothing.

    Not visible (and not ``create``): :class:`NotFound`. Visible but not allowed, or a new
    record outside the edit scope: ``PermissionDenied``.
    """
    if action != "create" and not can(user, "view", obj):
        raise NotFound(gettext("Not found."))
    if action != "view" and not can(user, action, obj):
        raise PermissionDenied(
            gettext("You are not allowed to %(action)s this record.") % {"action": action}
        )


def has_capability(user: Any, name: str) -> bool:
    return capability_decision(user, name).granted


def require_capability(user: Any, name: str) -> None:
    if not has_capability(user, name):
        raise PermissionDenied(
            gettext("You are not allowed to do this (%(capability)s).")
            % {"capability": CAPABILITIES[name]}
        )


_BAD_LOOKUP = (ObjectDoesNotExist, ValueError, TypeError, ValidationError)


def get_object_or_404_scoped[M: models.Model](
    user: Any, queryset: QuerySet[M] | type[M], action: str = "view", **lookup: Any
) -> M:
    """Fetch one record through the view scope, then :func:`require` ``action`` on it.

    Missing, invisible and malformed ids all raise :class:`NotFound`.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = scope(user, queryset, "view").get(**lookup)
    except _BAD_LOOKUP as exc:
        raise NotFound(gettext("Not found.")) from exc
    if action != "view":
        require(user, action, obj)
    return obj


def _not_visible(field: str) -> ValidationError:
    return ValidationError(
        {field: ValidationError(gettext("No such record."), code="does_not_exist")}
    )


def require_visible[M: models.Model](
    user: Any, model: type[M] | QuerySet[M], pk: Any, *, field: str
) -> M | None:
    """Check a foreign id from input (``company_id``) against the user's view scope.

    Returns the record (None when ``pk`` is None or ""). A missing, malformed or invisible id
    raises ``ValidationError({field: "No such record."})``: the same message either way.
    """
    if pk is None or pk == "":
        return None
    queryset = model if isinstance(model, QuerySet) else model._default_manager.all()
    try:
        return scope(user, queryset, "view").get(pk=pk)
    except _BAD_LOOKUP as exc:
        raise _not_visible(field) from exc


def require_visible_many[M: models.Model](
    user: Any, model: type[M] | QuerySet[M], pks: Iterable[Any], *, field: str
) -> list[M]:
    """:func:`require_visible` for a list of ids (``contact_ids``), in one query."""
    wanted = list(dict.fromkeys(pks))
    if not wanted:
        return []
    queryset = model if isinstance(model, QuerySet) else model._default_manager.all()
    try:
        found = {str(obj.pk): obj for obj in scope(user, queryset, "view").filter(pk__in=wanted)}
    except _BAD_LOOKUP as exc:
        raise _not_visible(field) from exc
    if any(str(pk) not in found for pk in wanted):
        raise _not_visible(field)
    return [found[str(pk)] for pk in wanted]


# --- Explaining access (for the "explain access" page) ------------------------------------


@dataclass(frozen=True)
class ActionExplanation:
    action: str
    scope: Scope
    source: str
    rule: str
    reason: str


@dataclass(frozen=True)
class CapabilityExplanation:
    name: str
    label: str
    granted: bool
    source: str
    reason: str


@dataclass(frozen=True)
class AccessExplanation:
    user_id: int | None
    object_type: str
    role_slug: str
    is_active: bool
    is_superuser: bool
    team_ids: tuple[int, ...]
    managed_team_ids: tuple[int, ...]
    actions: tuple[ActionExplanation, ...]
    capabilities: tuple[CapabilityExplanation, ...]


def _reason(source: str, rule: str, role: str, what: str) -> str:
    if source == "anonymous":
        return gettext("Not signed in: no access.")
    if source == "inactive":
        return gettext("The account is deactivated: no access.")
    if source == "superuser":
        return gettext("Superuser: everything is allowed.")
    params = {"role": role or "-", "what": what, "rule": rule}
    if source == "role_override":
        if rule == ALL_OBJECTS:
            return gettext("The role %(role)s allows %(what)s for every record type.") % params
        return gettext("The role %(role)s allows %(what)s for %(rule)s.") % params
    if source == "role_default":
        return gettext("Default of the role %(role)s: %(what)s.") % params
    if source == "policy":
        return gettext("The record type's policy sets %(what)s.") % params
    if not role:
        return gettext("The user has no role: nothing is allowed.")
    return gettext("Nothing in the role %(role)s allows this.") % params


def explain(user: Any, object_type: str) -> AccessExplanation:
    """What ``user`` may do with ``object_type`` and why (the "explain access" page)."""
    policy = policy_for(object_type)
    signed_in = _signed_in(user)
    access = access_for(user) if signed_in else None
    role = access.role_name or access.role_slug if access else ""
    actions = []
    for action in ACTIONS:
        decision = policy.decide(user, action)
        what = f"{action}: {SCOPE_LABELS[decision.scope]}"
        actions.append(
            ActionExplanation(
                action=action,
                scope=decision.scope,
                source=decision.source,
                rule=decision.rule,
                reason=_reason(decision.source, decision.rule, role, what),
            )
        )
    capabilities = []
    for name, label in CAPABILITIES.items():
        cap = capability_decision(user, name)
        what = f"{label}: {gettext('yes') if cap.granted else gettext('no')}"
        capabilities.append(
            CapabilityExplanation(
                name=name,
                label=str(label),
                granted=cap.granted,
                source=cap.source,
                reason=_reason(cap.source, cap.rule, role, what),
            )
        )
    return AccessExplanation(
        user_id=user.pk if signed_in else None,
        object_type=object_type,
        role_slug=access.role_slug if access else "",
        is_active=bool(signed_in and user.is_active),
        is_superuser=bool(signed_in and user.is_superuser),
        team_ids=tuple(sorted(access.team_ids)) if access else (),
        managed_team_ids=tuple(sorted(access.managed_team_ids)) if access else (),
        actions=tuple(actions),
        capabilities=tuple(capabilities),
    )


# --- The role matrix (for the role editor) ------------------------------------------------


def effective_matrix(role_slug: str, permissions: Mapping[str, Any]) -> dict[str, Any]:
    """The full matrix a role ends up with: ``{"objects": {type: {action: scope}},
    "capabilities": {name: bool}}`` for every registered type and capability."""
    defaults = DEFAULT_ROLE_PERMISSIONS.get(role_slug, {})
    objects: dict[str, dict[str, str]] = {}
    for object_type in object_types():
        row = {}
        for action in ACTIONS:
            found = _lookup_scope(permissions, object_type, action) or _lookup_scope(
                defaults, object_type, action
            )
            row[action] = str(found[0] if found else Scope.NONE)
        objects[object_type] = row
    capabilities = {}
    for name in CAPABILITIES:
        found_cap = _lookup_capability(permissions, name) or _lookup_capability(defaults, name)
        capabilities[name] = bool(found_cap and found_cap[0])
    return {"objects": objects, "capabilities": capabilities}


def validate_permissions(data: Any) -> None:
    """Check a role's ``permissions`` JSON; errors are keyed by their path in the JSON.

    Shape: ``{"objects": {"<object type>|*": {"view|edit|delete": "own|team|all|none"}},
    "capabilities": {"<capability>|*": true|false}}``.
    """
    if not isinstance(data, Mapping):
        raise ValidationError({"permissions": gettext("Must be a JSON object.")})
    errors: dict[str, str] = {}
    for key in data:
        if key not in ("objects", "capabilities"):
            errors[f"permissions.{key}"] = gettext("Unknown key.")
    objects = data.get("objects", {})
    if not isinstance(objects, Mapping):
        errors["permissions.objects"] = gettext("Must be a JSON object.")
        objects = {}
    known_types = set(_policies) | {ALL_OBJECTS}
    scopes = ", ".join(s.value for s in Scope)
    for object_type, rules in objects.items():
        path = f"permissions.objects.{object_type}"
        if object_type not in known_types:
            errors[path] = gettext("Unknown record type.")
            continue
        if not isinstance(rules, Mapping):
            errors[path] = gettext("Must be a JSON object.")
            continue
        for action, value in rules.items():
            if action not in ACTIONS:
                errors[f"{path}.{action}"] = gettext("Unknown action.")
            elif value not in Scope._value2member_map_:
                errors[f"{path}.{action}"] = gettext("Must be one of: %(scopes)s.") % {
                    "scopes": scopes
                }
    capabilities = data.get("capabilities", {})
    if not isinstance(capabilities, Mapping):
        errors["permissions.capabilities"] = gettext("Must be a JSON object.")
        capabilities = {}
    for name, granted in capabilities.items():
        path = f"permissions.capabilities.{name}"
        if name != ALL_OBJECTS and name not in CAPABILITIES:
            errors[path] = gettext("Unknown capability.")
        elif not isinstance(granted, bool):
            errors[path] = gettext("Must be true or false.")
    if errors:
        raise ValidationError(errors)
