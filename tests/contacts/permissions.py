"""Permission matrix rows of the contacts JSON API (/api/v1/contacts, /api/v1/companies,
/api/v1/search) and of the contacts and companies pages (``contacts:*``). See
tests/permission_matrix.py."""

from __future__ import annotations

from typing import Any

from tests.permission_matrix import (
    SEES_TEAM_A,
    Endpoint,
    World,
    api,
    declare,
    only,
    web_admin,
    web_page,
)

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


# --- The pages -------------------------------------------------------------------------------
# Signed-out callers are sent to sign in (302). A record of team A is a 404 for the other team,
# a 403 for a caller who sees it without the right (read-only, a rep deleting a teammate's).

DELETERS = ("owner", "manager", "admin")


def pk_contact(world: World) -> dict[str, Any]:
    return {"pk": own_contact(world).pk}


def pk_company(world: World) -> dict[str, Any]:
    return {"pk": own_company(world).pk}


def page_sees(allowed: int) -> dict[str, int]:
    return web_page(**only(SEES_TEAM_A, allowed, 404))


def page_edits(allowed: int) -> dict[str, int]:
    return web_page(**only(EDITORS, allowed, 403, other_team=404))


def page_deletes(allowed: int) -> dict[str, int]:
    return web_page(**only(DELETERS, allowed, 403, other_team=404))


def page_merges(allowed: int) -> dict[str, int]:
    # The merge capability first (read-only has none: 403), then the edit scope (404).
    return web_page(**only(EDITORS, allowed, 403, other_team=404))


def contact_form(world: World, **changes: Any) -> dict[str, Any]:
    contact = own_contact(world)
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "email": contact.email,
        "lifecycle_stage": contact.lifecycle_stage,
        "owner": str(contact.owner_id),
        "team": str(contact.team_id),
        **changes,
    }


def company_form(world: World, **changes: Any) -> dict[str, Any]:
    company = own_company(world)
    return {
        "name": company.name,
        "domain": company.domain,
        "owner": str(company.owner_id),
        "team": str(company.team_id),
        **changes,
    }


declare(
    # Contacts.
    Endpoint("contacts:contact_list", expect=web_page(200)),
    Endpoint("contacts:contact_create", expect=web_page(200, read_only=403)),
    Endpoint(
        "contacts:contact_create",
        method="POST",
        data=lambda w: {"first_name": "Web", "last_name": "Created", "lifecycle_stage": "lead"},
        expect=web_page(302, read_only=403),
    ),
    Endpoint("contacts:contact_duplicates", expect=web_page(200)),
    Endpoint("contacts:contact_detail", kwargs=pk_contact, expect=page_sees(200)),
    Endpoint("contacts:contact_edit", kwargs=pk_contact, expect=page_edits(200)),
    Endpoint(
        "contacts:contact_edit",
        method="POST",
        kwargs=pk_contact,
        data=lambda w: contact_form(w, job_title="Changed"),
        expect=page_edits(302),
    ),
    Endpoint(
        "contacts:contact_field",
        kwargs=lambda w: {"pk": own_contact(w).pk, "name": "job_title"},
        expect=page_sees(200),
        note="the read-only row (no ?edit=1)",
    ),
    Endpoint(
        "contacts:contact_field",
        method="POST",
        kwargs=lambda w: {"pk": own_contact(w).pk, "name": "job_title"},
        data=lambda w: {"job_title": "Inline"},
        expect=page_edits(200),
    ),
    Endpoint(
        "contacts:contact_stage_set",
        method="POST",
        kwargs=pk_contact,
        data=lambda w: {"stage": "customer"},
        expect=page_edits(302),
    ),
    Endpoint("contacts:contact_delete", kwargs=pk_contact, expect=page_deletes(200)),
    Endpoint(
        "contacts:contact_delete",
        method="POST",
        kwargs=pk_contact,
        expect=page_deletes(302),
    ),
    Endpoint("contacts:contact_merge", kwargs=pk_contact, expect=page_merges(200)),
    Endpoint(
        "contacts:contact_merge",
        method="POST",
        kwargs=pk_contact,
        data=lambda w: {"other": twin_contact(w).pk, "choice_job_title": "other"},
        expect=page_merges(302),
    ),
    Endpoint("contacts:contact_vcard", kwargs=pk_contact, expect=page_sees(200)),
    Endpoint("contacts:contact_data_export", kwargs=pk_contact, expect=page_sees(200)),
    Endpoint(
        "contacts:contact_erase",
        kwargs=pk_contact,
        expect=web_admin(200),
        note="the erase_personal_data capability is checked before the record",
    ),
    Endpoint(
        "contacts:contact_erase",
        method="POST",
        kwargs=pk_contact,
        data=lambda w: {"confirm_name": own_contact(w).display_name},
        expect=web_admin(302),
    ),
    # Companies.
    Endpoint("contacts:company_list", expect=web_page(200)),
    Endpoint("contacts:company_create", expect=web_page(200, read_only=403)),
    Endpoint(
        "contacts:company_create",
        method="POST",
        data=lambda w: {"name": "Web Created Co"},
        expect=web_page(302, read_only=403),
    ),
    Endpoint("contacts:company_duplicates", expect=web_page(200)),
    Endpoint("contacts:company_detail", kwargs=pk_company, expect=page_sees(200)),
    Endpoint("contacts:company_edit", kwargs=pk_company, expect=page_edits(200)),
    Endpoint(
        "contacts:company_edit",
        method="POST",
        kwargs=pk_company,
        data=lambda w: company_form(w, industry="Steel"),
        expect=page_edits(302),
    ),
    Endpoint(
        "contacts:company_field",
        kwargs=lambda w: {"pk": own_company(w).pk, "name": "industry"},
        expect=page_sees(200),
        note="the read-only row (no ?edit=1)",
    ),
    Endpoint(
        "contacts:company_field",
        method="POST",
        kwargs=lambda w: {"pk": own_company(w).pk, "name": "industry"},
        data=lambda w: {"industry": "Inline"},
        expect=page_edits(200),
    ),
    Endpoint("contacts:company_delete", kwargs=pk_company, expect=page_deletes(200)),
    Endpoint(
        "contacts:company_delete",
        method="POST",
        kwargs=pk_company,
        expect=page_deletes(302),
    ),
    Endpoint("contacts:company_merge", kwargs=pk_company, expect=page_merges(200)),
    Endpoint(
        "contacts:company_merge",
        method="POST",
        kwargs=pk_company,
        data=lambda w: {"other": twin_company(w).pk, "choice_industry": "other"},
        expect=page_merges(302),
    ),
)
