"""Contact services: create (single and bulk), update, delete, lifecycle stage.

Input is a plain dict (from a form, the API, an import row or vCard):

- scalar fields in :data:`CONTACT_FIELDS` (``company_id``, ``owner_id`` ... and ``custom``);
- ``email`` / ``phone``: shorthand for the primary email / phone;
- ``emails`` / ``phones``: full lists (strings or ``{"email", "kind", "is_primary"}`` /
  ``{"number", "kind", "is_primary"}``), replacing the current rows;
- ``addresses``, ``social_profiles``: lists of dicts; ``tags``: a list of names.

Errors are keyed by the caller's names: ``emails.0.email``, ``phones.1.number``,
``company_id``, ``custom.tier``; bulk create: ``rows.<index>.<name>``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from accord.contacts import search
from accord.contacts.events import ContactLifecycleStageChanged, RecordsBulkCreated
from accord.contacts.models import (
    Contact,
    ContactCompanyHistory,
    ContactEmail,
    ContactPhone,
    LifecycleStage,
    LifecycleStageChange,
)
from accord.contacts.services import children
from accord.core import audit, customfields, events, policy
from accord.core import services as core_services

OBJECT_TYPE = "contacts.contact"

CONTACT_FIELDS = frozenset(
    {
        "prefix",
        "first_name",
        "middle_name",
        "last_name",
        "suffix",
        "job_title",
        "department",
        "company_id",
        "owner_id",
        "team_id",
        "lifecycle_stage",
        "lead_status",
        "lead_source",
        "description",
        "birthday",
        "email_opt_in",
        "email_opt_in_source",
        "do_not_contact",
        "custom",
    }
)
CHILD_KEYS = frozenset(
    {"email", "phone", "emails", "phones", "addresses", "social_profiles", "tags"}
)
# Columns the services compute (never taken from input).
_COMPUTED = frozenset({"email", "phone", "lifecycle_stage_at", "email_opt_in_at"})
_ALLOWED = CONTACT_FIELDS | _COMPUTED


@dataclass
class ContactChildren:
    """Cleaned child lists; ``None`` means "not given, leave as is"."""

    emails: list[dict[str, Any]] | None = None
    phones: list[dict[str, Any]] | None = None
    addresses: list[dict[str, Any]] | None = None
    social_profiles: list[dict[str, Any]] | None = None
    tags: list[str] | None = None
    audit_extra: dict[str, list[Any]] = field(default_factory=dict)


def _primary_value(value: Any, clean: Any, errors: dict[str, list[str]], name: str) -> Any:
    """Clean the ``email``/``phone`` shorthand: None/"" -> None, else a one-row list result."""
    if value is None or value == "":
        return None
    rows = clean([value], errors, name=f"__{name}")
    for key in [k for k in errors if k.startswith(f"__{name}.0")]:
        messages = errors.pop(key)
        errors[name] = messages
    return rows[0] if rows else None


def clean_children(
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    current_emails: list[dict[str, Any]] | None = None,
    current_phones: list[dict[str, Any]] | None = None,
) -> ContactChildren:
    """Validate the child lists and shorthands of ``data`` (pure; no queries)."""
    result = ContactChildren()
    if "emails" in data:
        result.emails = children.clean_emails(data["emails"], errors)
    if "email" in data:
        primary = _primary_value(data["email"], children.clean_emails, errors, "email")
        if "email" not in errors:
            base = result.emails if result.emails is not None else list(current_emails or [])
            result.emails = children.with_primary(base, primary, "email")
    if "phones" in data:
        result.phones = children.clean_phones(data["phones"], errors)
    if "phone" in data:
        primary = _primary_value(data["phone"], children.clean_phones, errors, "phone")
        if "phone" not in errors:
            base = result.phones if result.phones is not None else list(current_phones or [])
            result.phones = children.with_primary(base, primary, "number")
    if "addresses" in data:
        result.addresses = children.clean_addresses(data["addresses"], errors)
    if "social_profiles" in data:
        result.social_profiles = children.clean_social_profiles(data["social_profiles"], errors)
    if "tags" in data:
        result.tags = children.clean_tag_names(data["tags"], errors)
    return result


def _identity_check(contact: Contact, errors: dict[str, list[str]]) -> None:
    if not (contact.first_name or contact.last_name or contact.email or contact.phone):
        errors.setdefault("first_name", []).append(
            gettext("Give at least a name, an email address or a phone number.")
        )


def _apply_computed(contact: Contact, kids: ContactChildren, stage_before: str, now: Any) -> None:
    if kids.emails is not None:
        contact.email = kids.emails[0]["email"] if kids.emails else ""
    if kids.phones is not None:
        contact.phone = kids.phones[0]["number"] if kids.phones else ""
    if contact.lifecycle_stage != stage_before or contact.lifecycle_stage_at is None:
        contact.lifecycle_stage_at = now if contact.lifecycle_stage else None
    if contact.email_opt_in and contact.email_opt_in_at is None:
        contact.email_opt_in_at = now
    if not contact.email_opt_in:
        contact.email_opt_in_at = None


@dataclass
class _NewContact:
    contact: Contact
    kids: ContactChildren


def _prepare_new(
    actor: Any,
    data: Mapping[str, Any],
    errors: dict[str, list[str]],
    *,
    now: Any,
    checked_foreign: dict[tuple[str, Any], Any],
    definitions: list[customfields.CustomFieldDefinition] | None = None,
    bulk: bool = False,
) -> _NewContact:
    if not isinstance(data, Mapping):
        errors["__all__"] = [gettext("Expected an object.")]
        return _NewContact(Contact(), ContactChildren())
    kids = clean_children(data, errors)
    scalar = {k: v for k, v in data.items() if k not in CHILD_KEYS}
    contact = Contact()
    _changed, names = core_services._apply(
        contact, actor, scalar, CONTACT_FIELDS, errors, checked_foreign=checked_foreign
    )
    core_services._clean_custom(contact, scalar, CONTACT_FIELDS, errors, definitions=definitions)
    if "lifecycle_stage" not in scalar:
        contact.lifecycle_stage = LifecycleStage.LEAD
    _apply_computed(contact, kids, "", now)
    core_services._default_owner_and_team(contact, actor)
    _identity_check(contact, errors)
    if not errors:
        try:
            policy.require(actor, "create", contact)
        except (PermissionDenied, policy.NotFound):
            if not bulk:
                raise
            errors["owner_id"] = [gettext("You may not create contacts for this owner or team.")]
    if bulk:
        exclude = {"owner", "team", "company"}
        try:
            contact.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(names.get(name, name), []).extend(messages)
    else:
        core_services._full_clean(contact, errors, names)
    return _NewContact(contact, kids)


def _write_new_children(prepared: Sequence[_NewContact], actor: Any, now: Any) -> None:
    emails: list[ContactEmail] = []
    phones: list[ContactPhone] = []
    stages: list[LifecycleStageChange] = []
    addresses: list[Any] = []
    socials: list[Any] = []
    tag_links: list[Any] = []
    all_tag_names = sorted({n for p in prepared for n in (p.kids.tags or [])}, key=str.lower)
    tags = {t.name.lower(): t for t in children.tags_get_or_create(all_tag_names)}
    through = Contact.tags.through
    from accord.contacts.models import Address, SocialProfile

    for item in prepared:
        contact, kids = item.contact, item.kids
        for i, row in enumerate(kids.emails or []):
            emails.append(ContactEmail(contact=contact, position=i, **row))
        for i, row in enumerate(kids.phones or []):
            phones.append(ContactPhone(contact=contact, position=i, **row))
        for i, row in enumerate(kids.addresses or []):
            addresses.append(Address(contact=contact, position=i, **row))
        for row in kids.social_profiles or []:
            socials.append(SocialProfile(contact=contact, **row))
        for name in kids.tags or []:
            tag_links.append(through(contact_id=contact.pk, tag_id=tags[name.lower()].pk))
        if contact.lifecycle_stage:
            stages.append(
                LifecycleStageChange(
                    contact=contact,
                    stage=contact.lifecycle_stage,
                    reached_at=now,
                    actor=actor if getattr(actor, "is_authenticated", False) else None,
                )
            )
    ContactEmail.objects.bulk_create(emails, batch_size=1000)
    ContactPhone.objects.bulk_create(phones, batch_size=1000)
    Address.objects.bulk_create(addresses, batch_size=1000)
    SocialProfile.objects.bulk_create(socials, batch_size=1000)
    through.objects.bulk_create(tag_links, batch_size=1000)
    LifecycleStageChange.objects.bulk_create(stages, batch_size=1000)


def _create_entry(item: _NewContact, actor: Any) -> audit.AuditEntry:
    entry = audit.build_create(item.contact, actor)
    kids = item.kids
    if kids.emails and len(kids.emails) > 1:
        entry.changes["emails"] = [None, [e["email"] for e in kids.emails]]
    if kids.phones and len(kids.phones) > 1:
        entry.changes["phones"] = [None, [p["number"] for p in kids.phones]]
    if kids.tags:
        entry.changes["tags"] = [None, list(kids.tags)]
    if kids.addresses:
        entry.changes["addresses"] = [None, kids.addresses]
    if kids.social_profiles:
        entry.changes["social_profiles"] = [None, kids.social_profiles]
    return entry


def contact_create(*, actor: Any, data: Mapping[str, Any]) -> Contact:
    """Create a contact with its emails, phones, addresses, profiles and tags."""
    if not policy.can(actor, "create", Contact):
        raise PermissionDenied(gettext("You are not allowed to create this kind of record."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        item = _prepare_new(actor, data, errors, now=now, checked_foreign={})
        if errors:
            raise ValidationError(errors)
        item.contact.save()
        _write_new_children([item], actor, now)
        _create_entry(item, actor).save()
        events.emit(events.RecordCreated(OBJECT_TYPE, item.contact.pk, _actor_id(actor)))
        search.index_contacts([item.contact.pk])
    return item.contact


def contact_bulk_create(
    *, rows: Iterable[Mapping[str, Any]], actor: Any, batch: str = ""
) -> list[Contact]:
    """Create many contacts with the same validation as :func:`contact_create`; all or
    nothing: any bad row raises one ValidationError keyed ``rows.<index>.<name>``.

    One ``bulk_create`` per table, audit entries under one batch id, one
    ``RecordsBulkCreated`` event, search rows written in bulk.
    """
    if not policy.can(actor, "create", Contact):
        raise PermissionDenied(gettext("You are not allowed to create this kind of record."))
    now = timezone.now()
    batch_id = batch or f"bulk:{uuid.uuid4().hex}"
    definitions = customfields.definitions_for(OBJECT_TYPE, include_archived=True)
    checked: dict[tuple[str, Any], Any] = {}
    prepared: list[_NewContact] = []
    errors: dict[str, list[str]] = {}
    for index, data in enumerate(rows):
        row_errors: dict[str, list[str]] = {}
        prepared.append(
            _prepare_new(
                actor,
                data,
                row_errors,
                now=now,
                checked_foreign=checked,
                definitions=definitions,
                bulk=True,
            )
        )
        for name, messages in row_errors.items():
            errors[f"rows.{index}.{name}"] = messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.batch(batch_id):
        contacts = Contact.objects.bulk_create([p.contact for p in prepared], batch_size=1000)
        for item, saved in zip(prepared, contacts, strict=True):
            item.contact = saved
        _write_new_children(prepared, actor, now)
        audit.record_bulk(_create_entry(item, actor) for item in prepared)
        pks = tuple(c.pk for c in contacts)
        if pks:
            events.emit(RecordsBulkCreated(OBJECT_TYPE, pks, _actor_id(actor), batch_id))
        _index_new(prepared)
    return contacts


def _index_new(prepared: Sequence[_NewContact]) -> None:
    """Search rows of new contacts from what is in memory (one query for their companies)."""
    from accord.contacts.models import Company
    from accord.search import search_index_bulk_upsert

    company_ids = {p.contact.company_id for p in prepared if p.contact.company_id}
    companies = {
        c.pk: c for c in Company.objects.filter(pk__in=company_ids).only("pk", "name", "domain")
    }
    search_index_bulk_upsert(
        search.contact_index_row(
            p.contact,
            emails=[e["email"] for e in p.kids.emails or []],
            phones=[ph["number"] for ph in p.kids.phones or []],
            company=companies.get(p.contact.company_id) if p.contact.company_id else None,
        )
        for p in prepared
    )


def _actor_id(actor: Any) -> int | None:
    return getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None


def _current_emails(contact: Contact) -> list[dict[str, Any]]:
    return [
        {"email": e.email, "kind": e.kind, "is_primary": e.is_primary}
        for e in ContactEmail.objects.filter(contact=contact).order_by(
            "-is_primary", "position", "id"
        )
    ]


def _current_phones(contact: Contact) -> list[dict[str, Any]]:
    return [
        {"number": p.number, "original": p.original, "kind": p.kind, "is_primary": p.is_primary}
        for p in ContactPhone.objects.filter(contact=contact).order_by(
            "-is_primary", "position", "id"
        )
    ]


def contact_update(*, contact: Contact, actor: Any, changes: Mapping[str, Any]) -> Contact:
    """Change fields and child lists of a contact (only the names given change).

    Changing ``lifecycle_stage`` records a stage change; changing ``company_id`` keeps the
    old company in the contact's past companies.
    """
    policy.require(actor, "edit", contact)
    errors: dict[str, list[str]] = {}
    now = timezone.now()
    with transaction.atomic():
        contact.refresh_from_db(from_queryset=Contact.objects.select_for_update())
        policy.require(actor, "edit", contact)
        before = audit.snapshot(contact)
        old_emails = _current_emails(contact) if {"email", "emails"} & set(changes) else []
        old_phones = _current_phones(contact) if {"phone", "phones"} & set(changes) else []
        kids = clean_children(changes, errors, current_emails=old_emails, current_phones=old_phones)
        scalar = {k: v for k, v in changes.items() if k not in CHILD_KEYS}
        stage_before = contact.lifecycle_stage
        company_before = contact.company_id
        changed, names = core_services._apply(contact, actor, scalar, CONTACT_FIELDS, errors)
        if core_services._clean_custom(contact, scalar, CONTACT_FIELDS, errors):
            changed.append("custom")
        _apply_computed(contact, kids, stage_before, now)
        changed.extend(["email", "phone"])
        _identity_check(contact, errors)
        core_services._full_clean(contact, errors, names, only=changed)
        if errors:
            raise ValidationError(errors)
        policy.require(actor, "edit", contact)
        contact.save()
        extra = _write_children(contact, kids, old_emails, old_phones)
        if contact.lifecycle_stage != stage_before:
            _record_stage(contact, stage_before, actor, now)
        if contact.company_id != company_before and company_before is not None:
            _remember_company(contact, company_before, str(before.get("job_title") or ""), now)
        entry = audit.record_update(contact, actor, before, extra=extra)
        if entry is not None:
            events.emit(
                events.RecordUpdated(OBJECT_TYPE, contact.pk, _actor_id(actor), dict(entry.changes))
            )
        search.index_contacts([contact.pk])
    return contact


def _write_children(
    contact: Contact,
    kids: ContactChildren,
    old_emails: list[dict[str, Any]],
    old_phones: list[dict[str, Any]],
) -> dict[str, list[Any]]:
    """Replace the child rows that were given; returns audit extras for the lists that
    changed."""
    extra: dict[str, list[Any]] = {}
    if kids.emails is not None:
        old = [e["email"] for e in old_emails]
        new = [e["email"] for e in kids.emails]
        if [(e["email"], e["kind"]) for e in old_emails] != [
            (e["email"], e["kind"]) for e in kids.emails
        ]:
            ContactEmail.objects.filter(contact=contact).delete()
            ContactEmail.objects.bulk_create(
                [ContactEmail(contact=contact, position=i, **r) for i, r in enumerate(kids.emails)]
            )
            if old != new:
                extra["emails"] = [old, new]
    if kids.phones is not None:
        old = [p["number"] for p in old_phones]
        new = [p["number"] for p in kids.phones]
        if [(p["number"], p["kind"], p["original"]) for p in old_phones] != [
            (p["number"], p["kind"], p["original"]) for p in kids.phones
        ]:
            ContactPhone.objects.filter(contact=contact).delete()
            ContactPhone.objects.bulk_create(
                [ContactPhone(contact=contact, position=i, **r) for i, r in enumerate(kids.phones)]
            )
            if old != new:
                extra["phones"] = [old, new]
    if kids.addresses is not None:
        old_rows = children.address_dicts(contact.addresses.all())
        if old_rows != kids.addresses:
            children.write_addresses("contact", contact, kids.addresses)
            extra["addresses"] = [old_rows, kids.addresses]
    if kids.social_profiles is not None:
        old_rows = children.social_dicts(contact.social_profiles.all())
        if old_rows != kids.social_profiles:
            children.write_social_profiles("contact", contact, kids.social_profiles)
            extra["social_profiles"] = [old_rows, kids.social_profiles]
    if kids.tags is not None:
        old_tags = sorted(contact.tags.values_list("name", flat=True), key=str.lower)
        new_tags = children.tags_get_or_create(kids.tags)
        new_names = sorted((t.name for t in new_tags), key=str.lower)
        if old_tags != new_names:
            contact.tags.set(new_tags)
            extra["tags"] = [old_tags, new_names]
    return extra


def _record_stage(contact: Contact, stage_before: str, actor: Any, now: Any) -> None:
    if contact.lifecycle_stage:
        LifecycleStageChange.objects.create(
            contact=contact,
            from_stage=stage_before,
            stage=contact.lifecycle_stage,
            reached_at=now,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
        )
    events.emit(
        ContactLifecycleStageChanged(
            contact.pk, stage_before, contact.lifecycle_stage, _actor_id(actor)
        )
    )


def _remember_company(contact: Contact, company_id: int, job_title: str, now: Any) -> None:
    from accord.contacts.models import Company

    name = Company.objects.filter(pk=company_id).values_list("name", flat=True).first() or ""
    ContactCompanyHistory.objects.create(
        contact=contact,
        company_id=company_id,
        company_name=name,
        job_title=job_title,
        ended_on=timezone.localdate(now),
    )


def contact_set_lifecycle_stage(*, contact: Contact, stage: str, actor: Any) -> Contact:
    """Move a contact to a lifecycle stage (records when it was reached)."""
    return contact_update(contact=contact, actor=actor, changes={"lifecycle_stage": stage})


def contact_delete(*, contact: Contact, actor: Any) -> None:
    """Delete a contact (its child rows go with it) and its search index row."""
    pk = contact.pk
    with transaction.atomic():
        core_services.delete_record(contact, actor)
        search.unindex(OBJECT_TYPE, [pk])
