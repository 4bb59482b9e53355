"""The access policy: scopes per default role, object checks, overrides, helpers."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from tests.core.accord_testapp.models import Company, Contact, Note
from tests.core.conftest import CONTACT, World

from accord.accounts.models import Role
from accord.core import policy
from accord.core.policy import NotFound, Scope

ALL = {"own", "same_team", "other_team", "own_no_team", "no_team", "manager_team"}
TEAM_A = {"own", "same_team"}

# Who sees / edits / deletes which contacts with the default role permissions.
EXPECTED = {
    "rep": {
        "view": TEAM_A | {"own_no_team"},
        "edit": TEAM_A | {"own_no_team"},
        "delete": {"own", "own_no_team"},
    },
    "marketer": {"view": TEAM_A, "edit": TEAM_A, "delete": set()},
    "support": {"view": TEAM_A, "edit": TEAM_A, "delete": set()},
    "manager": {
        "view": TEAM_A | {"manager_team"},
        "edit": TEAM_A | {"manager_team"},
        "delete": TEAM_A | {"manager_team"},
    },
    "read_only": {"view": TEAM_A, "edit": set(), "delete": set()},
    "admin": {"view": ALL, "edit": ALL, "delete": ALL},
    "superuser": {"view": ALL, "edit": ALL, "delete": ALL},
    "inactive": {"view": set(), "edit": set(), "delete": set()},
}
CASES = [(who, action) for who in EXPECTED for action in ("view", "edit", "delete")]


@pytest.mark.parametrize(("who", "action"), CASES)
def test_scope_of_every_default_role(world: World, who: str, action: str):
    user = world.users[who]
    visible = policy.scope(user, Contact.objects.all(), action)
    assert world.names(visible) == EXPECTED[who][action]


@pytest.mark.parametrize(("who", "action"), CASES)
def test_can_agrees_with_scope_record_by_record(world: World, who: str, action: str):
    user = world.users[who]
    allowed = {name for name, c in world.contacts.items() if policy.can(user, action, c)}
    assert allowed == EXPECTED[who][action]


@pytest.mark.parametrize("action", ["view", "edit", "delete"])
def test_anonymous_user_sees_and_does_nothing(world: World, action: str):
    anonymous = AnonymousUser()
    assert list(policy.scope(anonymous, Contact.objects.all(), action)) == []
    assert policy.can(anonymous, action, world.contacts["own"]) is False
    assert policy.can(None, action, Contact) is False


def test_scope_is_one_query_with_the_team_ids_inlined(world: World):
    rep = world.users["rep"]
    policy.forget(rep)
    with CaptureQueriesContext(connection) as queries:
        names = world.names(policy.scope(rep, Contact.objects.all()))
        world.names(policy.scope(rep, Contact.objects.all(), "edit"))
    assert names == TEAM_A | {"own_no_team"}
    # the memberships once (cached on the user; its role is already loaded), then one
    # SELECT per list
    assert len(queries) == 3
    listing = queries.captured_queries[-1]["sql"]
    assert "IN (" in listing
    assert "accounts_membership" not in listing


def test_scope_for_none_runs_no_query(world: World):
    reader = world.users["read_only"]
    policy.access_for(reader)
    with CaptureQueriesContext(connection) as queries:
        assert list(policy.scope(reader, Contact.objects.all(), "edit")) == []
    assert len(queries) == 0


def test_user_without_teams_sees_only_own_records(world: World, make_user):
    loner = make_user("sales-rep", email="loner@example.com")
    mine = Contact.objects.create(first_name="mine", owner=loner)
    assert list(policy.scope(loner, Contact.objects.all())) == [mine]


def test_a_user_without_role_gets_nothing(world: World, make_user):
    nobody = make_user(role=None, email="norole@example.com", teams=[world.teams["a"]])
    assert list(policy.scope(nobody, Contact.objects.all())) == []
    assert policy.has_capability(nobody, "export") is False


# --- require -------------------------------------------------------------------------------


def test_require_raises_not_found_outside_the_view_scope(world: World):
    rep = world.users["rep"]
    with pytest.raises(NotFound):
        policy.require(rep, "view", world.contacts["other_team"])
    with pytest.raises(NotFound):
        policy.require(rep, "edit", world.contacts["other_team"])
    with pytest.raises(NotFound):
        policy.require(rep, "delete", world.contacts["other_team"])
    assert issubclass(NotFound, Http404)


def test_require_raises_permission_denied_for_visible_records(world: World):
    with pytest.raises(PermissionDenied):
        policy.require(world.users["read_only"], "edit", world.contacts["own"])
    with pytest.raises(PermissionDenied):
        policy.require(world.users["rep"], "delete", world.contacts["same_team"])


def test_require_passes_silently_when_allowed(world: World):
    rep = world.users["rep"]
    assert policy.require(rep, "view", world.contacts["same_team"]) is None
    assert policy.require(rep, "edit", world.contacts["same_team"]) is None
    assert policy.require(rep, "delete", world.contacts["own"]) is None


def test_require_for_inactive_user_is_not_found(world: World):
    with pytest.raises(NotFound):
        policy.require(world.users["inactive"], "view", world.contacts["own"])


def test_create_checks_the_unsaved_record_against_the_edit_scope(world: World):
    rep, reader = world.users["rep"], world.users["read_only"]
    a, b = world.teams["a"], world.teams["b"]
    policy.require(rep, "create", Contact(first_name="x", owner=rep, team=b))  # owns it
    policy.require(rep, "create", Contact(first_name="x", owner=world.users["rep2"], team=a))
    with pytest.raises(PermissionDenied):
        policy.require(rep, "create", Contact(first_name="x", owner=world.users["rep_b"], team=b))
    with pytest.raises(PermissionDenied):
        policy.require(reader, "create", Contact(first_name="x", owner=reader, team=a))
    assert policy.can(rep, "create", Contact) is True
    assert policy.can(reader, "create", Contact) is False


def test_can_on_a_type_says_whether_any_record_is_allowed(world: World):
    assert policy.can(world.users["read_only"], "view", CONTACT) is True
    assert policy.can(world.users["read_only"], "edit", CONTACT) is False
    assert policy.can(world.users["marketer"], "delete", Contact) is True  # own scope


def test_unknown_action_is_a_programming_error(world: World):
    with pytest.raises(ValueError, match="unknown action"):
        policy.can(world.users["rep"], "destroy", world.contacts["own"])


def test_unregistered_model_is_refused(world: World):
    with pytest.raises(LookupError, match="not registered"):
        policy.scope(world.users["rep"], Role.objects.all())


# --- per-model policies --------------------------------------------------------------------


def test_child_records_follow_their_parent(world: World):
    notes = {
        name: Note.objects.create(contact=contact, body=f"about {name}")
        for name, contact in world.contacts.items()
    }
    rep = world.users["rep"]
    visible = {n.body for n in policy.scope(rep, Note.objects.all())}
    assert visible == {"about own", "about same_team", "about own_no_team"}
    assert policy.can(rep, "edit", notes["same_team"]) is True
    assert policy.can(rep, "view", notes["other_team"]) is False
    with pytest.raises(NotFound):
        policy.require(rep, "view", notes["no_team"])


def test_a_policy_subclass_can_widen_a_scope(world: World):
    class EveryoneSeesCompanies(policy.Policy):
        def decide(self, user, action):
            decision = super().decide(user, action)
            if action == "view" and decision.scope is not Scope.NONE:
                return policy.Decision(Scope.ALL, "policy")
            return decision

    acme = Company.objects.create(name="Acme", owner=world.users["rep_b"], team=world.teams["b"])
    rep = world.users["rep"]
    assert list(policy.scope(rep, Company.objects.all())) == []
    policy.register(Company, EveryoneSeesCompanies)
    try:
        assert list(policy.scope(rep, Company.objects.all())) == [acme]
        assert policy.can(rep, "edit", acme) is False
        assert list(policy.scope(world.users["inactive"], Company.objects.all())) == []
    finally:
        policy.register(Company)


# --- role overrides ------------------------------------------------------------------------


def test_role_permissions_override_the_defaults(world: World):
    role = Role.objects.get(slug="sales-rep")
    role.permissions = {
        "objects": {CONTACT: {"view": "own", "delete": "none"}},
        "capabilities": {"export": True, "merge": False},
    }
    role.save()
    rep = reloaded(world.users["rep"])
    assert world.names(policy.scope(rep, Contact.objects.all())) == {"own", "own_no_team"}
    # not overridden: edit stays "team" but editing needs the record to be visible too
    assert world.names(policy.scope(rep, Contact.objects.all(), "edit")) == TEAM_A | {"own_no_team"}
    assert policy.can(rep, "edit", world.contacts["same_team"]) is False
    assert policy.can(rep, "delete", world.contacts["own"]) is False
    assert policy.has_capability(rep, "export") is True
    assert policy.has_capability(rep, "merge") is False
    assert policy.has_capability(rep, "send_email") is True  # default kept


def test_star_rule_of_a_role_beats_the_defaults_for_every_type(world: World):
    role = Role.objects.get(slug="read-only")
    role.permissions = {"objects": {"*": {"view": "all"}}, "capabilities": {"*": True}}
    role.save()
    reader = reloaded(world.users["read_only"])
    assert world.names(policy.scope(reader, Contact.objects.all())) == ALL
    assert policy.has_capability(reader, "erase_personal_data") is True
    assert list(policy.scope(reader, Contact.objects.all(), "edit")) == []


def test_admin_capabilities_can_be_withdrawn_but_not_from_superusers(world: World):
    role = Role.objects.get(slug="admin")
    role.permissions = {"capabilities": {"export": False}}
    role.save()
    admin = reloaded(world.users["admin"])
    assert policy.has_capability(admin, "export") is False
    assert policy.has_capability(admin, "import") is True
    assert policy.has_capability(world.users["superuser"], "export") is True


def reloaded(user):
    """The same user as a fresh object (what the next request would see)."""
    return type(user).objects.select_related("role").get(pk=user.pk)


@pytest.mark.parametrize(
    ("who", "granted"),
    [
        ("rep", {"bulk_update", "merge", "send_email"}),
        ("marketer", {"import", "export", "bulk_update", "send_email"}),
        ("support", {"merge", "send_email"}),
        ("manager", {"import", "export", "bulk_update", "merge", "send_email"}),
        ("read_only", set()),
        ("admin", set(policy.CAPABILITIES)),
        ("superuser", set(policy.CAPABILITIES)),
        ("inactive", set()),
    ],
)
def test_default_capabilities(world: World, who: str, granted: set[str]):
    user = world.users[who]
    assert {name for name in policy.CAPABILITIES if policy.has_capability(user, name)} == granted


def test_require_capability(world: World):
    policy.require_capability(world.users["marketer"], "import")
    with pytest.raises(PermissionDenied):
        policy.require_capability(world.users["rep"], "import")
    with pytest.raises(ValueError, match="unknown capability"):
        policy.has_capability(world.users["rep"], "fly")


def test_cached_teams_are_refreshed_by_forget(world: World):
    rep = world.users["rep"]
    assert policy.can(rep, "view", world.contacts["other_team"]) is False
    rep.memberships.create(team=world.teams["b"])
    assert policy.can(rep, "view", world.contacts["other_team"]) is False  # cached
    policy.forget(rep)
    assert policy.can(rep, "view", world.contacts["other_team"]) is True


def test_validate_permissions_names_each_bad_path(world: World):
    policy.validate_permissions(
        {
            "objects": {"*": {"view": "team"}, CONTACT: {"delete": "none"}},
            "capabilities": {"export": True},
        }
    )
    with pytest.raises(ValidationError) as excinfo:
        policy.validate_permissions(
            {
                "objects": {
                    CONTACT: {"view": "everyone", "fly": "all"},
                    "nope.thing": {"view": "all"},
                },
                "capabilities": {"teleport": True, "export": "yes"},
                "extra": 1,
            }
        )
    assert set(excinfo.value.message_dict) == {
        f"permissions.objects.{CONTACT}.view",
        f"permissions.objects.{CONTACT}.fly",
        "permissions.objects.nope.thing",
        "permissions.capabilities.teleport",
        "permissions.capabilities.export",
        "permissions.extra",
    }


def test_effective_matrix_merges_role_json_and_defaults(world: World):
    matrix = policy.effective_matrix("sales-rep", {"objects": {CONTACT: {"delete": "none"}}})
    assert matrix["objects"][CONTACT] == {"view": "team", "edit": "team", "delete": "none"}
    assert matrix["objects"]["accord_testapp.company"] == {
        "view": "team",
        "edit": "team",
        "delete": "own",
    }
    assert matrix["capabilities"]["merge"] is True
    assert matrix["capabilities"]["import"] is False


# --- explain -------------------------------------------------------------------------------


def test_explain_gives_scope_source_and_reason(world: World):
    role = Role.objects.get(slug="sales-rep")
    role.permissions = {"objects": {CONTACT: {"delete": "none"}}}
    role.save()
    rep = reloaded(world.users["rep"])
    explanation = policy.explain(rep, CONTACT)
    actions = {a.action: a for a in explanation.actions}
    assert explanation.role_slug == "sales-rep"
    assert explanation.team_ids == (world.teams["a"].pk,)
    assert (actions["view"].scope, actions["view"].source, actions["view"].rule) == (
        Scope.TEAM,
        "role_default",
        "*",
    )
    assert (actions["delete"].scope, actions["delete"].source, actions["delete"].rule) == (
        Scope.NONE,
        "role_override",
        CONTACT,
    )
    assert actions["delete"].reason == (
        f"The role Sales rep allows delete: no records for {CONTACT}."
    )
    capabilities = {c.name: c for c in explanation.capabilities}
    assert capabilities["merge"].granted is True
    assert capabilities["import"].granted is False
    assert capabilities["import"].source == "no_rule"


def test_explain_inactive_and_anonymous(world: World):
    inactive = policy.explain(world.users["inactive"], CONTACT)
    assert {a.source for a in inactive.actions} == {"inactive"}
    assert inactive.actions[0].reason == "The account is deactivated: no access."
    anonymous = policy.explain(AnonymousUser(), CONTACT)
    assert anonymous.user_id is None
    assert {a.scope for a in anonymous.actions} == {Scope.NONE}


def test_explain_manager_lists_managed_teams(world: World):
    explanation = policy.explain(world.users["manager"], CONTACT)
    assert set(explanation.team_ids) == {world.teams["a"].pk, world.teams["m"].pk}
    assert explanation.managed_team_ids == (world.teams["a"].pk,)


# --- adapter helpers -----------------------------------------------------------------------


def test_get_object_or_404_scoped(world: World):
    rep = world.users["rep"]
    same_team = world.contacts["same_team"]
    assert policy.get_object_or_404_scoped(rep, Contact, pk=same_team.pk) == same_team
    assert policy.get_object_or_404_scoped(rep, Contact.objects.all(), "edit", pk=same_team.pk)
    with pytest.raises(NotFound):
        policy.get_object_or_404_scoped(rep, Contact, pk=world.contacts["other_team"].pk)
    with pytest.raises(NotFound):
        policy.get_object_or_404_scoped(rep, Contact, pk=10**9)
    with pytest.raises(NotFound):
        policy.get_object_or_404_scoped(rep, Contact, pk="not-a-number")
    with pytest.raises(PermissionDenied):
        policy.get_object_or_404_scoped(rep, Contact, "delete", pk=same_team.pk)


def test_require_visible_refuses_foreign_ids_outside_the_scope(world: World):
    rep = world.users["rep"]
    ours = Company.objects.create(name="Ours", owner=rep, team=world.teams["a"])
    theirs = Company.objects.create(name="Theirs", owner=world.users["rep_b"])
    assert policy.require_visible(rep, Company, ours.pk, field="company_id") == ours
    assert policy.require_visible(rep, Company, None, field="company_id") is None
    for bad in (theirs.pk, 10**9, "abc"):
        with pytest.raises(ValidationError) as excinfo:
            policy.require_visible(rep, Company, bad, field="company_id")
        assert excinfo.value.message_dict == {"company_id": ["No such record."]}


def test_require_visible_many(world: World):
    rep = world.users["rep"]
    own, same = world.contacts["own"], world.contacts["same_team"]
    assert policy.require_visible_many(rep, Contact, [same.pk, own.pk], field="contact_ids") == [
        same,
        own,
    ]
    with pytest.raises(ValidationError) as excinfo:
        policy.require_visible_many(
            rep, Contact, [own.pk, world.contacts["other_team"].pk], field="contact_ids"
        )
    assert excinfo.value.message_dict == {"contact_ids": ["No such record."]}
