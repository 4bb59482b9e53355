"""Pipelines, stages, lost reasons, exchange rates and targets: admin-only, audited, with
keyed errors; a denied call changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.accounts.models import Team, User
from accord.core.audit.models import AuditEntry
from accord.sales import services
from accord.sales.models import ExchangeRate, Pipeline, Stage, Target

pytestmark = pytest.mark.django_db


def test_only_admins_change_settings(manager: User, rep: User, pipeline: Pipeline) -> None:
    before = (Pipeline.objects.count(), AuditEntry.objects.count())
    for actor in (manager, rep):
        with pytest.raises(PermissionDenied):
            services.pipeline_create(actor=actor, data={"name": "X"})
        with pytest.raises(PermissionDenied):
            services.exchange_rate_set(
                actor=actor, data={"currency": "EUR", "rate": "1", "valid_from": "2026-01-01"}
            )
        with pytest.raises(PermissionDenied):
            services.target_set(
                actor=actor,
                data={"user_id": rep.pk, "period_kind": "month", "period_start": "2026-01-01",
                      "amount": "1"},
            )  # fmt: skip
    assert (Pipeline.objects.count(), AuditEntry.objects.count()) == before


def test_pipeline_default_reorder_archive(admin_user: User, pipeline: Pipeline) -> None:
    renewals = services.pipeline_create(
        actor=admin_user,
        data={
            "name": "Renewals",
            "is_default": True,
            "stages": [{"name": "Due"}, {"name": "Won", "kind": "won"}],
        },
    )
    pipeline.refresh_from_db()
    assert (pipeline.is_default, renewals.is_default) == (False, True)
    assert list(renewals.stages.values_list("name", "order")) == [("Due", 0), ("Won", 1)]
    with pytest.raises(ValidationError) as exc:
        services.pipeline_archive(pipeline=renewals, actor=admin_user)
    assert exc.value.message_dict == {"archived": ["The default pipeline cannot be archived."]}
    services.pipelines_reorder(actor=admin_user, pipeline_ids=[renewals.pk, pipeline.pk])
    assert list(Pipeline.objects.order_by("order").values_list("pk", flat=True)) == [
        renewals.pk,
        pipeline.pk,
    ]
    with pytest.raises(ValidationError) as exc:
        services.pipelines_reorder(actor=admin_user, pipeline_ids=[renewals.pk])
    assert exc.value.message_dict == {"pipeline_ids": ["List every pipeline once."]}
    assert AuditEntry.objects.filter(verb="create", target_id=str(renewals.pk)).count() == 1


def test_stage_rules(
    admin_user: User, rep: User, pipeline: Pipeline, stages: dict[str, Stage], make_deal: Any
) -> None:
    make_deal()
    with pytest.raises(ValidationError) as exc:
        services.stage_update(stage=stages["Lead in"], actor=admin_user, changes={"kind": "won"})
    assert exc.value.message_dict == {
        "kind": ["Move the deals out of this stage before changing its kind."]
    }
    with pytest.raises(ValidationError) as exc:
        services.stage_archive(stage=stages["Lead in"], actor=admin_user)
    assert exc.value.message_dict == {"archived": ["Move the open deals out of this stage first."]}
    with pytest.raises(ValidationError) as exc:
        services.stage_create(
            actor=admin_user, pipeline=pipeline, data={"name": "Demo", "probability": 101}
        )
    assert list(exc.value.message_dict) == ["probability"]
    demo = services.stage_create(actor=admin_user, pipeline=pipeline, data={"name": "Demo"})
    assert demo.order == 6
    order = [
        stages[n].pk for n in ("Qualified", "Lead in", "Proposal", "Negotiation", "Won", "Lost")
    ]
    services.stages_reorder(actor=admin_user, pipeline=pipeline, stage_ids=[*order, demo.pk])
    assert list(pipeline.stages.order_by("order").values_list("name", flat=True))[:2] == [
        "Qualified",
        "Lead in",
    ]


def test_exchange_rates(admin_user: User) -> None:
    rate = services.exchange_rate_set(
        actor=admin_user, data={"currency": "eur", "rate": "1.0835", "valid_from": "2026-01-01"}
    )
    assert (rate.currency, rate.rate, rate.valid_from) == (
        "EUR",
        Decimal("1.0835000000"),
        dt.date(2026, 1, 1),
    )
    again = services.exchange_rate_set(
        actor=admin_user, data={"currency": "EUR", "rate": "1.09", "valid_from": "2026-01-01"}
    )
    assert again.pk == rate.pk
    assert ExchangeRate.objects.get().rate == Decimal("1.09")
    with pytest.raises(ValidationError) as exc:
        services.exchange_rate_set(
            actor=admin_user, data={"currency": "USD", "rate": "-1", "valid_from": "soon"}
        )
    assert exc.value.message_dict == {
        "currency": ["The base currency always has the rate 1."],
        "rate": ["Enter a positive number."],
        "valid_from": ["Enter a date as YYYY-MM-DD."],
    }
    with pytest.raises(ValidationError) as exc:
        services.exchange_rates_bulk_set(
            actor=admin_user,
            rows=[
                {"currency": "GBP", "rate": "1.2", "valid_from": "2026-01-01"},
                {"currency": "X"},
            ],
        )
    assert sorted(exc.value.message_dict) == ["rows.1.currency", "rows.1.rate", "rows.1.valid_from"]
    assert not ExchangeRate.objects.filter(currency="GBP").exists()


def test_targets(admin_user: User, rep: User, team: Team) -> None:
    target = services.target_set(
        actor=admin_user,
        data={
            "user_id": rep.pk,
            "period_kind": "quarter",
            "period_start": "2026-10-01",
            "amount": "5000",
        },
    )
    assert (target.currency, target.amount) == ("USD", Decimal("5000"))
    same = services.target_set(
        actor=admin_user,
        data={
            "user_id": rep.pk,
            "period_kind": "quarter",
            "period_start": "2026-10-01",
            "amount": "6000",
        },
    )
    assert same.pk == target.pk
    assert Target.objects.get().amount == Decimal("6000.00")
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            actor=admin_user,
            data={"user_id": rep.pk, "team_id": team.pk, "period_kind": "year",
                  "period_start": "2026-10-02", "amount": "-1", "currency": "usd!"},
        )  # fmt: skip
    assert exc.value.message_dict == {
        "user_id": ["Give a user or a team (one of them)."],
        "period_kind": ["Choose month or quarter."],
        "amount": ["Enter an amount of 0 or more."],
        "currency": ["Enter a three-letter currency code, e.g. EUR."],
    }
    services.target_delete(actor=admin_user, target=target)
    assert not Target.objects.exists()
