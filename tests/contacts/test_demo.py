from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accord.contacts.models import Company, Contact, LifecycleStage
from accord.contacts.selectors import duplicate_candidates
from accord.core.audit.models import AuditEntry
from accord.core.registry import registry
from accord.search import search_query
from accord.search.types import Visibility

pytestmark = pytest.mark.django_db


def test_demo_loads_customer_base() -> None:
    assert "contacts" in registry.demo_loaders
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "contacts: 60 companies, 309 contacts" in out.getvalue()
    assert Company.objects.count() == 60
    assert Contact.objects.count() == 309
    stages = set(Contact.objects.values_list("lifecycle_stage", flat=True))
    assert stages == set(LifecycleStage.values)
    assert Contact.objects.filter(team__isnull=True).count() == 0
    assert Contact.objects.values("team").distinct().count() == 3
    assert AuditEntry.objects.filter(batch__startswith="demo:contacts:").count() == 309
    from accord.accounts.models import User

    admin = User.objects.filter(role__slug="manager").first()
    assert admin is not None
    assert len(duplicate_candidates(admin, "contacts.contact")) >= 3
    first = Contact.objects.order_by("pk").first()
    assert first is not None
    hits = search_query(
        first.last_name, object_types=["contacts.contact"], visibility=Visibility.everything()
    )
    assert first.pk in [h.object_id for h in hits]


def test_demo_is_deterministic() -> None:
    call_command("demo", stdout=io.StringIO())
    names = list(Contact.objects.order_by("pk").values_list("first_name", "last_name", "email"))
    Contact.objects.all().delete()
    Company.objects.all().delete()
    call_command("demo", "--force", stdout=io.StringIO())
    assert (
        list(Contact.objects.order_by("pk").values_list("first_name", "last_name", "email"))
        == names
    )
