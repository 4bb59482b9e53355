"""Deal services: create, update, moves, won/lost/reopen, leads, bulk, policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accord.accounts.models import Team, User
from accord.contacts.models import Company, Contact
from accord.core import policy
from accord.core.audit.models import AuditEntry
from accord.sales import services
from accord.sales.models import Deal, DealContact, LostReason, Pipeline, Stage, StageChange

pytestmark = pytest.mark.django_db


def test_create_defaults(
    rep: User, team: Team, pipeline: Pipeline, stages: dict[str, Stage]
) -> None:
    deal = services.deal_create(actor=rep, data={"name": "Big one", "amount": "1200.50"})
    assert deal.pipeline_id == pipeline.pk
    assert deal.stage_id == stages["Lead in"].pk
    assert deal.status == "open"
    assert deal.owner_id == rep.pk
    assert deal.team_id == team.pk
    assert deal.currency == "USD"
    assert deal.amount == Decimal("1200.50")
    changes = list(
        StageChange.objects.filter(deal=deal).values_list("from_stage_id", "to_stage_id")
    )
    assert changes == [(None, stages["Lead in"].pk)]
    entry = AuditEntry.objects.get(verb="create", target_id=str(deal.pk))
    assert entry.changes["name"] == [None, "Big one"]


def test_create_with_contacts_and_errors(
    rep: User, acme: Company, make_contact: Any, stages: dict[str, Stage]
) -> None:
    ada = make_contact()
    deal = services.deal_create(
        actor=rep,
        data={
            "name": "With people",
            "company_id": acme.pk,
            "contacts": [{"contact_id": ada.pk, "role": "champion"}],
        },
    )
    assert list(DealContact.objects.filter(deal=deal).values_list("contact_id", "role")) == [
        (ada.pk, "champion")
    ]
    with pytest.raises(ValidationError) as exc:
        services.deal_create(
            actor=rep,
            data={
                "name": "",
                "currency": "euro",
                "stage_id": stages["Won"].pk,
                "contacts": [{"contact_id": ada.pk, "role": "boss"}],
            },
        )
    assert exc.value.message_dict == {
        "currency": ["Enter a three-letter currency code, e.g. EUR."],
        "stage_id": ["A new deal starts in an open stage; mark it won or lost afterwards."],
        "contacts.0.role": ["Select a valid choice: boss is not one of the options."],
    }


def test_create_rejects_invisible_foreign_ids(
    rep: User, outsider: User, other_team: Team, make_contact: Any
) -> None:
    hidden = make_contact(actor=outsider, team_id=other_team.pk)
    from accord.contacts.services import company_create

    globex = company_create(actor=outsider, data={"name": "Globex", "team_id": other_team.pk})
    before = Deal.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.deal_create(actor=rep, data={"name": "x", "contacts": [hidden.pk]})
    assert exc.value.message_dict == {"contacts": ["No such record."]}
    with pytest.raises(ValidationError) as exc:
        services.deal_create(actor=rep, data={"name": "x", "company_id": globex.pk})
    assert exc.value.message_dict == {"company_id": ["No such record."]}
    assert Deal.objects.count() == before


def test_team_limited_pipeline(
    rep: User, outsider: User, admin_user: User, other_team: Team
) -> None:
    limited = services.pipeline_create(
        actor=admin_user,
        data={
            "name": "Partners",
            "team_ids": [other_team.pk],
            "stages": [{"name": "Talk", "probability": 20}, {"name": "Won", "kind": "won"}],
        },
    )
    with pytest.raises(ValidationError) as exc:
        services.deal_create(actor=rep, data={"name": "x", "pipeline_id": limited.pk})
    assert exc.value.message_dict == {"pipeline_id": ["No such record."]}
    deal = services.deal_create(actor=outsider, data={"name": "x", "pipeline_id": limited.pk})
    assert deal.stage.name == "Talk"


def test_move_records_history_and_audit(
    rep: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal()
    deal = services.deal_move_to_stage(deal=deal, stage=stages["Proposal"], actor=rep)
    assert deal.stage_id == stages["Proposal"].pk
    change = StageChange.objects.filter(deal=deal).order_by("-id").first()
    assert change is not None
    assert (change.from_stage_id, change.to_stage_id, change.actor_id) == (
        stages["Lead in"].pk,
        stages["Proposal"].pk,
        rep.pk,
    )
    assert change.duration_seconds is not None
    assert change.duration_seconds >= 0
    entry = AuditEntry.objects.filter(target_id=str(deal.pk), verb="update").get()
    assert entry.changes["stage_id"] == [stages["Lead in"].pk, stages["Proposal"].pk]
    # same stage: nothing recorded
    services.deal_move_to_stage(deal=deal, stage=stages["Proposal"], actor=rep)
    assert StageChange.objects.filter(deal=deal).count() == 2


def test_move_to_won_or_lost_needs_inputs(
    rep: User, make_deal: Any, stages: dict[str, Stage], reason: LostReason
) -> None:
    deal = make_deal()
    with pytest.raises(ValidationError) as exc:
        services.deal_move_to_stage(deal=deal, stage=stages["Won"], actor=rep)
    assert exc.value.message_dict == {"amount": ["Enter the final amount."]}
    with pytest.raises(ValidationError) as exc:
        services.deal_move_to_stage(deal=deal, stage=stages["Lost"], actor=rep)
    assert exc.value.message_dict == {"lost_reason_id": ["Choose why the deal was lost."]}
    with pytest.raises(ValidationError) as exc:
        services.deal_move_to_stage(deal=deal, stage=stages["Lost"], actor=rep, lost_reason=99999)
    assert exc.value.message_dict == {"lost_reason_id": ["Choose a reason from the list."]}
    deal.refresh_from_db()
    assert deal.stage_id == stages["Lead in"].pk
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_mark_won_moves_contacts_to_customer_and_reopen(
    rep: User, make_deal: Any, make_contact: Any, stages: dict[str, Stage]
) -> None:
    ada = make_contact(lifecycle_stage="lead")
    deal = make_deal(contacts=[{"contact_id": ada.pk, "role": "decision_maker"}])
    services.deal_move_to_stage(deal=deal, stage=stages["Negotiation"], actor=rep)
    deal = services.deal_mark_won(deal=deal, actor=rep, amount=Decimal("900.00"))
    assert deal.status == "won"
    assert deal.closed_amount == Decimal("900.00")
    assert deal.won_at is not None
    assert deal.forecast_category == "closed"
    ada.refresh_from_db()
    assert ada.lifecycle_stage == "customer"
    deal = services.deal_reopen(deal=deal, actor=rep)
    assert deal.stage_id == stages["Negotiation"].pk
    assert (deal.status, deal.won_at, deal.closed_amount, deal.forecast_category) == (
        "open",
        None,
        None,
        "pipeline",
    )
    with pytest.raises(ValidationError) as exc:
        services.deal_reopen(deal=deal, actor=rep)
    assert exc.value.message_dict == {"stage_id": ["The deal is open."]}


def test_mark_lost_and_reopen_to_chosen_stage(
    rep: User, make_deal: Any, stages: dict[str, Stage], reason: LostReason
) -> None:
    deal = make_deal()
    deal = services.deal_mark_lost(deal=deal, actor=rep, reason=reason, note="Too pricey")
    assert (deal.status, deal.lost_reason_id, deal.lost_note) == ("lost", reason.pk, "Too pricey")
    assert deal.lost_at is not None
    with pytest.raises(ValidationError) as exc:
        services.deal_reopen(deal=deal, actor=rep, stage=stages["Won"])
    assert exc.value.message_dict == {"stage_id": ["Choose an open stage of the deal's pipeline."]}
    deal = services.deal_reopen(deal=deal, actor=rep, stage=stages["Qualified"])
    assert (deal.stage_id, deal.lost_reason_id, deal.lost_at) == (
        stages["Qualified"].pk,
        None,
        None,
    )


def test_denied_changes_nothing(
    rep: User, outsider: User, read_only_user: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal()
    audit_count = AuditEntry.objects.count()
    with pytest.raises(policy.NotFound):
        services.deal_move_to_stage(deal=deal, stage=stages["Proposal"], actor=outsider)
    with pytest.raises(PermissionDenied):
        services.deal_move_to_stage(deal=deal, stage=stages["Proposal"], actor=read_only_user)
    with pytest.raises(PermissionDenied):
        services.deal_update(deal=deal, actor=read_only_user, changes={"name": "x"})
    with pytest.raises(policy.NotFound):
        services.deal_delete(deal=deal, actor=outsider)
    deal.refresh_from_db()
    assert (deal.stage_id, deal.name) == (stages["Lead in"].pk, "Deal")
    assert AuditEntry.objects.count() == audit_count
    assert StageChange.objects.filter(deal=deal).count() == 1


def test_update_fields_contacts_and_pipeline(
    rep: User, admin_user: User, make_deal: Any, make_contact: Any, stages: dict[str, Stage]
) -> None:
    deal = make_deal()
    ada = make_contact()
    deal = services.deal_update(
        deal=deal,
        actor=rep,
        changes={"name": "Renamed", "forecast_category": "commit", "contacts": [ada.pk]},
    )
    assert (deal.name, deal.forecast_category) == ("Renamed", "commit")
    assert list(deal.contacts.values_list("pk", flat=True)) == [ada.pk]
    other = services.pipeline_create(
        actor=admin_user, data={"name": "Renewals", "stages": [{"name": "Due"}]}
    )
    deal = services.deal_update(deal=deal, actor=rep, changes={"pipeline_id": other.pk})
    assert (deal.pipeline_id, deal.stage.name) == (other.pk, "Due")
    with pytest.raises(ValidationError) as exc:
        services.deal_update(deal=deal, actor=rep, changes={"stage_id": stages["Won"].pk})
    assert exc.value.message_dict == {"stage_id": ["Choose a stage of the deal's pipeline."]}


def test_lead_convert(rep: User, acme: Company, make_contact: Any, pipeline: Pipeline) -> None:
    lead: Contact = make_contact(company_id=acme.pk, lifecycle_stage="lead")
    deal = services.lead_convert_to_deal(
        contact=lead, actor=rep, pipeline=pipeline, data={"name": "Acme deal", "amount": "50"}
    )
    assert deal.company_id == acme.pk
    assert list(deal.deal_contacts.values_list("contact_id", "role")) == [
        (lead.pk, "decision_maker")
    ]
    lead.refresh_from_db()
    assert lead.lifecycle_stage == "opportunity"


def test_bulk_owner_move_delete(
    rep: User, teammate: User, manager: User, make_deal: Any, stages: dict[str, Stage]
) -> None:
    a, b = make_deal(name="A"), make_deal(name="B")
    qs = Deal.objects.filter(pk__in=[a.pk, b.pk])
    assert services.deal_bulk_assign_owner(queryset=qs, actor=rep, owner_id=teammate.pk) == 2
    assert set(qs.values_list("owner_id", flat=True)) == {teammate.pk}
    assert services.deal_bulk_move_stage(queryset=qs, actor=rep, stage=stages["Proposal"]) == 2
    assert set(qs.values_list("stage_id", flat=True)) == {stages["Proposal"].pk}
    with pytest.raises(ValidationError) as exc:
        services.deal_bulk_move_stage(queryset=qs, actor=rep, stage=stages["Won"])
    assert exc.value.message_dict == {"stage_id": ["Choose an open stage."]}
    # a rep deletes only their own deals: both now belong to the teammate
    assert services.deal_bulk_delete(queryset=qs, actor=rep) == 0
    assert services.deal_bulk_delete(queryset=qs, actor=manager) == 2
    assert not Deal.objects.filter(pk__in=[a.pk, b.pk]).exists()
    assert (
        AuditEntry.objects.filter(verb="delete", target_id__in=[str(a.pk), str(b.pk)]).count() == 2
    )


def test_contact_merge_repoints_deal_contacts(rep: User, make_deal: Any, make_contact: Any) -> None:
    from accord.contacts.services import contact_merge

    ada, twin, other = make_contact(), make_contact(first_name="Ada2"), make_contact(first_name="B")
    both = make_deal(name="both", contacts=[ada.pk, {"contact_id": twin.pk, "role": "champion"}])
    only_twin = make_deal(name="twin", contacts=[{"contact_id": twin.pk, "role": "user"}])
    make_deal(name="other", contacts=[other.pk])
    contact_merge(primary=ada, others=[twin], field_choices={}, actor=rep)
    assert list(both.deal_contacts.values_list("contact_id", flat=True)) == [ada.pk]
    assert list(only_twin.deal_contacts.values_list("contact_id", "role")) == [(ada.pk, "user")]
