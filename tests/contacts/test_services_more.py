from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from accord.accounts.models import User
from accord.accounts.tokens import api_token_create
from accord.contacts.models import Contact
from accord.contacts.selectors import contact_duplicates_for
from accord.contacts.services import (
    contact_bulk_create,
    contact_create,
    contact_erase,
    contact_update,
)
from accord.core.api.testing import ApiClient, assert_problem
from accord.core.customfields.services import custom_field_create

pytestmark = pytest.mark.django_db


def test_opt_in_time_is_set_and_cleared(make_contact: Any, rep: User) -> None:
    contact = make_contact(email_opt_in=True, email_opt_in_source="Web form")
    assert contact.email_opt_in_at is not None
    stamp = contact.email_opt_in_at
    contact_update(contact=contact, actor=rep, changes={"job_title": "CTO"})
    assert Contact.objects.get(pk=contact.pk).email_opt_in_at == stamp
    contact_update(contact=contact, actor=rep, changes={"email_opt_in": False})
    assert Contact.objects.get(pk=contact.pk).email_opt_in_at is None


def test_custom_fields_validated_everywhere(rep: User, admin_user: User) -> None:
    custom_field_create(
        actor=admin_user, object_type="contacts.contact", key="tier", label="Tier",
        field_type="single_select", options=["gold", "silver"],
    )  # fmt: skip
    contact = contact_create(actor=rep, data={"first_name": "A", "custom": {"tier": "gold"}})
    assert contact.custom == {"tier": "gold"}
    with pytest.raises(ValidationError) as exc:
        contact_update(contact=contact, actor=rep, changes={"custom": {"tier": "bronze"}})
    assert list(exc.value.message_dict) == ["custom.tier"]
    with pytest.raises(ValidationError) as exc:
        contact_bulk_create(rows=[{"first_name": "B", "custom": {"tier": "x"}}], actor=rep)
    assert list(exc.value.message_dict) == ["rows.0.custom.tier"]
    api = ApiClient(token=api_token_create(user=rep, actor=None, scope="write").plaintext)
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"custom": {"tier": "bronze"}})
    assert_problem(response, 422, field="custom.tier")
    listed = api.get("/api/v1/contacts", query={"custom.tier": "gold"}).json()
    assert [c["id"] for c in listed["items"]] == [contact.pk]
    assert listed["items"][0]["custom"] == {"tier": "gold"}


def test_erased_contacts_are_not_duplicates(make_contact: Any, admin_user: User) -> None:
    contact = make_contact(email="gone@example.com")
    assert [m.object_id for m in contact_duplicates_for({"email": "gone@example.com"})] == [
        contact.pk
    ]
    contact_erase(contact=contact, actor=admin_user)
    assert contact_duplicates_for({"email": "gone@example.com"}) == []
