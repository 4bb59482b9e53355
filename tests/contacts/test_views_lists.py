"""The contact and company lists: filters, sort, paging, counts, views, bulk, export, scope."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from tests.web.conftest import use_plain_static_storage

from accord.accounts.models import Team, User
from accord.contacts.models import Contact
from accord.core.audit.models import AuditEntry
from accord.lists.models import ListPreference, SavedView

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _plain_static(settings: Any) -> None:
    use_plain_static_storage(settings)


LIST = "/contacts/"


def row_ids(response: Any) -> list[int]:
    return [row["obj"].pk for row in response.context["rows"]]


@pytest.fixture
def rep_client(client_for: Any, rep: User) -> Client:
    return client_for(rep)


def test_list_shows_only_scoped_rows(
    rep_client: Client, make_contact: Any, outsider: User, team: Team
) -> None:
    mine = make_contact(first_name="Mine", team_id=team.pk)
    make_contact(actor=outsider, first_name="Theirs")
    response = rep_client.get(LIST)
    assert response.status_code == 200
    assert row_ids(response) == [mine.pk]
    assert response.context["count"].value == 1
    assert b"Mine" in response.content
    assert b"Theirs" not in response.content


def test_filters_sort_and_bad_input(rep_client: Client, make_contact: Any) -> None:
    a = make_contact(first_name="Ann", last_name="Zed", lifecycle_stage="customer")
    b = make_contact(first_name="Ben", last_name="Abe", lifecycle_stage="lead")
    response = rep_client.get(LIST, {"sort": "last_name"})
    assert row_ids(response) == [b.pk, a.pk]
    response = rep_client.get(LIST, {"lifecycle_stage": "customer"})
    assert row_ids(response) == [a.pk]
    assert [c.value for c in response.context["chips"]] == ["Customer"]
    response = rep_client.get(LIST, {"created_at__after": "yesterday", "sort": "nope"})
    assert response.status_code == 400
    errors = {e["param"]: e["messages"] for e in response.context["errors"]}
    assert errors == {
        "created_at__after": ["Enter a date as YYYY-MM-DD."],
        "sort": ["This list cannot be sorted by nope."],
    }
    assert b"Some filters could not be applied" in response.content


def test_htmx_gets_only_the_results(rep_client: Client, make_contact: Any) -> None:
    make_contact(first_name="Ann")
    response = rep_client.get(LIST, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="list-results"')
    assert "<html" not in html
    assert 'id="list-hidden-state"' in html  # out-of-band update of the form's sort/view


def test_keyset_pages_forward_and_back(rep_client: Client, make_contact: Any) -> None:
    made = [make_contact(first_name=f"P{i:02d}", last_name=f"L{i:02d}") for i in range(7)]
    first = rep_client.get(LIST, {"sort": "last_name", "limit": 3})
    assert row_ids(first) == [c.pk for c in made[:3]]
    second = rep_client.get(first.context["next_url"])
    assert row_ids(second) == [c.pk for c in made[3:6]]
    third = rep_client.get(second.context["next_url"])
    assert row_ids(third) == [made[6].pk]
    assert third.context["next_url"] == ""
    back = rep_client.get(third.context["previous_url"])
    assert row_ids(back) == [c.pk for c in made[3:6]]
    assert "offset" not in first.context["next_url"]


def test_list_query_count_does_not_grow_with_rows(
    rep_client: Client, rep: User, team: Team, acme: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.contacts.services import contact_bulk_create

    def add(count: int, start: int) -> None:
        contact_bulk_create(
            actor=rep,
            rows=[
                {
                    "first_name": f"N{start + i}",
                    "company_id": acme.pk,
                    "team_id": team.pk,
                    "tags": ["vip", "x"],
                }
                for i in range(count)
            ],
        )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = rep_client.get(LIST)
        assert response.status_code == 200
        return len(captured)

    add(5, 0)
    rep_client.get(LIST)  # warm the session
    with_5 = queries()
    add(45, 5)
    with_50 = queries()
    assert with_5 == with_50
    # the shell's own (session, user, role, memberships, notifications) plus the list's:
    # saved views, definitions, column preference, page, tags of the page, count, teams of
    # the view menu, user / team / tag choices of the filter form
    assert with_50 <= MAX_QUERIES


MAX_QUERIES = 18


def test_saved_view_flow(rep_client: Client, rep: User, make_contact: Any, team: Team) -> None:
    make_contact(first_name="Ann", lifecycle_stage="customer")
    response = rep_client.post(
        reverse("lists:saved_view_create", args=["contacts.contact"]),
        {
            "name": "Customers",
            "query": "lifecycle_stage=customer&sort=last_name",
            "shared_with_team_id": str(team.pk),
            "is_default": "on",
        },
    )
    view = SavedView.objects.get()
    assert (view.name, view.filters, view.sort, view.shared_with_team_id, view.is_default) == (
        "Customers",
        {"lifecycle_stage": ["customer"]},
        "last_name",
        team.pk,
        True,
    )
    assert response.status_code == 302
    assert (
        response["Location"] == f"/contacts/?view={view.pk}&lifecycle_stage=customer&sort=last_name"
    )
    # the default view opens when the list is visited bare
    bare = rep_client.get(LIST)
    assert bare.status_code == 302
    assert bare["Location"] == response["Location"]
    page = rep_client.get(response["Location"])
    assert page.context["active_view"] == view
    assert page.context["view_changed"] is False
    # "All contacts" (?view=) still shows everything without the default view
    everything = rep_client.get(LIST + "?view=")
    assert everything.status_code == 200
    assert everything.context["active_view"] is None
    # changed filters mark the view as edited
    edited = rep_client.get(response["Location"].replace("customer", "lead"))
    assert edited.context["view_changed"] is True


def test_empty_states(rep_client: Client, make_contact: Any) -> None:
    empty = rep_client.get(LIST)
    assert b"No contacts yet" in empty.content
    assert b'href="/contacts/new/"' in empty.content
    make_contact(first_name="Ann", lifecycle_stage="lead")
    none = rep_client.get(LIST, {"lifecycle_stage": "customer"})
    assert b"No contacts match these filters" in none.content


def test_columns_are_remembered(rep_client: Client, rep: User, make_contact: Any) -> None:
    make_contact(first_name="Ann", job_title="CTO")
    rep_client.post(
        reverse("lists:columns", args=["contacts.contact"]),
        {"columns": ["job_title", "lead_source", "bogus"], "next": LIST},
    )
    assert ListPreference.objects.get(user=rep).columns == ["job_title", "lead_source"]
    response = rep_client.get(LIST)
    assert [h["column"].key for h in response.context["headers"]] == [
        "name",
        "job_title",
        "lead_source",
    ]


def test_export_needs_capability_and_neutralises(
    client_for: Any, rep: User, manager: User, make_contact: Any, team: Team
) -> None:
    make_contact(first_name="=HYPERLINK(1)", last_name="Evil", team_id=team.pk)
    make_contact(first_name="Plain", last_name="Person", team_id=team.pk)
    url = reverse("lists:export", args=["contacts.contact"])
    assert client_for(rep).get(url).status_code == 403  # sales reps lack "export"
    response = client_for(manager).get(url, {"sort": "last_name"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Name", "Email", "Phone"]
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(1) Evil", "Plain Person"]


def test_bulk_set_stage_selected_rows(rep_client: Client, make_contact: Any) -> None:
    a = make_contact(first_name="Ann", lifecycle_stage="lead")
    b = make_contact(first_name="Ben", lifecycle_stage="lead")
    url = reverse("lists:bulk", args=["contacts.contact"])
    confirm = rep_client.get(url, {"action": "set_stage", "ids": [a.pk], "query": ""})
    assert confirm.status_code == 200
    assert b"Move the 1 selected contacts" in confirm.content
    done = rep_client.post(
        url,
        {"action": "set_stage", "ids": [a.pk], "query": "", "confirm": "1", "stage": "customer"},
    )
    assert done.status_code == 302
    assert Contact.objects.get(pk=a.pk).lifecycle_stage == "customer"
    assert Contact.objects.get(pk=b.pk).lifecycle_stage == "lead"


def test_bulk_all_matching_stays_in_scope(
    rep_client: Client, make_contact: Any, outsider: User
) -> None:
    a = make_contact(first_name="Ann", lifecycle_stage="lead")
    hidden = make_contact(actor=outsider, first_name="Hid", lifecycle_stage="lead")
    before = AuditEntry.objects.filter(target_id=str(hidden.pk)).count()
    rep_client.post(
        reverse("lists:bulk", args=["contacts.contact"]),
        {
            "action": "tag_add",
            "all": "1",
            "query": "lifecycle_stage=lead",
            "confirm": "1",
            "tags": "hot",
        },
    )
    assert [t.name for t in Contact.objects.get(pk=a.pk).tags.all()] == ["hot"]
    assert list(Contact.objects.get(pk=hidden.pk).tags.all()) == []
    assert AuditEntry.objects.filter(target_id=str(hidden.pk)).count() == before


def test_bulk_form_errors_are_shown(rep_client: Client, make_contact: Any) -> None:
    a = make_contact(first_name="Ann")
    response = rep_client.post(
        reverse("lists:bulk", args=["contacts.contact"]),
        {"action": "tag_add", "ids": [a.pk], "query": "", "confirm": "1", "tags": " , "},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"tags": ["Enter at least one tag."]}


def test_company_list(client_for: Any, rep: User, acme: Any, globex: Any) -> None:
    response = client_for(rep).get("/companies/")
    assert response.status_code == 200
    assert row_ids(response) == [acme.pk]
