"""JSON API of contacts and companies (``/api/v1/contacts``, ``/api/v1/companies``) and the
global search (``/api/v1/search``).

Thin adapters: parse, fetch through the policy scope (an invisible id is a 404; a foreign id
in a body that the caller cannot see is a 422 naming the field), call the service, shape the
answer. Lists use the one filter definition of ``accord.contacts.filters`` (the same
parameters as the HTML lists).
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from accord.contacts import schemas
from accord.contacts.filters import CompanyFilterSet, ContactFilterSet
from accord.contacts.models import (
    Company,
    CompanyDomain,
    CompanyPhone,
    Contact,
    ContactEmail,
    ContactPhone,
)
from accord.contacts.search import company_url, contact_url
from accord.contacts.selectors import (
    company_duplicates_for,
    contact_duplicates_for,
    duplicate_candidates,
)
from accord.contacts.services import (
    company_create,
    company_delete,
    company_merge,
    company_update,
    contact_create,
    contact_data_export,
    contact_delete,
    contact_erase,
    contact_merge,
    contact_set_lifecycle_stage,
    contact_update,
    contact_vcard_export,
    contact_vcard_import,
)
from accord.core import customfields, policy
from accord.core.api.concurrency import (
    IF_MATCH_OPENAPI,
    check_if_match,
    etag_for,
    is_not_modified,
    set_etag,
)
from accord.core.api.pagination import CursorPage
from accord.core.api.problems import BadRequest, FieldError, problem_responses
from accord.lists.filters import FilterError
from accord.lists.pagination import MAX_PAGE_SIZE, paginate, resolve_sort
from accord.search import search_query
from accord.search.access import visibilities_for

router = Router(tags=["contacts"])
companies_router = Router(tags=["companies"])
search_router = Router(tags=["search"])

CONTACT = "contacts.contact"
COMPANY = "contacts.company"
VCARD_TYPE = "text/vcard; charset=utf-8"
LIST_PARAMETERS_DOC = (
    "Filters are the same as the HTML list's (see docs/lists.md): `<name>=value`, "
    "`<name>__<op>=value` and `custom.<key>`; `sort` is a sort name, `-` for descending."
)


def _user(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def contact_queryset() -> QuerySet[Contact]:
    return Contact.objects.prefetch_related(
        Prefetch("emails", ContactEmail.objects.order_by("-is_primary", "position", "id")),
        Prefetch("phones", ContactPhone.objects.order_by("-is_primary", "position", "id")),
        "addresses",
        "social_profiles",
        "tags",
    )


def company_queryset() -> QuerySet[Company]:
    return Company.objects.prefetch_related(
        Prefetch("domains", CompanyDomain.objects.order_by("-is_primary", "id")),
        Prefetch("phones", CompanyPhone.objects.order_by("-is_primary", "position", "id")),
        "addresses",
        "social_profiles",
        "tags",
    )


def _definitions(object_type: str) -> list[customfields.CustomFieldDefinition]:
    return list(customfields.definitions_for(object_type))


def _payload(payload: Schema) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    return data


class ListParams(Schema):
    cursor: str | None = Field(None, description="next_cursor of the previous page")
    limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Items per page, 1 to 200")
    sort: str | None = Field(None, description="A sort name, e.g. -created_at or last_name")


def _list(
    request: HttpRequest,
    filterset_class: Any,
    queryset: QuerySet[Any],
    params: ListParams,
) -> Any:
    user = _user(request)
    query = request.GET.copy()
    for name in ("cursor", "limit", "sort"):
        query.pop(name, None)
    try:
        filters = filterset_class(query, user=user)
        rows = filters.filter(policy.scope(user, queryset))
        sort = resolve_sort(filterset_class, params.sort)
        page = paginate(rows, sort, after=params.cursor, limit=params.limit)
    except FilterError as exc:
        errors = exc.message_dict
        if "after" in errors:
            raise BadRequest(
                _("The cursor is not valid; start again without it."),
                errors=[FieldError("cursor", m, "invalid_cursor") for m in errors["after"]],
            ) from exc
        raise ValidationError(errors) from exc
    return page


# --- contacts -------------------------------------------------------------------------------


@router.get(
    "/contacts",
    response={200: CursorPage[schemas.ContactOut], **problem_responses(400, 401, 422)},
    summary="List contacts",
    description=LIST_PARAMETERS_DOC,
)
def contact_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    page = _list(request, ContactFilterSet, contact_queryset(), params)
    definitions = _definitions(CONTACT)
    return {
        "items": [schemas.contact_out(c, definitions) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/contacts",
    response={201: schemas.ContactCreatedOut, **problem_responses(401, 403, 422)},
    summary="Create a contact",
)
def contact_create_endpoint(
    request: HttpRequest, response: HttpResponse, payload: schemas.ContactIn
) -> Any:
    """Create a contact. ``duplicates`` lists visible contacts that looked alike (same email
    or phone, similar name at the same company or email domain): a warning, not an error."""
    user = _user(request)
    data = _payload(payload)
    duplicates = contact_duplicates_for(data, user=user)
    contact = contact_create(actor=user, data=data)
    contact = contact_queryset().get(pk=contact.pk)
    set_etag(response, etag_for(contact))
    body = schemas.contact_out(contact, _definitions(CONTACT))
    body["duplicates"] = [_duplicate(m) for m in duplicates]
    return Status(201, body)


def _duplicate(match: Any) -> dict[str, Any]:
    return {
        "id": match.object_id,
        "title": match.title,
        "score": match.score,
        "reasons": list(match.reasons),
    }


@router.post(
    "/contacts/duplicates/check",
    response={200: list[schemas.DuplicateOut], **problem_responses(401)},
    summary="Contacts that look like a payload (before creating it)",
)
def contact_duplicates_check(request: HttpRequest, payload: schemas.ContactIn) -> Any:
    return [_duplicate(m) for m in contact_duplicates_for(_payload(payload), user=_user(request))]


@router.get(
    "/contacts/duplicates",
    response={200: list[schemas.DuplicatePairOut], **problem_responses(401, 422)},
    summary="Probable duplicate pairs among the visible contacts",
)
def contact_duplicates(request: HttpRequest, limit: int = Query(100, ge=1, le=500)) -> Any:
    return [_pair(p) for p in duplicate_candidates(_user(request), CONTACT, limit)]


def _pair(pair: Any) -> dict[str, Any]:
    return {
        "first_id": pair.first_id,
        "second_id": pair.second_id,
        "first_title": pair.first_title,
        "second_title": pair.second_title,
        "score": pair.score,
        "reasons": list(pair.reasons),
    }


@router.post(
    "/contacts/merge",
    response={200: schemas.ContactOut, **problem_responses(401, 403, 404, 422)},
    summary="Merge contacts into one",
)
def contact_merge_endpoint(request: HttpRequest, payload: schemas.MergeIn) -> Any:
    """Merge ``other_ids`` into ``primary_id`` (needs the merge capability and edit rights on
    all of them). Related records (emails, phones, deals, activities...) move to the
    primary; ``field_choices`` picks, per field, the record whose value wins."""
    user = _user(request)
    primary = policy.require_visible(user, Contact, payload.primary_id, field="primary_id")
    others = policy.require_visible_many(user, Contact, payload.other_ids, field="other_ids")
    assert primary is not None
    merged = contact_merge(
        primary=primary, others=others, field_choices=payload.field_choices, actor=user
    )
    return schemas.contact_out(contact_queryset().get(pk=merged.pk), _definitions(CONTACT))


@router.get(
    "/contacts/vcard",
    response=problem_responses(401, 422),
    summary="Export visible contacts as vCards",
    description="The contacts matching the list filters (at most 5,000). " + LIST_PARAMETERS_DOC,
    openapi_extra={
        "responses": {
            "200": {
                "description": "vCard text (RFC 6350 for 4.0, RFC 2426 for 3.0)",
                "content": {"text/vcard": {"schema": {"type": "string"}}},
            }
        }
    },
)
def contact_vcard_bulk_export(request: HttpRequest, version: str = "4.0") -> HttpResponse:
    user = _user(request)
    _check_version(version)
    query = request.GET.copy()
    query.pop("version", None)
    try:
        rows = ContactFilterSet(query, user=user).filter(policy.scope(user, Contact.objects.all()))
    except FilterError as exc:
        raise ValidationError(exc.message_dict) from exc
    ids = list(rows.order_by("pk").values_list("pk", flat=True)[:5000])
    text = contact_vcard_export(ids=ids, actor=user, version=version)
    response = HttpResponse(text, content_type=VCARD_TYPE)
    response["Content-Disposition"] = 'attachment; filename="contacts.vcf"'
    return response


def _check_version(version: str) -> None:
    if version not in ("3.0", "4.0"):
        raise ValidationError({"version": [_("Use 3.0 or 4.0.")]})


@router.post(
    "/contacts/vcard",
    response={201: schemas.VCardImportOut, **problem_responses(400, 401, 403, 422)},
    summary="Import contacts from vCards",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/vcard": {"schema": {"type": "string"}},
                "application/json": {"schema": schemas.VCardIn.model_json_schema()},
            },
        }
    },
)
def contact_vcard_import_endpoint(request: HttpRequest) -> Any:
    """Send the cards as ``text/vcard`` or as JSON ``{"vcard": "..."}``. All or nothing:
    errors are named ``cards.<index>.<field>``; an ``ORG`` is linked to a visible company of
    that name or creates one."""
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            text = json.loads(request.body or b"{}").get("vcard")
        else:
            text = request.body.decode("utf-8-sig")
    except (ValueError, UnicodeDecodeError, AttributeError) as exc:
        raise BadRequest(_("The body cannot be read.")) from exc
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"vcard": [_("Send one or more vCards.")]})
    created = contact_vcard_import(text=text, actor=_user(request))
    return Status(201, {"created": len(created), "ids": [c.pk for c in created]})


def _visible_contact(request: HttpRequest, contact_id: int, queryset: Any = None) -> Contact:
    return policy.get_object_or_404_scoped(
        _user(request), queryset if queryset is not None else contact_queryset(), pk=contact_id
    )


@router.get(
    "/contacts/{contact_id}",
    response={200: schemas.ContactOut, 304: None, **problem_responses(401, 404)},
    summary="Read a contact",
)
def contact_get(request: HttpRequest, response: HttpResponse, contact_id: int) -> Any:
    contact = _visible_contact(request, contact_id)
    etag = etag_for(contact)
    set_etag(response, etag)
    if is_not_modified(request, etag):
        return Status(304, None)
    return schemas.contact_out(contact, _definitions(CONTACT))


@router.patch(
    "/contacts/{contact_id}",
    response={200: schemas.ContactOut, **problem_responses(401, 403, 404, 412, 422)},
    summary="Change a contact",
    openapi_extra=IF_MATCH_OPENAPI,
)
def contact_patch(
    request: HttpRequest, response: HttpResponse, contact_id: int, payload: schemas.ContactIn
) -> Any:
    """Only the fields sent change; lists (``emails``, ``phones``, ``addresses``,
    ``social_profiles``, ``tags``) replace the current ones. Send ``If-Match``."""
    user = _user(request)
    definitions = _definitions(CONTACT)
    with transaction.atomic():
        contact = policy.get_object_or_404_scoped(
            user, Contact.objects.select_for_update(of=("self",)), pk=contact_id
        )
        check_if_match(
            request,
            etag_for(contact),
            current=lambda: schemas.contact_out(contact_queryset().get(pk=contact_id), definitions),
        )
        contact_update(contact=contact, actor=user, changes=_payload(payload))
    contact = contact_queryset().get(pk=contact_id)
    set_etag(response, etag_for(contact))
    return schemas.contact_out(contact, definitions)


@router.delete(
    "/contacts/{contact_id}",
    response={204: None, **problem_responses(401, 403, 404, 412, 422)},
    summary="Delete a contact",
    openapi_extra=IF_MATCH_OPENAPI,
)
def contact_delete_endpoint(request: HttpRequest, contact_id: int) -> Any:
    user = _user(request)
    with transaction.atomic():
        contact = policy.get_object_or_404_scoped(
            user, Contact.objects.select_for_update(of=("self",)), pk=contact_id
        )
        check_if_match(request, etag_for(contact))
        contact_delete(contact=contact, actor=user)
    return Status(204, None)


@router.post(
    "/contacts/{contact_id}/lifecycle-stage",
    response={200: schemas.ContactOut, **problem_responses(401, 403, 404, 422)},
    summary="Move a contact to a lifecycle stage",
)
def contact_stage(request: HttpRequest, contact_id: int, payload: schemas.StageIn) -> Any:
    user = _user(request)
    contact = _visible_contact(request, contact_id, Contact.objects.all())
    contact_set_lifecycle_stage(contact=contact, stage=payload.stage, actor=user)
    return schemas.contact_out(contact_queryset().get(pk=contact_id), _definitions(CONTACT))


@router.get(
    "/contacts/{contact_id}/vcard",
    response=problem_responses(401, 404, 422),
    summary="A contact as a vCard",
    openapi_extra={
        "responses": {
            "200": {
                "description": "vCard text (RFC 6350 for 4.0, RFC 2426 for 3.0)",
                "content": {"text/vcard": {"schema": {"type": "string"}}},
            }
        }
    },
)
def contact_vcard(request: HttpRequest, contact_id: int, version: str = "4.0") -> HttpResponse:
    _check_version(version)
    contact = _visible_contact(request, contact_id, Contact.objects.all())
    text = contact_vcard_export(ids=[contact.pk], actor=_user(request), version=version)
    response = HttpResponse(text, content_type=VCARD_TYPE)
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.vcf"'
    return response


@router.get(
    "/contacts/{contact_id}/export",
    response={200: dict[str, Any], **problem_responses(401, 404)},
    summary="Everything held about a contact (data export)",
)
def contact_export(request: HttpRequest, contact_id: int) -> Any:
    contact = _visible_contact(request, contact_id, Contact.objects.all())
    return contact_data_export(contact=contact, actor=_user(request))


@router.post(
    "/contacts/{contact_id}/erase",
    response={200: schemas.ErasedOut, **problem_responses(401, 403, 404)},
    summary="Erase a contact's personal data",
)
def contact_erase_endpoint(request: HttpRequest, contact_id: int) -> Any:
    """Anonymises the contact everywhere (fields, emails, phones, audit trail, search) and
    keeps hashed suppression entries of its addresses. Needs ``erase_personal_data``."""
    contact = _visible_contact(request, contact_id, Contact.objects.all())
    erased = contact_erase(contact=contact, actor=_user(request))
    return {"id": erased.pk, "erased_at": erased.erased_at}


# --- companies ------------------------------------------------------------------------------


@companies_router.get(
    "/companies",
    response={200: CursorPage[schemas.CompanyOut], **problem_responses(400, 401, 422)},
    summary="List companies",
    description=LIST_PARAMETERS_DOC,
)
def company_list(request: HttpRequest, params: Query[ListParams]) -> Any:
    page = _list(request, CompanyFilterSet, company_queryset(), params)
    definitions = _definitions(COMPANY)
    return {
        "items": [schemas.company_out(c, definitions) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@companies_router.post(
    "/companies",
    response={201: schemas.CompanyCreatedOut, **problem_responses(401, 403, 422)},
    summary="Create a company",
)
def company_create_endpoint(
    request: HttpRequest, response: HttpResponse, payload: schemas.CompanyIn
) -> Any:
    user = _user(request)
    data = _payload(payload)
    duplicates = company_duplicates_for(data, user=user)
    company = company_create(actor=user, data=data)
    company = company_queryset().get(pk=company.pk)
    set_etag(response, etag_for(company))
    body = schemas.company_out(company, _definitions(COMPANY))
    body["duplicates"] = [_duplicate(m) for m in duplicates]
    return Status(201, body)


@companies_router.get(
    "/companies/duplicates",
    response={200: list[schemas.DuplicatePairOut], **problem_responses(401, 422)},
    summary="Probable duplicate pairs among the visible companies",
)
def company_duplicates(request: HttpRequest, limit: int = Query(100, ge=1, le=500)) -> Any:
    return [_pair(p) for p in duplicate_candidates(_user(request), COMPANY, limit)]


@companies_router.post(
    "/companies/merge",
    response={200: schemas.CompanyOut, **problem_responses(401, 403, 404, 422)},
    summary="Merge companies into one",
)
def company_merge_endpoint(request: HttpRequest, payload: schemas.MergeIn) -> Any:
    user = _user(request)
    primary = policy.require_visible(user, Company, payload.primary_id, field="primary_id")
    others = policy.require_visible_many(user, Company, payload.other_ids, field="other_ids")
    assert primary is not None
    merged = company_merge(
        primary=primary, others=others, field_choices=payload.field_choices, actor=user
    )
    return schemas.company_out(company_queryset().get(pk=merged.pk), _definitions(COMPANY))


@companies_router.get(
    "/companies/{company_id}",
    response={200: schemas.CompanyOut, 304: None, **problem_responses(401, 404)},
    summary="Read a company",
)
def company_get(request: HttpRequest, response: HttpResponse, company_id: int) -> Any:
    company = policy.get_object_or_404_scoped(_user(request), company_queryset(), pk=company_id)
    etag = etag_for(company)
    set_etag(response, etag)
    if is_not_modified(request, etag):
        return Status(304, None)
    return schemas.company_out(company, _definitions(COMPANY))


@companies_router.patch(
    "/companies/{company_id}",
    response={200: schemas.CompanyOut, **problem_responses(401, 403, 404, 412, 422)},
    summary="Change a company",
    openapi_extra=IF_MATCH_OPENAPI,
)
def company_patch(
    request: HttpRequest, response: HttpResponse, company_id: int, payload: schemas.CompanyIn
) -> Any:
    user = _user(request)
    definitions = _definitions(COMPANY)
    with transaction.atomic():
        company = policy.get_object_or_404_scoped(
            user, Company.objects.select_for_update(of=("self",)), pk=company_id
        )
        check_if_match(
            request,
            etag_for(company),
            current=lambda: schemas.company_out(company_queryset().get(pk=company_id), definitions),
        )
        company_update(company=company, actor=user, changes=_payload(payload))
    company = company_queryset().get(pk=company_id)
    set_etag(response, etag_for(company))
    return schemas.company_out(company, definitions)


@companies_router.delete(
    "/companies/{company_id}",
    response={204: None, **problem_responses(401, 403, 404, 412, 422)},
    summary="Delete a company (its contacts stay, without company)",
    openapi_extra=IF_MATCH_OPENAPI,
)
def company_delete_endpoint(request: HttpRequest, company_id: int) -> Any:
    user = _user(request)
    with transaction.atomic():
        company = policy.get_object_or_404_scoped(
            user, Company.objects.select_for_update(of=("self",)), pk=company_id
        )
        check_if_match(request, etag_for(company))
        company_delete(company=company, actor=user)
    return Status(204, None)


# --- search ---------------------------------------------------------------------------------

_URLS = {CONTACT: contact_url, COMPANY: company_url}


@search_router.get(
    "/search",
    response={200: list[schemas.SearchHitOut], **problem_responses(401, 422)},
    summary="Search records by name, email, phone digits, company or domain",
)
def search(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=200),
    types: str = Query(
        "", description="Comma-separated object types, e.g. contacts.contact,contacts.company"
    ),
    limit: int = Query(20, ge=1, le=100),
) -> Any:
    """Prefix and typo-tolerant search, scoped by the access policy (a record the caller may
    not see is never returned)."""
    known = [t for t in policy.object_types() if t in _searchable()]
    wanted = [t.strip() for t in types.split(",") if t.strip()] if types else known
    unknown = [t for t in wanted if t not in known]
    if unknown:
        raise ValidationError(
            {"types": [_("Unknown type: %(types)s.") % {"types": ", ".join(unknown)}]}
        )
    results = search_query(q, visibility=visibilities_for(_user(request), wanted), limit=limit)
    return [
        {
            "object_type": r.object_type,
            "id": r.object_id,
            "title": r.title,
            "subtitle": r.subtitle,
            "score": r.score,
            "url": _URLS[r.object_type](r.object_id) if r.object_type in _URLS else "",
        }
        for r in results
    ]


def _searchable() -> set[str]:
    from accord.search import search_reindexers

    return set(search_reindexers())
