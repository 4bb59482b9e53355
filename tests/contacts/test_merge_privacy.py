from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.accounts.models import User
from accord.contacts.models import (
    Company,
    Contact,
    ContactEmail,
    LifecycleStageChange,
    SuppressionEntry,
)
from accord.contacts.selectors import (
    company_duplicates_for,
    contact_duplicates_for,
    duplicate_candidates,
)
from accord.contacts.services import (
    company_create,
    company_merge,
    contact_data_export,
    contact_erase,
    contact_merge,
    contact_update,
    is_suppressed,
)
from accord.core import audit, policy
from accord.core.audit.models import AuditEntry
from accord.search import search_query
from accord.search.types import Visibility

pytestmark = pytest.mark.django_db


def test_contact_merge_field_choices_children_and_audit(
    make_contact: Any, rep: User, acme: Company
) -> None:
    a = make_contact(
        first_name="Ada",
        last_name="Lovelace",
        emails=["ada@acme.example"],
        tags=["x"],
        job_title="",
    )
    b = make_contact(
        first_name="Ada",
        last_name="King",
        company_id=acme.pk,
        job_title="CTO",
        emails=["ada@home.example", "ADA@acme.example"],
        phones=["+49 30 1234567"],
        tags=["y"],
        addresses=[{"city": "London", "country": "GB"}],
    )
    contact_update(contact=b, actor=rep, changes={"lifecycle_stage": "customer"})
    merged = contact_merge(
        primary=a, others=[b], field_choices={"last_name": b.pk, "email": b.pk}, actor=rep
    )
    merged.refresh_from_db()
    assert (merged.last_name, merged.job_title, merged.company_id) == ("King", "CTO", acme.pk)
    assert merged.email == "ada@home.example"
    assert merged.phone == "+49301234567"
    assert list(merged.emails.values_list("email", "is_primary").order_by("email")) == [
        ("ada@acme.example", False),
        ("ada@home.example", True),
    ]
    assert sorted(merged.tags.values_list("name", flat=True)) == ["x", "y"]
    assert list(merged.addresses.values_list("city", flat=True)) == ["London"]
    assert LifecycleStageChange.objects.filter(contact=merged).count() == 3
    assert not Contact.objects.filter(pk=b.pk).exists()
    entry = audit.history_for(merged).filter(verb="merge").get()
    assert entry.detail["merged_ids"] == [b.pk]
    assert entry.changes["last_name"] == ["Lovelace", "King"]
    assert entry.changes["tags"] == [["x"], ["x", "y"]]
    absorbed = audit.history_of(Contact, b.pk).first()
    assert (absorbed.verb, absorbed.action, absorbed.detail) == (
        "delete",
        "merged",
        {"merged_into": a.pk},
    )
    hits = search_query(
        "king", object_types=["contacts.contact"], visibility=Visibility.everything()
    )
    assert [h.object_id for h in hits] == [a.pk]


def test_merge_needs_capability_and_edit_on_all(
    make_contact: Any, rep: User, outsider: User, read_only_user: User, make_user: Any, team: Any
) -> None:
    a = make_contact(first_name="A")
    b = make_contact(first_name="B")
    c = make_contact(actor=outsider, first_name="C")
    marketer = make_user("marketer", email="mk@example.com", teams=[team])  # no merge capability
    count = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        contact_merge(primary=a, others=[b], actor=marketer)
    with pytest.raises(PermissionDenied):
        contact_merge(primary=a, others=[b], actor=read_only_user)
    with pytest.raises(policy.NotFound):
        contact_merge(primary=a, others=[c], actor=rep)
    with pytest.raises(ValidationError) as exc:
        contact_merge(primary=a, others=[b], field_choices={"first_name": c.pk}, actor=rep)
    assert list(exc.value.message_dict) == ["field_choices.first_name"]
    assert Contact.objects.count() == 3
    assert AuditEntry.objects.count() == count


def test_company_merge_repoints_contacts_and_subsidiaries(
    rep: User, team: Any, make_contact: Any
) -> None:
    a = company_create(actor=rep, data={"name": "Acme", "domains": ["acme.example"]})
    b = company_create(
        actor=rep,
        data={"name": "ACME Inc", "domains": ["acme.example", "acme.io"], "industry": "Tools"},
    )
    sub = company_create(actor=rep, data={"name": "Acme Labs", "parent_id": b.pk})
    person = make_contact(company_id=b.pk)
    company_merge(primary=a, others=[b], actor=rep)
    a.refresh_from_db()
    assert a.industry == "Tools"
    assert sorted(a.domains.values_list("domain", flat=True)) == ["acme.example", "acme.io"]
    assert Contact.objects.get(pk=person.pk).company_id == a.pk
    assert Company.objects.get(pk=sub.pk).parent_id == a.pk


def test_duplicates_warning_and_candidates(
    make_contact: Any, rep: User, acme: Company, outsider: User
) -> None:
    a = make_contact(
        first_name="Robert", last_name="Smith", email="bob@acme.example", company_id=acme.pk
    )
    b = make_contact(first_name="Bob", last_name="Jones", phone="+49 30 1234567")
    hidden = make_contact(actor=outsider, first_name="X", email="same@x.example")
    matches = contact_duplicates_for(
        {
            "first_name": "Rob",
            "last_name": "smith",
            "company_id": acme.pk,
            "email": "BOB@acme.example",
        },
        user=rep,
    )
    assert [(m.object_id, m.reasons, m.score) for m in matches] == [
        (a.pk, ("email", "name_company"), 0.97)
    ]
    assert [m.object_id for m in contact_duplicates_for({"phone": "+4930 1234567"}, user=rep)] == [
        b.pk
    ]
    assert contact_duplicates_for({"email": "same@x.example"}, user=rep) == []
    assert [m.object_id for m in contact_duplicates_for({"email": "same@x.example"})] == [hidden.pk]
    c = make_contact(
        first_name="robert", last_name="SMITH", company_id=acme.pk, emails=["bob@acme.example"]
    )
    pairs = duplicate_candidates(rep, "contacts.contact")
    assert [(p.first_id, p.second_id, p.reasons) for p in pairs] == [
        (a.pk, c.pk, ("email", "name_company"))
    ]
    assert duplicate_candidates(outsider, "contacts.contact") == []
    acme2 = company_create(actor=rep, data={"name": "acme gmbh"})
    assert [m.object_id for m in company_duplicates_for({"name": "ACME GmbH"}, user=rep)] == sorted(
        [acme.pk, acme2.pk]
    )
    assert [
        (p.first_id, p.second_id, p.reasons) for p in duplicate_candidates(rep, "contacts.company")
    ] == [(acme.pk, acme2.pk, ("name",))]


def test_export_and_erase(make_contact: Any, rep: User, admin_user: User, acme: Company) -> None:
    contact = make_contact(
        last_name="Lovelace",
        emails=["ada@acme.example", "ada@home.example"],
        phones=["+49 30 1234567"],
        company_id=acme.pk,
        tags=["vip"],
        addresses=[{"street": "1 Main St", "city": "London", "country": "GB"}],
    )
    data = contact_data_export(contact=contact, actor=rep)
    assert data["contact"]["last_name"] == "Lovelace"
    assert [e["email"] for e in data["emails"]] == ["ada@acme.example", "ada@home.example"]
    assert data["phones"][0]["number"] == "+49301234567"
    assert data["tags"] == ["vip"]
    assert data["company"] == {"id": acme.pk, "name": "Acme GmbH"}
    assert [e["verb"] for e in data["audit_trail"]] == ["create"]
    with pytest.raises(PermissionDenied):
        contact_erase(contact=contact, actor=rep)  # sales reps lack erase_personal_data
    assert Contact.objects.get(pk=contact.pk).last_name == "Lovelace"
    erased = contact_erase(contact=contact, actor=admin_user)
    erased.refresh_from_db()
    assert (erased.first_name, erased.last_name, erased.email, erased.phone) == (
        "[erased]",
        "",
        "",
        "",
    )
    assert erased.erased_at is not None
    assert erased.do_not_contact
    assert ContactEmail.objects.filter(contact=erased).count() == 0
    assert erased.tags.count() == 0
    assert SuppressionEntry.objects.count() == 3
    assert is_suppressed(email="ADA@acme.example")
    assert is_suppressed(phone="+49 30 1234567")
    assert not is_suppressed(email="other@acme.example")
    create_entry = audit.history_for(erased).get(verb="create")
    assert create_entry.changes["last_name"] == [None, "[erased]"]
    assert create_entry.changes["company_id"] == [None, acme.pk]
    assert create_entry.target_repr == "[erased]"
    assert audit.history_for(erased).first().verb == "erase"
    assert search_query("lovelace", visibility=Visibility.everything()) == []
    assert "ada@acme.example" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_erase_also_anonymises_the_trail_of_merged_records(
    make_contact: Any, rep: User, admin_user: User
) -> None:
    keeper = make_contact(last_name="Keeper", email="keep@example.com")
    twin = make_contact(last_name="Twin", email="twin-secret@example.com")
    twin_pk = twin.pk
    contact_merge(primary=keeper, others=[twin], actor=rep)
    contact_erase(contact=keeper, actor=admin_user)
    twin_trail = list(audit.history_of(Contact, twin_pk).values_list("changes", flat=True))
    assert len(twin_trail) == 2
    assert "twin-secret@example.com" not in str(twin_trail)
