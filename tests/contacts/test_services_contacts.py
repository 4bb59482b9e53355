from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from accord.accounts.models import Team, User
from accord.contacts.models import (
    Company,
    Contact,
    ContactCompanyHistory,
    ContactEmail,
    ContactPhone,
    LifecycleStageChange,
    Tag,
)
from accord.contacts.services import (
    contact_create,
    contact_delete,
    contact_set_lifecycle_stage,
    contact_update,
)
from accord.core import audit, policy
from accord.core.audit.models import AuditEntry
from accord.search import search_query
from accord.search.types import Visibility

pytestmark = pytest.mark.django_db


def _errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_create_with_shorthand_normalises_and_denormalises(rep: User, team: Team) -> None:
    contact = contact_create(
        actor=rep,
        data={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "  Ada@Example.COM ",
            "phone": "+49 30 1234567",
            "tags": ["VIP", "vip", "Partner"],
        },
    )
    assert contact.email == "ada@example.com"
    assert contact.phone == "+49301234567"
    assert contact.owner_id == rep.pk
    assert contact.team_id == team.pk
    assert contact.lifecycle_stage == "lead"
    assert contact.lifecycle_stage_at is not None
    assert list(contact.emails.values_list("email", "is_primary")) == [("ada@example.com", True)]
    assert list(contact.phones.values_list("number", "original", "is_primary")) == [
        ("+49301234567", "+49 30 1234567", True)
    ]
    assert sorted(contact.tags.values_list("name", flat=True)) == ["Partner", "VIP"]
    assert list(
        LifecycleStageChange.objects.filter(contact=contact).values_list("stage", flat=True)
    ) == ["lead"]
    entry = audit.history_for(contact).get()
    assert entry.verb == "create"
    assert entry.changes["email"] == [None, "ada@example.com"]
    assert entry.changes["tags"] == [None, ["VIP", "Partner"]]


def test_create_full_lists_one_primary(rep: User) -> None:
    contact = contact_create(
        actor=rep,
        data={
            "first_name": "Bo",
            "emails": [
                {"email": "bo@work.example", "kind": "work"},
                {"email": "bo@home.example", "kind": "personal", "is_primary": True},
            ],
            "phones": [{"number": "+1 415 555 0100", "kind": "work"}, "+44 20 7946 0958"],
        },
    )
    assert contact.email == "bo@home.example"
    assert list(contact.emails.values_list("email", "is_primary")) == [
        ("bo@home.example", True),
        ("bo@work.example", False),
    ]
    assert contact.phone == "+14155550100"
    assert ContactPhone.objects.filter(contact=contact).count() == 2


def test_create_errors_are_keyed_by_field_and_row(rep: User, globex: Company) -> None:
    with pytest.raises(ValidationError) as exc:
        contact_create(
            actor=rep,
            data={
                "first_name": "Cy",
                "emails": ["ok@example.com", "not-an-email", "ok@example.com"],
                "phones": ["+49 30 1234567", "12"],
                "company_id": globex.pk,
                "lifecycle_stage": "martian",
                "addresses": [{"country": "Germany"}],
            },
        )
    errors = _errors(exc)
    assert set(errors) == {
        "emails.1.email",
        "emails.2.email",
        "phones.1.number",
        "company_id",
        "lifecycle_stage",
        "addresses.0.country",
    }
    assert errors["company_id"] == ["No such record."]
    assert Contact.objects.count() == 0
    assert AuditEntry.objects.filter(verb="create", target_type__model="contact").count() == 0


def test_create_needs_some_identity(rep: User) -> None:
    with pytest.raises(ValidationError) as exc:
        contact_create(actor=rep, data={"job_title": "CEO"})
    assert list(_errors(exc)) == ["first_name"]


def test_phone_without_country_needs_region(rep: User) -> None:
    with pytest.raises(ValidationError) as exc:
        contact_create(actor=rep, data={"first_name": "D", "phone": "030 1234567"})
    assert list(_errors(exc)) == ["phone"]
    with override_settings(ACCORD_PHONE_REGION="DE"):
        contact = contact_create(actor=rep, data={"first_name": "D", "phone": "030 1234567"})
    assert contact.phone == "+49301234567"
    assert contact.phones.get().original == "030 1234567"


def test_read_only_and_other_team_cannot_create(
    read_only_user: User, rep: User, other_team: Team, outsider: User
) -> None:
    with pytest.raises(PermissionDenied):
        contact_create(actor=read_only_user, data={"first_name": "X"})
    with pytest.raises(PermissionDenied):
        contact_create(
            actor=rep,
            data={"first_name": "X", "team_id": other_team.pk, "owner_id": outsider.pk},
        )
    assert Contact.objects.count() == 0


def test_update_email_shorthand_replaces_primary_and_keeps_others(
    make_contact: Any, rep: User
) -> None:
    contact = make_contact(emails=["a@example.com", "b@example.com"])
    contact_update(contact=contact, actor=rep, changes={"email": "C@example.com"})
    assert list(contact.emails.values_list("email", "is_primary")) == [
        ("c@example.com", True),
        ("b@example.com", False),
    ]
    assert Contact.objects.get(pk=contact.pk).email == "c@example.com"
    entry = audit.history_for(contact).filter(verb="update").get()
    assert entry.changes == {
        "email": ["a@example.com", "c@example.com"],
        "emails": [["a@example.com", "b@example.com"], ["c@example.com", "b@example.com"]],
    }
    contact_update(contact=contact, actor=rep, changes={"email": "b@example.com"})
    assert list(contact.emails.values_list("email", "is_primary")) == [
        ("b@example.com", True),
        ("c@example.com", False),
    ]
    contact_update(contact=contact, actor=rep, changes={"email": None})
    assert list(contact.emails.values_list("email", "is_primary")) == [("c@example.com", True)]


def test_update_stage_company_and_tags(make_contact: Any, rep: User, acme: Company) -> None:
    contact = make_contact(company_id=acme.pk, job_title="CTO", tags=["a"])
    contact_set_lifecycle_stage(contact=contact, stage="customer", actor=rep)
    assert list(contact.stage_changes.values_list("from_stage", "stage")) == [
        ("", "lead"),
        ("lead", "customer"),
    ]
    other = contact_create(actor=rep, data={"first_name": "x"})  # noqa: F841
    contact_update(contact=contact, actor=rep, changes={"company_id": None, "tags": ["b", "A"]})
    history = ContactCompanyHistory.objects.get(contact=contact)
    assert (history.company_id, history.company_name, history.job_title) == (
        acme.pk,
        "Acme GmbH",
        "CTO",
    )
    assert sorted(contact.tags.values_list("name", flat=True)) == ["a", "b"]
    assert Tag.objects.count() == 2


def test_update_denied_changes_nothing(
    make_contact: Any, outsider: User, read_only_user: User
) -> None:
    contact = make_contact(email="z@example.com")
    count = AuditEntry.objects.count()
    with pytest.raises(policy.NotFound):
        contact_update(contact=contact, actor=outsider, changes={"first_name": "Evil"})
    with pytest.raises(PermissionDenied):
        contact_update(contact=contact, actor=read_only_user, changes={"first_name": "Evil"})
    contact.refresh_from_db()
    assert contact.first_name == "Ada"
    assert AuditEntry.objects.count() == count


def test_update_validation_rolls_back_children(make_contact: Any, rep: User) -> None:
    contact = make_contact(email="z@example.com")
    with pytest.raises(ValidationError) as exc:
        contact_update(
            contact=contact, actor=rep, changes={"emails": ["q@example.com"], "phones": ["x"]}
        )
    assert list(_errors(exc)) == ["phones.0.number"]
    assert list(ContactEmail.objects.filter(contact=contact).values_list("email", flat=True)) == [
        "z@example.com"
    ]


def test_search_index_follows_services(make_contact: Any, rep: User, acme: Company) -> None:
    contact = make_contact(
        last_name="Lovelace", email="ada@acme.example", company_id=acme.pk, phone="+49 30 1234567"
    )
    hits = search_query("lovel", visibility=Visibility.everything())
    assert [(h.object_type, h.object_id, h.title, h.subtitle) for h in hits] == [
        ("contacts.contact", contact.pk, "Ada Lovelace", "Acme GmbH · ada@acme.example")
    ]
    assert [
        h.object_id for h in search_query("030 1234567", visibility=Visibility.everything())
    ] == [contact.pk]
    contact_update(contact=contact, actor=rep, changes={"last_name": "Byron"})
    assert (
        search_query(
            "lovelace", object_types=["contacts.contact"], visibility=Visibility.everything()
        )
        == []
    )
    contact_delete(contact=contact, actor=rep)
    assert search_query("byron", visibility=Visibility.everything()) == []


def test_delete_policy(make_contact: Any, teammate: User, rep: User) -> None:
    contact = make_contact()
    with pytest.raises(PermissionDenied):
        contact_delete(contact=contact, actor=teammate)  # sales reps delete their own only
    assert Contact.objects.filter(pk=contact.pk).exists()
    pk = contact.pk
    contact_delete(contact=contact, actor=rep)
    assert not Contact.objects.filter(pk=pk).exists()
    assert [e.verb for e in audit.history_of(Contact, pk)] == ["delete", "create"]
