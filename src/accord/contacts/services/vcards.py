"""vCard import and export through the normal services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext

from accord.contacts import vcard
from accord.contacts.models import Company, Contact
from accord.contacts.search import contacts_for_index
from accord.contacts.services.companies import company_create
from accord.contacts.services.contacts import contact_bulk_create
from accord.core import policy

MAX_CARDS = 5000


def contact_vcard_import(*, text: str, actor: Any, batch: str = "") -> list[Contact]:
    """Create one contact per card of ``text`` (vCard 3.0/4.0), all or nothing.

    ``ORG`` links the contact to a visible company of that name (ignoring case), created when
    there is none. Errors are keyed ``cards.<index>.<field>`` (``cards.0.emails.1.email``).
    """
    try:
        cards = vcard.parse(text)
    except vcard.VCardError as exc:
        raise ValidationError({"vcard": [gettext("This is not a vCard file.")]}) from exc
    if len(cards) > MAX_CARDS:
        raise ValidationError(
            {"vcard": [gettext("At most %(count)d cards at once.") % {"count": MAX_CARDS}]}
        )
    with transaction.atomic():
        companies: dict[str, int] = {}
        rows = []
        for card in cards:
            card.pop("version", None)
            name = str(card.pop("company_name", "") or "").strip()
            if name:
                key = name.lower()
                if key not in companies:
                    found = (
                        policy.scope(actor, Company.objects.all())
                        .annotate(lname=Lower("name"))
                        .filter(lname=key)
                        .order_by("pk")
                        .values_list("pk", flat=True)
                        .first()
                    )
                    companies[key] = found or company_create(actor=actor, data={"name": name}).pk
                card["company_id"] = companies[key]
            rows.append(card)
        try:
            return contact_bulk_create(rows=rows, actor=actor, batch=batch)
        except ValidationError as exc:
            raise ValidationError(
                {
                    key.replace("rows.", "cards.", 1): messages
                    for key, messages in exc.message_dict.items()
                }
            ) from exc


def contact_vcard_export(
    *, contacts: Iterable[Contact] | None = None, actor: Any, version: str = "4.0", ids: Any = None
) -> str:
    """The visible contacts (``ids``, or the given scoped queryset) as vCards."""
    queryset = policy.scope(actor, Contact.objects.all())
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    if contacts is not None:
        queryset = queryset.filter(pk__in=[c.pk for c in contacts])
    queryset = contacts_for_index(queryset).prefetch_related("addresses", "social_profiles", "tags")
    return vcard.serialize(queryset.order_by("last_name", "first_name", "pk"), version)
