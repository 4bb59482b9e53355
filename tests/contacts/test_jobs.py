from __future__ import annotations

import pytest

from accord.accounts.models import User
from accord.background.testing import run_pending_jobs
from accord.contacts.models import Company
from accord.contacts.services import companies as company_services
from accord.contacts.services import company_update, contact_bulk_create
from accord.search import search_query
from accord.search.types import Visibility

pytestmark = pytest.mark.django_db


def _subtitles(query: str) -> set[str]:
    hits = search_query(
        query, object_types=["contacts.contact"], visibility=Visibility.everything(), limit=50
    )
    return {h.subtitle for h in hits}


def test_rename_of_a_big_company_reindexes_in_a_job(
    rep: User, acme: Company, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(company_services, "INLINE_REINDEX_LIMIT", 2)
    contact_bulk_create(
        rows=[
            {"first_name": "Zora", "last_name": f"N{i}", "company_id": acme.pk} for i in range(3)
        ],
        actor=rep,
    )
    company_update(company=acme, actor=rep, changes={"name": "Acme Renamed"})
    assert _subtitles("zora") == {"Acme GmbH"}  # not yet: the job is queued
    stats = run_pending_jobs()
    assert (stats.succeeded, stats.failed) == (1, 0)
    assert _subtitles("zora") == {"Acme Renamed"}
    assert run_pending_jobs().succeeded == 0
