"""``accord demo`` loads the sales demo: pipelines, a year of deals with stage history,
rates and targets, through the audited services."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accord.contacts.models import Company, Contact
from accord.core.audit.models import AuditEntry
from accord.core.registry import registry
from accord.sales.models import Deal, ExchangeRate, Pipeline, StageChange, Target

pytestmark = pytest.mark.django_db


def test_demo_loads_sales() -> None:
    assert registry.demo_loaders["sales"].order > registry.demo_loaders["contacts"].order
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "sales: 4 pipelines, 400 deals, 18 targets" in out.getvalue()
    assert list(Pipeline.objects.order_by("order").values_list("name", flat=True)) == [
        "New business",
        "Renewals",
        "Partnerships",
        "Fundraising",
    ]
    assert Deal.objects.count() == 400
    assert set(Deal.objects.values_list("status", flat=True)) == {"open", "won", "lost"}
    assert Deal.objects.filter(team__isnull=True).count() == 0
    assert Deal.objects.values("team").distinct().count() == 3
    assert StageChange.objects.filter(from_stage__isnull=True).count() == 400
    assert StageChange.objects.count() > 800
    assert set(ExchangeRate.objects.values_list("currency", flat=True)) == {"EUR", "GBP", "SGD"}
    assert Target.objects.count() == 18
    assert AuditEntry.objects.filter(batch__startswith="demo:sales:", verb="create").count() >= 400
    # every deal's status follows its stage, and the history ends in its stage
    for deal in Deal.objects.select_related("stage"):
        assert deal.status == deal.stage.kind
        last = StageChange.objects.filter(deal=deal).order_by("-at", "-id").first()
        assert last is not None
        assert last.to_stage_id == deal.stage_id


def test_demo_is_deterministic() -> None:
    call_command("demo", stdout=io.StringIO())
    rows = list(Deal.objects.order_by("pk").values_list("name", "amount", "status", "currency"))
    Deal.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    call_command("demo", "--force", stdout=io.StringIO())
    assert (
        list(Deal.objects.order_by("pk").values_list("name", "amount", "status", "currency"))
        == rows
    )
