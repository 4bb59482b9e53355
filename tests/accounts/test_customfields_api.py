"""``/api/v1/custom-fields``: list for readers, create / change / archive / restore for
``manage_settings`` only, errors as problems naming the setting."""

from __future__ import annotations

import pytest

from accord.accounts.models import User
from accord.accounts.tokens import api_token_create
from accord.core.api.testing import ApiClient, assert_problem
from accord.core.audit import AuditEntry
from accord.core.customfields import CustomFieldDefinition

pytestmark = pytest.mark.django_db

URL = "/api/v1/custom-fields"


def client(user: User) -> ApiClient:
    return ApiClient(token=api_token_create(user=user, actor=None, scope="write").plaintext)


def test_lifecycle(settings_admin: User, user: User) -> None:
    admin = client(settings_admin)
    response = admin.post(
        URL,
        {
            "object_type": "contacts.contact",
            "key": "tier",
            "label": "Tier",
            "field_type": "single_select",
            "options": ["gold", {"value": "silver", "label": "Silver"}],
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["key"] == "tier"
    assert created["options"] == [
        {"value": "gold", "label": "gold"},
        {"value": "silver", "label": "Silver"},
    ]
    assert created["archived_at"] is None
    assert created["value_schema"]["anyOf"][0]["enum"] == ["gold", "silver"]
    field_id = created["id"]

    listed = client(user).get(URL, query={"object_type": "contacts.contact"}).json()
    assert [item["key"] for item in listed["items"]] == ["tier"]
    assert listed["next_cursor"] is None

    response = admin.patch(f"{URL}/{field_id}", {"label": "Level", "required": True})
    assert response.status_code == 200
    assert (response.json()["label"], response.json()["required"]) == ("Level", True)

    response = admin.post(f"{URL}/{field_id}/archive")
    assert response.status_code == 200
    assert response.json()["archived_at"] is not None
    assert client(user).get(URL, query={"object_type": "contacts.contact"}).json()["items"] == []
    archived = admin.get(URL, query={"object_type": "contacts.contact", "include_archived": True})
    assert [item["key"] for item in archived.json()["items"]] == ["tier"]

    response = admin.post(f"{URL}/{field_id}/restore")
    assert response.json()["archived_at"] is None
    verbs = list(
        AuditEntry.objects.filter(
            target_id=str(field_id), target_type__model="customfielddefinition"
        )
        .order_by("id")
        .values_list("verb", "origin")
    )
    assert verbs == [("create", "api"), ("update", "api"), ("update", "api"), ("restore", "api")]


def test_errors_name_the_setting(settings_admin: User) -> None:
    admin = client(settings_admin)
    response = admin.post(
        URL,
        {"object_type": "contacts.contact", "key": "Bad Key", "label": "X", "field_type": "text"},
    )
    assert_problem(response, 422, field="key")
    response = admin.post(
        URL,
        {"object_type": "accounts.team", "key": "x", "label": "X", "field_type": "text"},
    )
    assert_problem(response, 422, field="object_type")
    assert CustomFieldDefinition.objects.count() == 0


def test_writes_need_manage_settings(manager: User, settings_admin: User) -> None:
    definition = CustomFieldDefinition.objects.create(
        object_type="contacts.contact", key="tier", label="Tier", field_type="text"
    )
    other = client(manager)
    admin = client(settings_admin)
    before = AuditEntry.objects.count()
    body = {"object_type": "contacts.contact", "key": "x", "label": "X", "field_type": "text"}
    assert_problem(other.post(URL, body), 403)
    assert_problem(other.patch(f"{URL}/{definition.pk}", {"label": "Y"}), 403)
    assert_problem(other.post(f"{URL}/{definition.pk}/archive"), 403)
    assert CustomFieldDefinition.objects.get(pk=definition.pk).label == "Tier"
    assert AuditEntry.objects.count() == before
    assert_problem(admin.patch(f"{URL}/999999", {"label": "Y"}), 404)


def test_unknown_type_is_404(user: User) -> None:
    assert_problem(client(user).get(URL, query={"object_type": "nope.nothing"}), 404)
