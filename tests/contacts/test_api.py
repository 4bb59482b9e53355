"""API of contacts and companies: behaviour, errors, and the permission matrix (every
endpoint by owner, same team, other team, manager, read-only, admin, anonymous), asserting
the status and that a denied request changed nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from accord.accounts.models import Team, User
from accord.accounts.tokens import api_token_create
from accord.contacts.models import Company, Contact, ContactEmail, Tag
from accord.contacts.services import contact_create
from accord.core.api.testing import ApiClient, assert_problem
from accord.core.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

ROLES = ("owner", "teammate", "outsider", "manager", "read_only", "admin", "anonymous")


@pytest.fixture
def people(
    rep: User, teammate: User, outsider: User, manager: User, read_only_user: User, admin_user: User
) -> dict[str, User | None]:
    return {
        "owner": rep,
        "teammate": teammate,
        "outsider": outsider,
        "manager": manager,
        "read_only": read_only_user,
        "admin": admin_user,
        "anonymous": None,
    }


def client(user: User | None) -> ApiClient:
    if user is None:
        return ApiClient()
    return ApiClient(token=api_token_create(user=user, actor=None, scope="write").plaintext)


def state() -> tuple[Any, ...]:
    return (
        list(Contact.objects.order_by("pk").values()),
        list(ContactEmail.objects.order_by("pk").values_list("contact_id", "email", "is_primary")),
        list(Company.objects.order_by("pk").values()),
        list(Tag.objects.values_list("name", flat=True)),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def ada(rep: User, acme: Company) -> Contact:
    return contact_create(
        actor=rep,
        data={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@acme.example",
            "phone": "+49 30 1234567",
            "company_id": acme.pk,
            "tags": ["vip"],
        },
    )


def test_create_read_patch_with_etag(rep: User, acme: Company, globex: Company) -> None:
    api = client(rep)
    response = api.post(
        "/api/v1/contacts",
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "Grace@Acme.example",
            "phones": [{"number": "+1 415 555 0100", "kind": "work"}],
            "company_id": acme.pk,
            "tags": ["navy"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "grace@acme.example"
    assert body["phones"] == [
        {
            "number": "+14155550100",
            "original": "+1 415 555 0100",
            "kind": "work",
            "is_primary": True,
        }
    ]
    assert body["tags"] == ["navy"]
    assert body["duplicates"] == []
    url = f"/api/v1/contacts/{body['id']}"
    got = api.get(url)
    assert got.status_code == 200
    etag = got["ETag"]
    assert api.get(url, headers={"If-None-Match": etag}).status_code == 304
    patched = api.patch(url, {"job_title": "Admiral"}, headers={"If-Match": etag})
    assert patched.status_code == 200, patched.content
    assert patched.json()["job_title"] == "Admiral"
    before = state()
    stale = api.patch(url, {"job_title": "Captain"}, headers={"If-Match": etag})
    problem = assert_problem(stale, 412, slug="precondition-failed")
    assert problem["current"]["job_title"] == "Admiral"
    assert state() == before
    # A foreign company id is a 422 naming the field; nothing changes.
    foreign = api.patch(url, {"company_id": globex.pk})
    assert_problem(foreign, 422, slug="validation-error", field="company_id")
    assert state() == before


def test_create_errors_per_field(rep: User) -> None:
    response = client(rep).post(
        "/api/v1/contacts",
        {
            "first_name": "X",
            "emails": [{"email": "ok@example.com"}, {"email": "bad"}],
            "phones": [{"number": "12"}],
        },
    )
    problem = assert_problem(response, 422, slug="validation-error")
    assert sorted(e["field"] for e in problem["errors"]) == ["emails.1.email", "phones.0.number"]
    unknown = client(rep).post("/api/v1/contacts", {"first_name": "X", "shoe_size": 44})
    assert_problem(unknown, 422, field="shoe_size")
    assert Contact.objects.count() == 0


def test_duplicate_warning_on_create(rep: User, ada: Contact) -> None:
    response = client(rep).post(
        "/api/v1/contacts", {"first_name": "A", "email": "ADA@acme.example"}
    )
    assert response.status_code == 201
    assert response.json()["duplicates"] == [
        {"id": ada.pk, "title": "Ada Lovelace", "score": 0.9, "reasons": ["email"]}
    ]


def test_list_filters_sort_and_cursor(rep: User, outsider: User, acme: Company) -> None:
    for name in ("Cyd", "Abe", "Bea", "Dan"):
        contact_create(
            actor=rep,
            data={
                "first_name": name,
                "last_name": name,
                "lifecycle_stage": "customer" if name != "Dan" else "lead",
            },
        )
    contact_create(actor=outsider, data={"first_name": "Hidden", "lifecycle_stage": "customer"})
    api = client(rep)
    page = api.get(
        "/api/v1/contacts", query={"lifecycle_stage": "customer", "sort": "last_name", "limit": 2}
    )
    assert page.status_code == 200, page.content
    data = page.json()
    assert [c["last_name"] for c in data["items"]] == ["Abe", "Bea"]
    page2 = api.get(
        "/api/v1/contacts",
        query={
            "lifecycle_stage": "customer",
            "sort": "last_name",
            "limit": 2,
            "cursor": data["next_cursor"],
        },
    ).json()
    assert [c["last_name"] for c in page2["items"]] == ["Cyd"]
    assert page2["next_cursor"] is None
    assert_problem(
        api.get("/api/v1/contacts", query={"lifecycle_stage": "martian"}),
        422,
        field="lifecycle_stage",
    )
    assert_problem(api.get("/api/v1/contacts", query={"sort": "shoe"}), 422, field="sort")
    assert_problem(api.get("/api/v1/contacts", query={"cursor": "!!"}), 400, field="cursor")


def test_search_endpoint_is_scoped(rep: User, outsider: User, ada: Contact, acme: Company) -> None:
    contact_create(actor=outsider, data={"first_name": "Ada", "last_name": "Hidden"})
    response = client(rep).get("/api/v1/search", query={"q": "ada"})
    assert response.status_code == 200
    assert [(h["object_type"], h["id"]) for h in response.json()] == [("contacts.contact", ada.pk)]
    by_phone = client(rep).get("/api/v1/search", query={"q": "030 1234567"}).json()
    assert [h["id"] for h in by_phone] == [ada.pk]
    companies = (
        client(rep).get("/api/v1/search", query={"q": "acme", "types": "contacts.company"}).json()
    )
    assert [h["id"] for h in companies] == [acme.pk]
    assert_problem(
        client(rep).get("/api/v1/search", query={"q": "x", "types": "nope"}), 422, field="types"
    )


def test_vcard_endpoints(rep: User, ada: Contact) -> None:
    api = client(rep)
    card = api.get(f"/api/v1/contacts/{ada.pk}/vcard", query={"version": "3.0"})
    assert card.status_code == 200
    assert card["Content-Type"] == "text/vcard; charset=utf-8"
    text = card.content.decode()
    assert "FN:Ada Lovelace\r\n" in text
    imported = api.client.post(
        "/api/v1/contacts/vcard",
        data=text.replace("ada@acme.example", "ada2@acme.example"),
        content_type="text/vcard",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert imported.status_code == 201, imported.content
    new = Contact.objects.get(pk=imported.json()["ids"][0])
    assert (new.email, new.company_id) == ("ada2@acme.example", ada.company_id)
    bulk = api.get("/api/v1/contacts/vcard", query={"tags": "vip"})
    assert bulk.content.decode().count("BEGIN:VCARD") == 2


def test_company_endpoints(rep: User, acme: Company) -> None:
    api = client(rep)
    created = api.post(
        "/api/v1/companies",
        {"name": "ACME gmbh", "domain": "https://www.acme.example/x", "annual_revenue": "1000.50"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["domains"] == ["acme.example"]
    assert body["annual_revenue"] == "1000.50"
    assert body["currency"] == getattr(settings, "ACCORD_BASE_CURRENCY", "EUR")
    assert [d["id"] for d in body["duplicates"]] == [acme.pk]
    pairs = api.get("/api/v1/companies/duplicates").json()
    assert [(p["first_id"], p["second_id"], p["reasons"]) for p in pairs] == [
        (acme.pk, body["id"], ["domain", "name"])
    ]
    merged = api.post("/api/v1/companies/merge", {"primary_id": acme.pk, "other_ids": [body["id"]]})
    assert merged.status_code == 200, merged.content
    assert merged.json()["annual_revenue"] == "1000.50"
    assert not Company.objects.filter(pk=body["id"]).exists()
    cycle = api.patch(f"/api/v1/companies/{acme.pk}", {"parent_id": acme.pk})
    assert_problem(cycle, 422, field="parent_id")


# --- permission matrix ------------------------------------------------------------------------

Call = Callable[[ApiClient, Contact, Company], Any]

MATRIX: dict[str, tuple[Call, dict[str, int]]] = {
    "read": (
        lambda api, c, co: api.get(f"/api/v1/contacts/{c.pk}"),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 200,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "patch": (
        lambda api, c, co: api.patch(f"/api/v1/contacts/{c.pk}", {"job_title": "Changed"}),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 403,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "delete": (
        lambda api, c, co: api.delete(f"/api/v1/contacts/{c.pk}"),
        {
            "owner": 204,
            "teammate": 403,
            "outsider": 404,
            "manager": 204,
            "read_only": 403,
            "admin": 204,
            "anonymous": 401,
        },
    ),
    "stage": (
        lambda api, c, co: api.post(
            f"/api/v1/contacts/{c.pk}/lifecycle-stage", {"stage": "customer"}
        ),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 403,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "vcard": (
        lambda api, c, co: api.get(f"/api/v1/contacts/{c.pk}/vcard"),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 200,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "export": (
        lambda api, c, co: api.get(f"/api/v1/contacts/{c.pk}/export"),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 200,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "erase": (
        lambda api, c, co: api.post(f"/api/v1/contacts/{c.pk}/erase", {}),
        {
            "owner": 403,
            "teammate": 403,
            "outsider": 404,
            "manager": 403,
            "read_only": 403,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "create": (
        lambda api, c, co: api.post("/api/v1/contacts", {"first_name": "New", "company_id": co.pk}),
        {
            "owner": 201,
            "teammate": 201,
            "outsider": 422,
            "manager": 201,
            "read_only": 403,
            "admin": 201,
            "anonymous": 401,
        },
    ),
    "merge": (
        lambda api, c, co: api.post(
            "/api/v1/contacts/merge",
            {"primary_id": c.pk, "other_ids": [Contact.objects.get(first_name="Twin").pk]},
        ),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 422,
            "manager": 200,
            "read_only": 403,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "company_read": (
        lambda api, c, co: api.get(f"/api/v1/companies/{co.pk}"),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 200,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "company_patch": (
        lambda api, c, co: api.patch(f"/api/v1/companies/{co.pk}", {"industry": "Steel"}),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 404,
            "manager": 200,
            "read_only": 403,
            "admin": 200,
            "anonymous": 401,
        },
    ),
    "company_delete": (
        lambda api, c, co: api.delete(f"/api/v1/companies/{co.pk}"),
        {
            "owner": 204,
            "teammate": 403,
            "outsider": 404,
            "manager": 204,
            "read_only": 403,
            "admin": 204,
            "anonymous": 401,
        },
    ),
    "list": (
        lambda api, c, co: api.get("/api/v1/contacts"),
        {
            "owner": 200,
            "teammate": 200,
            "outsider": 200,
            "manager": 200,
            "read_only": 200,
            "admin": 200,
            "anonymous": 401,
        },
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_permission_matrix(
    endpoint: str,
    role: str,
    people: dict[str, User | None],
    ada: Contact,
    acme: Company,
    rep: User,
    team: Team,
) -> None:
    contact_create(actor=rep, data={"first_name": "Twin", "email": "twin@acme.example"})
    call, expected = MATRIX[endpoint]
    api = client(people[role])  # creating the token writes an audit entry
    before = state()
    response = call(api, ada, acme)
    assert response.status_code == expected[role], (endpoint, role, response.content)
    if response.status_code >= 400:
        assert state() == before
    if endpoint == "list" and role == "outsider":
        assert response.json()["items"] == []
    if endpoint == "list" and role in ("owner", "manager", "admin"):
        assert {c["id"] for c in response.json()["items"]} >= {ada.pk}
