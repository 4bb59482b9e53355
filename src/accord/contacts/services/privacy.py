"""Privacy: per-contact data export, erasure and the suppression list.

- ``contact_data_export(contact=..., actor=...)``: a JSON-ready dict with every personal field,
  the child rows, the history of lifecycle stages and companies, the audit trail of the
  contact, and a list of the records of other apps that point at it.
- ``contact_erase(contact=..., actor=...)``: needs ``erase_personal_data``; blanks every
  personal field, deletes emails, phones, addresses, profiles, tags and past companies,
  anonymises the audit trail of the contact, removes its search row, adds a hashed
  suppression entry per email address and phone number, and emits ``ContactErased`` so
  other apps erase what they hold (activities, emails...). The row stays (deals and
  activities keep pointing at an anonymous contact).
- ``is_suppressed(email=..., phone=...)``: for imports and mailings.
"""

from __future__ import annotations

import contextlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accord.contacts import normalize, search
from accord.contacts.events import ContactErased
from accord.contacts.models import (
    Address,
    Contact,
    ContactCompanyHistory,
    ContactEmail,
    ContactPhone,
    SocialProfile,
    SuppressionEntry,
)
from accord.contacts.services.children import address_dicts, social_dicts
from accord.core import audit, events, policy

ERASED = audit.ERASED
_OWN_CHILDREN = {
    ContactEmail,
    ContactPhone,
    Address,
    SocialProfile,
    ContactCompanyHistory,
}


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def contact_data_export(*, contact: Contact, actor: Any) -> dict[str, Any]:
    """Everything Accord holds about one contact, as JSON-ready data (needs ``view``)."""
    policy.require(actor, "view", contact)
    contact = Contact.objects.select_related("company", "owner", "team").get(pk=contact.pk)
    fields = {
        f.attname: _iso(f.value_from_object(contact))
        for f in Contact._meta.concrete_fields
        if f.attname not in {"custom"}
    }
    data: dict[str, Any] = {
        "object_type": "contacts.contact",
        "exported_at": timezone.now().isoformat(),
        "contact": fields,
        "custom": contact.custom,
        "company": (
            {"id": contact.company.pk, "name": contact.company.name} if contact.company else None
        ),
        "emails": [
            {"email": e.email, "kind": e.kind, "is_primary": e.is_primary}
            for e in contact.emails.all()
        ],
        "phones": [
            {
                "number": p.number,
                "original": p.original,
                "kind": p.kind,
                "is_primary": p.is_primary,
            }
            for p in contact.phones.all()
        ],
        "addresses": address_dicts(contact.addresses.all()),
        "social_profiles": social_dicts(contact.social_profiles.all()),
        "tags": sorted(contact.tags.values_list("name", flat=True), key=str.lower),
        "company_history": [
            {
                "company_id": h.company_id,
                "company_name": h.company_name,
                "job_title": h.job_title,
                "started_on": _iso(h.started_on),
                "ended_on": _iso(h.ended_on),
            }
            for h in contact.company_history.all()
        ],
        "lifecycle_stages": [
            {"from_stage": c.from_stage, "stage": c.stage, "reached_at": _iso(c.reached_at)}
            for c in contact.stage_changes.all()
        ],
        "audit_trail": [
            {
                "at": _iso(e.at),
                "verb": e.verb,
                "action": e.action,
                "origin": e.origin,
                "changes": e.changes,
            }
            for e in audit.history_for(contact)
        ],
        "related_records": _related_records(contact),
    }
    return data


def _related_records(contact: Contact) -> list[dict[str, Any]]:
    """Rows of other models pointing at the contact (deals, activities, ... of later apps)."""
    result: list[dict[str, Any]] = []
    for rel in Contact._meta.related_objects:
        related = rel.related_model
        if not isinstance(related, type) or related in _OWN_CHILDREN:
            continue
        if related._meta.app_label == "contacts":
            continue
        manager = related._default_manager
        queryset = manager.filter(**{rel.field.name: contact.pk})
        for obj in queryset[:1000]:
            result.append(
                {"type": related._meta.label_lower, "id": obj.pk, "label": str(obj)[:200]}
            )
    return result


def _suppress(kind: str, value: str) -> None:
    if value:
        SuppressionEntry.objects.get_or_create(
            digest=normalize.suppression_digest(kind, value), defaults={"kind": kind}
        )


def contact_erase(*, contact: Contact, actor: Any) -> Contact:
    """Anonymise a contact everywhere (see the module docstring). Needs the
    ``erase_personal_data`` capability and the contact to be visible."""
    policy.require(actor, "view", contact)
    policy.require_capability(actor, "erase_personal_data")
    now = timezone.now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        for email in ContactEmail.objects.filter(contact=contact).values_list("email", flat=True):
            _suppress("email", email)
        _suppress("email", contact.email)
        for number in ContactPhone.objects.filter(contact=contact).values_list("number", flat=True):
            _suppress("phone", number)
        _suppress("phone", contact.phone)
        ContactEmail.objects.filter(contact=contact).delete()
        ContactPhone.objects.filter(contact=contact).delete()
        Address.objects.filter(contact=contact).delete()
        SocialProfile.objects.filter(contact=contact).delete()
        ContactCompanyHistory.objects.filter(contact=contact).delete()
        contact.tags.clear()
        for name in (
            "prefix",
            "middle_name",
            "last_name",
            "suffix",
            "job_title",
            "department",
            "email",
            "phone",
            "description",
            "email_opt_in_source",
            "lead_source",
        ):
            setattr(contact, name, "")
        contact.first_name = ERASED
        contact.birthday = None
        contact.email_opt_in = False
        contact.email_opt_in_at = None
        contact.do_not_contact = True
        contact.custom = {}
        contact.erased_at = now
        contact.save()
        keep = frozenset({"owner_id", "team_id", "company_id", "lifecycle_stage", "lead_status"})
        # Records merged into this one earlier: their trail holds the same person's data.
        absorbed = {
            int(pk)
            for detail in audit.history_for(contact)
            .filter(verb="merge")
            .values_list("detail", flat=True)
            for pk in (detail or {}).get("merged_ids", [])
        }
        for pk in [contact.pk, *sorted(absorbed)]:
            audit.anonymise_target(Contact, pk, keep_fields=keep)
        audit.record(contact, "erase", actor, changes={})
        search.unindex("contacts.contact", [contact.pk])
        events.emit(
            ContactErased(
                contact.pk,
                getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
            )
        )
    return contact


def is_suppressed(*, email: str = "", phone: str = "") -> bool:
    """Was this email address or phone number erased (must not be imported or contacted)?"""
    digests = []
    if email:
        digests.append(normalize.suppression_digest("email", email))
    if phone:
        with contextlib.suppress(ValidationError):  # unparsable: compare the raw digits
            phone = normalize.clean_phone(phone)
        digests.append(normalize.suppression_digest("phone", phone))
    return bool(digests) and SuppressionEntry.objects.filter(digest__in=digests).exists()
