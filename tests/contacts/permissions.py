"""Permission matrix rows of the contacts JSON API (/api/v1/contacts, /api/v1/companies,
/api/v1/search). The HTML pages of the contacts app are declared by the UI's rows. See
tests/permission_matrix.py."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import SEES_TEAM_A, Endpoint, World, api, declare, only

from accord.contacts.models import Company, Contact
from accord.contacts.services import company_create, contact_create

EDITORS = ("owner", "same_team", "manager", "admin")


def own_contact(world: World) -> Contact:
    return world.once(
        "contacts_own_contact",
        lambda w: contact_create(
            actor=w.owner,
            data={"first_name": "Matrix", "last_name": "Owner", "email": "m@matrix.example",
                  "team_id": w.team.pk},
        ),
    )  # fmt: skip


def twin_contact(world: World) -> Contact:
    return world.once(
        "contacts_twin_contact",
        lambda w: contact_create(
            actor=w.owner,
            data={"first_name": "Matrix", "last_name": "Owner", "email": "M@matrix.example",
                  "team_id": w.team.pk},
        ),
    )  # fmt: skip


def own_company(world: World) -> Company:
    return world.once(
        "contacts_own_company",
        lambda w: company_create(
            actor=w.owner,
            data={"name": "Matrix Co", "domain": "matrix.example", "team_id": w.team.pk},
        ),
    )


def twin_company(world: World) -> Company:
    return world.once(
        "contacts_twin_company",
        lambda w: company_create(
            actor=w.owner,
            data={"name": "Matrix Co", "domain": "matrix.example", "team_id": w.team.pk},
        ),
    )


def contact_id(world: World) -> dict[str, Any]:
    return {"contact_id": own_contact(world).pk}


def company_id(world: World) -> dict[str, Any]:
    return {"company_id": own_company(world).pk}


def sees(allowed: int) -> dict[str, int]:
    return api(**only(SEES_TEAM_A, allowed, 404))


def edits(allowed: int) -> dict[str, int]:
    return api(**only(EDITORS, allowed, 403, other_team=404))


CARD = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Matrix Card\r\nEMAIL:card@matrix.example\r\nEND:VCARD\r\n"

declare(
    # Contacts.
    Endpoint("GET /api/v1/contacts", expect=api(200)),
    Endpoint(
        "POST /api/v1/contacts",
        data=lambda w: {"first_name": "New", "last_name": "Person"},
        expect=api(201, read_only=403),
    ),
    Endpoint(
        "POST /api/v1/contacts/duplicates/check",
        kwargs=lambda w: {"_": own_contact(w).pk},
        data=lambda w: {"email": "m@matrix.example"},
        expect=api(200),
    ),
    Endpoint("GET /api/v1/contacts/duplicates", expect=api(200)),
    Endpoint(
        "POST /api/v1/contacts/merge",
        data=lambda w: {"primary_id": own_contact(w).pk, "other_ids": [twin_contact(w).pk]},
        expect=api(**only(EDITORS, 200, 403, other_team=422)),
    ),
    Endpoint(
        "GET /api/v1/contacts/vcard",
        kwargs=lambda w: {"_": own_contact(w).pk},
        expect=api(200),
    ),
    Endpoint(
        "POST /api/v1/contacts/vcard",
        data=lambda w: {"vcard": CARD},
        expect=api(201, read_only=403),
    ),
    Endpoint("GET /api/v1/contacts/{contact_id}", kwargs=contact_id, expect=sees(200)),
    Endpoint(
        "PATCH /api/v1/contacts/{contact_id}",
        kwargs=contact_id,
        data=lambda w: {"job_title": "Changed"},
        expect=edits(200),
    ),
    Endpoint(
        "DELETE /api/v1/contacts/{contact_id}",
        kwargs=contact_id,
        expect=api(**only(("owner", "manager", "admin"), 204, 403, other_team=404)),
    ),
    Endpoint(
        "POST /api/v1/contacts/{contact_id}/lifecycle-stage",
        kwargs=contact_id,
        data=lambda w: {"stage": "customer"},
        expect=edits(200),
    ),
    Endpoint("GET /api/v1/contacts/{contact_id}/vcard", kwargs=contact_id, expect=sees(200)),
    Endpoint("GET /api/v1/contacts/{contact_id}/export", kwargs=contact_id, expect=sees(200)),
    Endpoint(
        "POST /api/v1/contacts/{contact_id}/erase",
        kwargs=contact_id,
        expect=api(**only(("admin",), 200, 403, other_team=404)),
    ),
    # Companies.
    Endpoint("GET /api/v1/companies", expect=api(200)),
    Endpoint(
        "POST /api/v1/companies",
        data=lambda w: {"name": "New Co"},
        expect=api(201, read_only=403),
    ),
    Endpoint("GET /api/v1/companies/duplicates", expect=api(200)),
    Endpoint(
        "POST /api/v1/companies/merge",
        data=lambda w: {"primary_id": own_company(w).pk, "other_ids": [twin_company(w).pk]},
        expect=api(**only(EDITORS, 200, 403, other_team=422)),
    ),
    Endpoint("GET /api/v1/companies/{company_id}", kwargs=company_id, expect=sees(200)),
    Endpoint(
        "PATCH /api/v1/companies/{company_id}",
        kwargs=company_id,
        data=lambda w: {"industry": "Steel"},
        expect=edits(200),
    ),
    Endpoint(
        "DELETE /api/v1/companies/{company_id}",
        kwargs=company_id,
        expect=api(**only(("owner", "manager", "admin"), 204, 403, other_team=404)),
    ),
    # Search.
    Endpoint(
        "GET /api/v1/search",
        kwargs=lambda w: {"_": own_contact(w).pk},
        query=lambda w: {"q": "matrix"},
        expect=api(200),
    ),
)
