"""The sales JSON API: behaviour and errors (the permission matrix rows are in
tests/sales/permissions.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accord.accounts.models import User
from accord.accounts.tokens import api_token_create
from accord.core.api.testing import ApiClient, assert_problem
from accord.sales.models import Deal, LostReason, Pipeline, Stage, StageChange

pytestmark = pytest.mark.django_db


def client(user: User) -> ApiClient:
    return ApiClient(token=api_token_create(user=user, actor=None, scope="write").plaintext)


def test_deal_crud_with_etag(rep: User, stages: dict[str, Stage], make_contact: Any) -> None:
    api = client(rep)
    ada = make_contact()
    response = api.post(
        "/api/v1/deals",
        {
            "name": "API deal",
            "amount": "1500.25",
            "currency": "eur",
            "contacts": [{"contact_id": ada.pk, "role": "champion"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["currency"], body["status"]) == ("1500.25", "EUR", "open")
    assert body["stage_id"] == stages["Lead in"].pk
    assert body["contacts"] == [{"contact_id": ada.pk, "role": "champion"}]
    etag = response["ETag"]
    deal_id = body["id"]
    stale = api.patch(
        f"/api/v1/deals/{deal_id}", {"next_step": "Call"}, headers={"If-Match": '"nope"'}
    )
    assert_problem(stale, 412)
    response = api.patch(
        f"/api/v1/deals/{deal_id}", {"next_step": "Call"}, headers={"If-Match": etag}
    )
    assert response.status_code == 200
    assert response.json()["next_step"] == "Call"
    assert response["ETag"] != etag
    listed = api.get("/api/v1/deals", query={"amount__gte": "1000", "sort": "-amount"})
    assert [d["id"] for d in listed.json()["items"]] == [deal_id]
    bad = api.get("/api/v1/deals", query={"amount__gte": "lots"})
    problem = assert_problem(bad, 422)
    assert [e["field"] for e in problem["errors"]] == ["amount__gte"]
    assert api.delete(f"/api/v1/deals/{deal_id}").status_code == 204
    assert not Deal.objects.filter(pk=deal_id).exists()


def test_actions_move_won_lost_reopen(
    rep: User, make_deal: Any, stages: dict[str, Stage], reason: LostReason
) -> None:
    api = client(rep)
    deal = make_deal()
    problem = assert_problem(
        api.post(f"/api/v1/deals/{deal.pk}/move", {"stage_id": stages["Won"].pk}), 422
    )
    assert [(e["field"], e["message"]) for e in problem["errors"]] == [
        ("amount", "Enter the final amount.")
    ]
    response = api.post(f"/api/v1/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk})
    assert response.json()["stage_id"] == stages["Proposal"].pk
    response = api.post(f"/api/v1/deals/{deal.pk}/won", {"amount": "980.00"})
    assert (response.json()["status"], response.json()["closed_amount"]) == ("won", "980.00")
    response = api.post(f"/api/v1/deals/{deal.pk}/reopen", {})
    assert (response.json()["status"], response.json()["stage_id"]) == (
        "open",
        stages["Proposal"].pk,
    )
    response = api.post(f"/api/v1/deals/{deal.pk}/lost", {"lost_reason_id": reason.pk})
    assert (response.json()["status"], response.json()["lost_reason_id"]) == ("lost", reason.pk)
    assert StageChange.objects.filter(deal=deal).count() == 5


def test_pipelines_and_settings(admin_user: User, rep: User, pipeline: Pipeline) -> None:
    body = client(rep).get("/api/v1/pipelines").json()
    assert [p["name"] for p in body] == ["Sales"]
    assert [s["name"] for s in body[0]["stages"]] == [
        "Lead in",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]
    assert_problem(client(rep).post("/api/v1/pipelines", {"name": "X"}), 403)
    api = client(admin_user)
    response = api.post(
        "/api/v1/pipelines",
        {"name": "Fundraising", "stages": [{"name": "Ask", "probability": 120}]},
    )
    problem = assert_problem(response, 422)
    assert [e["field"] for e in problem["errors"]] == ["stages.0.probability"]
    response = api.post(
        "/api/v1/exchange-rates", {"currency": "EUR", "rate": "1.08", "valid_from": "2026-01-01"}
    )
    assert response.status_code == 201
    assert response.json()["rate"] == "1.0800000000"
    response = api.post(
        "/api/v1/targets",
        {"user_id": rep.pk, "period_kind": "quarter", "period_start": "2026-11-01", "amount": "5"},
    )
    problem = assert_problem(response, 422)
    assert [e["message"] for e in problem["errors"]] == [
        "Enter the first day of the month or quarter."
    ]


def test_forecast_endpoint(rep: User, admin_user: User, make_deal: Any) -> None:
    today = dt.date.today()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    make_deal(amount="100", expected_close_date=today.isoformat(), forecast_category="commit")
    body = client(rep).get("/api/v1/forecast", query={"period": quarter}).json()
    assert (body["commit"], body["pipeline"], body["weighted_pipeline"]) == (
        "100.00",
        "100.00",
        "10.00",
    )
    assert body["target"] is None
    problem = assert_problem(client(rep).get("/api/v1/forecast", query={"period": "Q4"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["period"]
