"""The audit log pages: filters, keyset pagination, CSV export, one entry's diff, the history
panel, and the daily retention job."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from accord.accounts.jobs import audit_purge
from accord.accounts.models import Team, User
from accord.accounts.views_audit import neutralise
from accord.background.periodic import periodic_jobs
from accord.core import audit
from accord.core.audit import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static_storage(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def auditor_client(admin_user: User, client_for: Callable[[User], Client]) -> Client:
    return client_for(admin_user)


def make_entries(team: Team, actor: User, count: int) -> list[AuditEntry]:
    base = timezone.now() - dt.timedelta(hours=1)
    entries = []
    for index in range(count):
        entry = audit.record(
            team, "update", actor, changes={"name": [f"old {index}", f"new {index}"]}
        )
        AuditEntry.objects.filter(pk=entry.pk).update(at=base + dt.timedelta(seconds=index))
        entries.append(entry)
    return entries


def test_list_is_newest_first_with_keyset_pages(
    auditor_client: Client, team: Team, admin_user: User
) -> None:
    entries = make_entries(team, admin_user, 55)
    page = auditor_client.get(reverse("settings:audit_list"))
    ids = [e.pk for e in page.context["entries"]]
    assert ids == [e.pk for e in reversed(entries)][:50]
    cursor = page.context["next_cursor"]
    assert cursor
    second = auditor_client.get(reverse("settings:audit_list"), {"cursor": cursor})
    assert [e.pk for e in second.context["entries"]] == [e.pk for e in reversed(entries)][50:]
    assert second.context["next_cursor"] == ""


def test_filters(auditor_client: Client, team: Team, admin_user: User, user: User) -> None:
    with audit.origin("api"):
        audit.record(team, "update", user, changes={"name": ["a", "b"]})
    with audit.origin("cli", batch="import:7"):
        audit.record(team, "create", None)
    url = reverse("settings:audit_list")

    def ids(**params: Any) -> list[str]:
        response = auditor_client.get(url, params)
        return [e.actor_label for e in response.context["entries"]]

    assert ids(origin="api") == ["rep@example.com"]
    assert ids(actor=user.pk) == ["rep@example.com"]
    assert ids(verb="create") == ["cli"]
    assert ids(batch="import:7") == ["cli"]
    assert ids(object_type="accounts.team", target_id=str(team.pk)) == ["cli", "rep@example.com"]
    assert ids(object_type="accounts.user") == []
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert ids(since=tomorrow) == []
    response = auditor_client.get(url, {"object_type": "nope.nothing"})
    assert "Unknown record type." in response.content.decode()


def test_csv_export_is_streamed_and_neutralises_formulas(
    auditor_client: Client, team: Team, admin_user: User
) -> None:
    Team.objects.filter(pk=team.pk).update(name="=HYPERLINK(1)")
    team.refresh_from_db()
    audit.record(team, "update", admin_user, changes={"name": ["@a", "+b"]})
    response = auditor_client.get(reverse("settings:audit_export"))
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == [
        "at",
        "actor",
        "origin",
        "verb",
        "action",
        "record_type",
        "record_id",
        "record",
        "changes",
        "batch",
        "request_id",
    ]
    assert len(rows) == 2
    assert rows[1][1:8] == [
        "admin@example.com",
        "system",
        "update",
        "",
        "accounts.team",
        str(team.pk),
        "'=HYPERLINK(1)",
    ]
    assert rows[1][8] == '{"name": ["@a", "+b"]}'


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@x", "'@x"), ("ok", "ok"), (None, "")],
)
def test_neutralise(value: str | None, expected: str) -> None:
    assert neutralise(value) == expected


def test_detail_shows_the_field_diff(auditor_client: Client, team: Team, admin_user: User) -> None:
    entry = audit.record(team, "update", admin_user, changes={"name": ["North", "South"]})
    page = auditor_client.get(reverse("settings:audit_detail", args=[entry.pk])).content.decode()
    assert '<td class="diff-before">North</td><td class="diff-after">South</td>' in page


def test_audit_pages_need_the_capability(
    client_for: Callable[[User], Client], manager: User, team: Team, admin_user: User
) -> None:
    entry = audit.record(team, "update", admin_user, changes={"name": ["a", "b"]})
    client = client_for(manager)
    assert client.get(reverse("settings:audit_list")).status_code == 403
    assert client.get(reverse("settings:audit_export")).status_code == 403
    assert client.get(reverse("settings:audit_detail", args=[entry.pk])).status_code == 403


def test_history_panel_tag(team: Team, admin_user: User) -> None:
    audit.record(team, "update", admin_user, changes={"name": ["North", "South"]})
    request = RequestFactory().get("/")
    request.user = admin_user
    html = Template("{% load accord_history %}{% history_panel team %}").render(
        Context({"team": team, "request": request})
    )
    assert "admin@example.com" in html
    assert '<span class="diff-before">North</span> → <span class="diff-after">South</span>' in html
    assert f'id="history-accounts-team-{team.pk}"' in html


def test_retention_job_is_registered_and_purges(settings: Any, team: Team) -> None:
    assert "core.audit_purge" in {job.name for job in periodic_jobs()}
    old = audit.record(team, "update", None, changes={"name": ["a", "b"]})
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=40))
    fresh = audit.record(team, "update", None, changes={"name": ["b", "c"]})
    settings.ACCORD_AUDIT_RETENTION_DAYS = 0
    assert audit_purge.call() == {"deleted": 0}
    settings.ACCORD_AUDIT_RETENTION_DAYS = 30
    assert audit_purge.call() == {"deleted": 1}
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_audit_page_shows_the_retention_setting(auditor_client: Client, settings: Any) -> None:
    settings.ACCORD_AUDIT_RETENTION_DAYS = 0
    page = auditor_client.get(reverse("settings:audit_list")).content.decode()
    assert "Entries are kept forever (ACCORD_AUDIT_RETENTION_DAYS=0)." in page
    settings.ACCORD_AUDIT_RETENTION_DAYS = 365
    page = auditor_client.get(reverse("settings:audit_list")).content.decode()
    assert "Entries are kept for 365 days (ACCORD_AUDIT_RETENTION_DAYS)." in page
