"""The settings pages: navigation, users, teams, the role matrix editor, explain access and
custom fields (errors next to the fields, everything through the services)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accord.accounts.models import Membership, Role, Team, User
from accord.core import policy
from accord.core.audit import AuditEntry
from accord.core.customfields import CustomFieldDefinition

pytestmark = pytest.mark.django_db


def role_pk(slug: str) -> int:
    return int(Role.objects.get(slug=slug).pk)


def test_settings_nav_only_for_settings_people(
    settings_client: Client, user_client: Client
) -> None:
    assert 'href="/settings/"' in settings_client.get(reverse("web:home")).content.decode()
    assert 'href="/settings/"' not in user_client.get(reverse("web:home")).content.decode()
    assert user_client.get(reverse("settings:index")).status_code == 403


def test_settings_index_lists_the_cards(settings_client: Client) -> None:
    page = settings_client.get(reverse("settings:index")).content.decode()
    for url in (
        "/settings/users/",
        "/settings/teams/",
        "/settings/roles/",
        "/settings/custom-fields/",
        "/settings/audit/",
        "/settings/access/",
        "/accounts/tokens/",
        "/settings/jobs/",
    ):
        assert f'href="{url}"' in page


def test_audit_viewer_role_sees_only_the_audit_card(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    auditor_role = Role.objects.create(
        slug="auditor", name="Auditor", permissions={"capabilities": {"view_audit_log": True}}
    )
    auditor = make_user(auditor_role, email="auditor@example.com")
    client = client_for(auditor)
    page = client.get(reverse("settings:index")).content.decode()
    assert 'href="/settings/audit/"' in page
    assert 'href="/settings/users/"' not in page
    assert client.get(reverse("settings:audit_list")).status_code == 200
    assert client.get(reverse("settings:user_list")).status_code == 403


def test_jobs_page_follows_manage_settings(
    settings_client: Client, client_for: Callable[[User], Client], manager: User
) -> None:
    assert settings_client.get(reverse("background:job_list")).status_code == 200
    assert client_for(manager).get(reverse("background:job_list")).status_code == 403


def test_user_list_shows_role_teams_and_status(
    settings_client: Client, user: User, team: Team
) -> None:
    page = settings_client.get(reverse("settings:user_list")).content.decode()
    assert "Riley Rep" in page
    assert "Sales North" in page
    assert "Sales rep" in page
    User.objects.filter(pk=user.pk).update(is_active=False)
    page = settings_client.get(reverse("settings:user_list")).content.decode()
    assert "Riley Rep" not in page
    page = settings_client.get(reverse("settings:user_list") + "?status=inactive").content.decode()
    assert "Riley Rep" in page
    assert "Deactivated" in page


def test_invite_form_errors_are_next_to_the_field(settings_client: Client, user: User) -> None:
    response = settings_client.post(
        reverse("settings:user_invite"),
        {"email": "rep@example.com", "role": role_pk("sales-rep")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert '<ul class="field-errors" id="id_email_error"><li>A user with this email address' in (
        page
    )


def test_edit_user_role_and_teams(
    settings_client: Client, user: User, team: Team, other_team: Team
) -> None:
    response = settings_client.post(
        reverse("settings:user_edit", args=[user.pk]),
        {
            "full_name": "Riley Rep",
            "role": role_pk("manager"),
            f"team_{team.pk}": "",
            f"team_{other_team.pk}": "manager",
        },
    )
    assert response.status_code == 302
    assert list(Membership.objects.filter(user=user).values_list("team_id", "is_manager")) == [
        (other_team.pk, True)
    ]
    assert User.objects.get(pk=user.pk).role_slug == "manager"
    entry = AuditEntry.objects.get(target_id=str(user.pk), verb="update")
    assert entry.origin == "web"


def test_deactivate_from_the_page(settings_client: Client, user: User) -> None:
    response = settings_client.post(reverse("settings:user_deactivate", args=[user.pk]))
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).is_active is False


def test_team_pages(settings_client: Client, user: User, manager: User) -> None:
    response = settings_client.post(reverse("settings:team_list"), {"name": "Key Accounts"})
    assert response.status_code == 302
    response = settings_client.post(reverse("settings:team_list"), {"name": "key accounts"})
    assert response.status_code == 400
    assert "A team with this name exists." in response.content.decode()
    created = Team.objects.get(name="Key Accounts")
    url = reverse("settings:team_edit", args=[created.pk])
    response = settings_client.post(
        url, {"part": "members", f"user_{user.pk}": "member", f"user_{manager.pk}": "manager"}
    )
    assert response.status_code == 302
    assert dict(Membership.objects.filter(team=created).values_list("user_id", "is_manager")) == {
        user.pk: False,
        manager.pk: True,
    }
    page = settings_client.get(url).content.decode()
    assert "member_ids" in page  # the history panel


def test_role_matrix_editor_saves_overrides(settings_client: Client) -> None:
    rep = Role.objects.get(slug="sales-rep")
    url = reverse("settings:role_edit", args=[rep.pk])
    page = settings_client.get(url).content.decode()
    assert 'name="scope__contacts.contact__delete"' in page
    assert 'name="cap__export"' in page
    data: dict[str, str] = {"name": "Sales rep", "description": rep.description}
    matrix = policy.effective_matrix("sales-rep", {})
    for object_type, row in matrix["objects"].items():
        for action, scope in row.items():
            data[f"scope__{object_type}__{action}"] = scope
    for name, granted in matrix["capabilities"].items():
        if granted:
            data[f"cap__{name}"] = "on"
    data["scope__contacts.contact__delete"] = "none"
    data["cap__export"] = "on"
    response = settings_client.post(url, data)
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.permissions == {
        "objects": {"contacts.contact": {"delete": "none"}},
        "capabilities": {"export": True},
    }
    entry = AuditEntry.objects.get(target_type__model="role", target_id=str(rep.pk))
    assert entry.changes == {"permissions": [{}, rep.permissions]}


def test_role_matrix_rejects_unknown_scopes(settings_client: Client) -> None:
    rep = Role.objects.get(slug="sales-rep")
    response = settings_client.post(
        reverse("settings:role_edit", args=[rep.pk]),
        {"name": "Sales rep", "scope__contacts.contact__view": "everything"},
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Role.objects.get(pk=rep.pk).permissions == {}


def test_custom_role_can_be_created_and_deleted(settings_client: Client) -> None:
    response = settings_client.post(reverse("settings:role_list"), {"name": "Partner"})
    assert response.status_code == 302
    custom = Role.objects.get(slug="partner")
    response = settings_client.post(reverse("settings:role_delete", args=[custom.pk]))
    assert response.status_code == 302
    assert not Role.objects.filter(slug="partner").exists()
    system = Role.objects.get(slug="marketer")
    settings_client.post(reverse("settings:role_delete", args=[system.pk]))
    assert Role.objects.filter(slug="marketer").exists()


def test_explain_access_page(settings_client: Client, user: User) -> None:
    response = settings_client.get(
        reverse("settings:explain"), {"user": user.pk, "object_type": "contacts.contact"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Default of the role Sales rep: delete: records they own." in page
    assert "Default of the role Sales rep: Send email: yes." in page
    assert "Nothing in the role Sales rep allows this." in page
    assert "Sales North" in page


def test_custom_field_admin(settings_client: Client) -> None:
    create_url = reverse("settings:customfield_create", args=["contacts.contact"])
    response = settings_client.post(
        create_url,
        {"label": "Tier", "key": "tier", "field_type": "single_select", "options": "gold, x"},
    )
    assert response.status_code == 400
    assert "Line 1: An option value needs 1 to 100 characters and no comma." in (
        response.content.decode()
    )
    response = settings_client.post(
        create_url,
        {
            "label": "Tier",
            "key": "tier",
            "field_type": "single_select",
            "options": "gold | Gold\nsilver",
            "required": "on",
        },
    )
    assert response.status_code == 302
    field = CustomFieldDefinition.objects.get(object_type="contacts.contact", key="tier")
    assert field.options == [
        {"value": "gold", "label": "Gold"},
        {"value": "silver", "label": "silver"},
    ]
    assert field.required is True
    edit_url = reverse("settings:customfield_edit", args=[field.pk])
    response = settings_client.post(
        edit_url, {"label": "Tier", "field_type": "single_select", "options": "gold | Gold"}
    )
    assert response.status_code == 302
    assert CustomFieldDefinition.objects.get(pk=field.pk).required is False
    page = settings_client.get(
        reverse("settings:customfield_list"), {"object_type": "contacts.contact"}
    ).content.decode()
    assert 'id="customfield-tier"' in page
    settings_client.post(reverse("settings:customfield_archive", args=[field.pk]))
    assert CustomFieldDefinition.objects.get(pk=field.pk).archived_at is not None
    settings_client.post(reverse("settings:customfield_restore", args=[field.pk]))
    assert CustomFieldDefinition.objects.get(pk=field.pk).archived_at is None
    actions = list(
        AuditEntry.objects.filter(target_type__model="customfielddefinition")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert actions == ["create", "update", "update", "restore"]


def test_custom_fields_unknown_type_is_404(settings_client: Client) -> None:
    url = reverse("settings:customfield_create", args=["accounts.team"])
    assert settings_client.get(url).status_code == 404
