"""Background jobs of the contacts app (take ids, reload, call a service; idempotent)."""

from __future__ import annotations

from accord.background import job
from accord.contacts import search
from accord.contacts.models import Contact
from accord.core import audit


@job(queue="default", max_attempts=3)
def contacts_reindex_for_company(company_id: int) -> None:
    """Refresh the search rows of a company's contacts (their subtitle shows the company).

    Enqueued by ``company_update`` / ``company_merge`` when a company with many contacts is
    renamed; running it twice only rewrites the same rows.
    """
    with audit.origin("job", actor_label="job:contacts_reindex_for_company"):
        search.index_contacts(
            Contact.objects.filter(company_id=company_id).values_list("pk", flat=True)
        )
