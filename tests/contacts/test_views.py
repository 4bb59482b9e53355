"""Contact and company pages: create (errors, duplicate warning), edit, 360° view (fixed
queries, panels, history), inline editing, delete, merge, duplicates, export, erase."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.conftest import use_plain_static_storage

from accord.accounts.models import Team, User
from accord.contacts.models import Company, Contact
from accord.contacts.services import contact_update
from accord.core import customfields
from accord.core.audit.models import AuditEntry
from accord.core.registry import Panel, registry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static(settings: Any) -> None:
    use_plain_static_storage(settings)


@pytest.fixture
def rep_client(client_for: Any, rep: User) -> Client:
    return client_for(rep)


def test_create_shows_field_errors_then_creates(rep_client: Client, team: Team) -> None:
    url = reverse("contacts:contact_create")
    assert rep_client.get(url).status_code == 200
    response = rep_client.post(
        url, {"first_name": "Ada", "email": "not-an-email", "lifecycle_stage": "lead"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert Contact.objects.count() == 0
    response = rep_client.post(
        url,
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ADA@Example.com",
            "lifecycle_stage": "lead",
            "tags": "vip, press",
            "team": str(team.pk),
        },
    )
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    assert (contact.full_name, contact.email, contact.team_id) == (
        "Ada Lovelace",
        "ada@example.com",
        team.pk,
    )
    assert sorted(t.name for t in contact.tags.all()) == ["press", "vip"]


def test_create_needs_some_identity(rep_client: Client) -> None:
    response = rep_client.post(reverse("contacts:contact_create"), {"lifecycle_stage": "lead"})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Enter at least a name, an email address or a phone number."
    ]


def test_duplicate_warning_then_create_anyway(
    rep_client: Client, make_contact: Any, team: Team
) -> None:
    existing = make_contact(first_name="Ada", email="ada@example.com", team_id=team.pk)
    url = reverse("contacts:contact_create")
    data = {"first_name": "Ada", "email": "ada@example.com", "lifecycle_stage": "lead"}
    response = rep_client.post(url, data)
    assert response.status_code == 409
    assert [m.object_id for m in response.context["duplicates"]] == [existing.pk]
    assert b"This contact may already exist" in response.content
    assert Contact.objects.count() == 1
    response = rep_client.post(url, {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_detail_fixed_queries(
    rep_client: Client, rep: User, make_contact: Any, acme: Company
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contact = make_contact(first_name="Ada", company_id=acme.pk, email="a0@example.com")
    url = reverse("contacts:contact_detail", args=[contact.pk])
    rep_client.get(url)

    def queries(path: str) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as captured:
            response = rep_client.get(path)
        assert response.status_code == 200
        return len(captured), response

    before, _response = queries(url)
    history_before, _response = queries(url + "?tab=history")
    contact_update(
        contact=contact,
        actor=rep,
        changes={
            "emails": [f"a{i}@example.com" for i in range(20)],
            "tags": [f"tag{i}" for i in range(20)],
        },
    )
    for i in range(20):
        contact_update(contact=contact, actor=rep, changes={"job_title": f"Title {i}"})
    after, response = queries(url)
    assert b"a19@example.com" in response.content
    assert after == before
    assert after <= DETAIL_QUERIES
    history_after, history = queries(url + "?tab=history")
    assert history_after == history_before
    assert history.content.count(b'class="history-item"') == 22  # create + 21 updates


# shell: session, user, session record (2), role, memberships, notifications;
# contact_detail: contact + 7 prefetches, visible company; definitions (+ panels' own)
DETAIL_QUERIES = 18


def test_detail_of_invisible_contact_is_404(
    client_for: Any, make_contact: Any, outsider: User
) -> None:
    contact = make_contact(first_name="Ada")
    response = client_for(outsider).get(reverse("contacts:contact_detail", args=[contact.pk]))
    assert response.status_code == 404
    missing = client_for(outsider).get(reverse("contacts:contact_detail", args=[999999]))
    assert missing.status_code == 404
    assert response.content == missing.content


def test_registered_record_panels_render(
    rep_client: Client, make_contact: Any, isolated_registry: Any
) -> None:
    contact = make_contact(first_name="Ada")
    url = reverse("contacts:contact_detail", args=[contact.pk])
    registry.record_panels["contacts.contact"] = {}  # as if no other app were installed
    assert b"Deals, activities and tickets will appear here" in rep_client.get(url).content
    registry.add_record_panel(
        "contacts.contact",
        Panel(
            key="test.deals",
            title="Deals",
            template="web/panels/failed.html",
            context=lambda request: {},
        ),
    )
    response = rep_client.get(url)
    assert b'data-panel="test.deals"' in response.content
    assert b"Deals, activities and tickets will appear here" not in response.content


@pytest.fixture
def isolated_registry() -> Any:
    import copy

    saved = {name: copy.copy(getattr(registry, name)) for name in vars(registry)}
    saved["record_panels"] = {k: dict(v) for k, v in registry.record_panels.items()}
    yield registry
    for name, value in saved.items():
        setattr(registry, name, value)


def test_inline_edit_saves_and_shows_errors(rep_client: Client, make_contact: Any) -> None:
    contact = make_contact(first_name="Ada", job_title="CTO")
    url = reverse("contacts:contact_field", args=[contact.pk, "job_title"])
    form = rep_client.get(url, {"edit": "1"}, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert b'name="job_title"' in form.content
    assert b'value="CTO"' in form.content
    saved = rep_client.post(url, {"job_title": "CEO"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert b"CEO" in saved.content
    assert b'id="prop-job_title"' in saved.content
    assert Contact.objects.get(pk=contact.pk).job_title == "CEO"
    email_url = reverse("contacts:contact_field", args=[contact.pk, "email"])
    bad = rep_client.post(email_url, {"email": "nope"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert b"field-errors" in bad.content
    assert Contact.objects.get(pk=contact.pk).email == ""
    assert (
        rep_client.get(reverse("contacts:contact_field", args=[contact.pk, "password"])).status_code
        == 404
    )


def test_inline_edit_custom_field(rep_client: Client, make_contact: Any, admin_user: User) -> None:
    customfields.custom_field_create(
        actor=admin_user,
        object_type="contacts.contact",
        key="tier",
        label="Tier",
        field_type="single_select",
        options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
    )
    contact = make_contact(first_name="Ada")
    url = reverse("contacts:contact_field", args=[contact.pk, "custom_tier"])
    response = rep_client.post(url, {"custom_tier": "gold"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Gold" in response.content
    assert Contact.objects.get(pk=contact.pk).custom == {"tier": "gold"}


def test_read_only_user_cannot_inline_edit(
    client_for: Any, read_only_user: User, make_contact: Any, team: Team
) -> None:
    contact = make_contact(first_name="Ada", team_id=team.pk)
    client = client_for(read_only_user)
    page = client.get(reverse("contacts:contact_detail", args=[contact.pk]))
    assert page.status_code == 200
    assert b"?edit=1" not in page.content
    url = reverse("contacts:contact_field", args=[contact.pk, "job_title"])
    assert client.post(url, {"job_title": "X"}).status_code == 403
    assert Contact.objects.get(pk=contact.pk).job_title == ""


def test_edit_page_changes_only_changed_fields(rep_client: Client, make_contact: Any) -> None:
    contact = make_contact(first_name="Ada", last_name="L", lifecycle_stage="lead")
    url = reverse("contacts:contact_edit", args=[contact.pk])
    page = rep_client.get(url)
    data = {k: ("" if v is None else v) for k, v in page.context["form"].initial.items()}
    data["last_name"] = "Lovelace"
    data = {k: v for k, v in data.items() if v is not False}
    response = rep_client.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(target_id=str(contact.pk), verb="update").get()
    assert entry.changes == {"last_name": ["L", "Lovelace"]}


def test_delete_with_confirmation(rep_client: Client, make_contact: Any) -> None:
    contact = make_contact(first_name="Ada")
    url = reverse("contacts:contact_delete", args=[contact.pk])
    assert b"cannot be undone" in rep_client.get(url).content
    assert Contact.objects.filter(pk=contact.pk).exists()
    response = rep_client.post(url)
    assert response["Location"] == "/contacts/"
    assert not Contact.objects.filter(pk=contact.pk).exists()


def test_merge_field_by_field(rep_client: Client, make_contact: Any) -> None:
    keep = make_contact(
        first_name="Ada", last_name="Lovelace", job_title="CTO", email="ada@example.com"
    )
    dupe = make_contact(
        first_name="Ada", last_name="Lovelace", job_title="Countess", email="ada@example.com"
    )
    url = reverse("contacts:contact_merge", args=[keep.pk])
    choose = rep_client.get(url)
    assert [m.object_id for m in choose.context["candidates"]] == [dupe.pk]
    table = rep_client.get(url, {"other": dupe.pk})
    rows = {r["key"]: r for r in table.context["rows"]}
    assert (rows["job_title"]["primary"], rows["job_title"]["other"]) == ("CTO", "Countess")
    response = rep_client.post(url, {"other": dupe.pk, "choice_job_title": "other"})
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=dupe.pk).exists()
    assert Contact.objects.get(pk=keep.pk).job_title == "Countess"


def test_duplicates_page(rep_client: Client, make_contact: Any) -> None:
    a = make_contact(first_name="Ada", email="same@example.com")
    b = make_contact(first_name="Ida", email="same@example.com")
    response = rep_client.get(reverse("contacts:contact_duplicates"))
    assert response.status_code == 200
    pairs = [(r["pair"].first_id, r["pair"].second_id) for r in response.context["rows"]]
    assert pairs == [(a.pk, b.pk)]
    assert f"/contacts/{a.pk}/merge/?other={b.pk}".encode() in response.content


def test_data_export_and_erase(
    client_for: Any, admin_user: User, make_contact: Any, rep: User
) -> None:
    contact = make_contact(first_name="Ada", email="ada@example.com")
    admin = client_for(admin_user)
    export = admin.get(reverse("contacts:contact_data_export", args=[contact.pk]))
    assert export.status_code == 200
    assert json.loads(export.content)["contact"]["first_name"] == "Ada"
    url = reverse("contacts:contact_erase", args=[contact.pk])
    assert client_for(rep).get(url).status_code == 403
    wrong = admin.post(url, {"confirm_name": "ada"})
    assert wrong.status_code == 400
    assert Contact.objects.get(pk=contact.pk).erased_at is None
    done = admin.post(url, {"confirm_name": "Ada"})
    assert done.status_code == 302
    assert Contact.objects.get(pk=contact.pk).erased_at is not None


def test_company_pages(rep_client: Client, acme: Company, make_contact: Any) -> None:
    person = make_contact(first_name="Ada", company_id=acme.pk)
    page = rep_client.get(reverse("contacts:company_detail", args=[acme.pk]))
    assert page.status_code == 200
    assert [p.pk for p in page.context["detail"].people] == [person.pk]
    url = reverse("contacts:company_field", args=[acme.pk, "industry"])
    saved = rep_client.post(url, {"industry": "Rockets"}, HTTP_HX_REQUEST="true")
    assert saved.status_code == 200
    assert Company.objects.get(pk=acme.pk).industry == "Rockets"
    created = rep_client.post(
        reverse("contacts:company_create"), {"name": "Initech", "domain": "initech.example"}
    )
    assert created.status_code == 302
    assert Company.objects.get(name="Initech").domain == "initech.example"


def test_vcard_single_and_bulk(
    client_for: Any, rep: User, manager: User, make_contact: Any, team: Team
) -> None:
    ada = make_contact(first_name="Ada", last_name="Lovelace", team_id=team.pk)
    bob = make_contact(first_name="Bob", last_name="Byte", team_id=team.pk)
    single = client_for(rep).get(reverse("contacts:contact_vcard", args=[ada.pk]))
    assert single["Content-Type"] == "text/vcard; charset=utf-8"
    text = single.content.decode()
    assert "VERSION:4.0" in text
    assert "FN:Ada Lovelace" in text
    old = client_for(rep).get(reverse("contacts:contact_vcard", args=[ada.pk]), {"version": "3.0"})
    assert "VERSION:3.0" in old.content.decode()
    url = reverse("lists:bulk", args=["contacts.contact"])
    data = {"action": "vcard", "ids": [ada.pk, bob.pk], "query": ""}
    assert client_for(rep).get(url, data).status_code == 403  # needs "export"
    cards = client_for(manager).get(url, data).content.decode()
    assert cards.count("BEGIN:VCARD") == 2


def test_company_duplicates_and_merge(client_for: Any, rep: User, team: Team) -> None:
    from accord.contacts.services import company_create

    keep = company_create(
        actor=rep, data={"name": "Acme", "industry": "Rockets", "team_id": team.pk}
    )
    dupe = company_create(
        actor=rep, data={"name": "ACME", "industry": "Anvils", "team_id": team.pk}
    )
    client = client_for(rep)
    page = client.get(reverse("contacts:company_duplicates"))
    pairs = [(r["pair"].first_id, r["pair"].second_id) for r in page.context["rows"]]
    assert pairs == [(keep.pk, dupe.pk)]
    url = reverse("contacts:company_merge", args=[keep.pk])
    table = client.get(url, {"other": dupe.pk})
    rows = {r["key"]: r for r in table.context["rows"]}
    assert (rows["industry"]["primary"], rows["industry"]["other"]) == ("Rockets", "Anvils")
    response = client.post(url, {"other": dupe.pk, "choice_industry": "other"})
    assert response["Location"] == f"/companies/{keep.pk}/"
    assert not Company.objects.filter(pk=dupe.pk).exists()
    assert Company.objects.get(pk=keep.pk).industry == "Anvils"
