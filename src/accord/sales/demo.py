"""Demo sales data for ``accord demo``: four pipelines, ~400 deals over the past year with
realistic stage histories (stage changes with past timestamps, some skipping stages), won
and lost deals, exchange rates for EUR, GBP and SGD, and targets per rep and team for the
current and the previous quarter.

Deterministic (a seeded random generator, dates relative to the day it runs) and written
through the services: settings by an admin, deals with ``deal_bulk_create`` (one audit
batch per team).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.text import slugify

from accord.contacts.models import Company, Contact
from accord.core import audit
from accord.sales import services
from accord.sales.models import (
    DealContactRole,
    DealKind,
    DealSource,
    ForecastCategory,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from accord.sales.selectors.forecast import Period

SEED = 20261124
ADMIN_NAME = "Alex Morgan"

# name, deals, kind, stages (name, probability, rotting days) before Won/Lost
PIPELINES: list[tuple[str, int, str, list[tuple[str, int, int | None]]]] = [
    (
        "New business",
        230,
        DealKind.SALE,
        [("Lead in", 10, 14), ("Qualified", 25, 21), ("Proposal", 50, 21), ("Negotiation", 75, 14)],
    ),
    (
        "Renewals",
        90,
        DealKind.RENEWAL,
        [("Upcoming", 60, 30), ("In talks", 80, 21), ("Signed off", 95, 7)],
    ),
    (
        "Partnerships",
        40,
        DealKind.SALE,
        [("Intro", 10, 30), ("Pilot", 40, 45), ("Contract", 80, 21)],
    ),
    (
        "Fundraising",
        40,
        DealKind.DONATION,
        [("Prospect", 10, 30), ("Cultivation", 30, 45), ("Ask made", 60, 21)],
    ),
]
CURRENCY_OF_TEAM = {"North America": "USD", "Europe": "EUR", "Asia Pacific": "SGD"}
RATES = {"EUR": Decimal("1.08"), "GBP": Decimal("1.27"), "SGD": Decimal("0.74")}
_NAMES = [
    "Platform rollout", "Annual licence", "Support upgrade", "Pilot", "Expansion",
    "Analytics add-on", "Data migration", "Training package", "Hardware refresh",
    "Consulting block", "Multi-year deal", "Security review", "Integration project",
]  # fmt: skip
_NEXT_STEPS = [
    "Send proposal", "Book demo", "Call procurement", "Follow up on pricing",
    "Schedule kick-off", "Get legal sign-off", "",
]  # fmt: skip


def _settings_actor(users: dict[str, Any]) -> Any:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    admin = (
        User.objects.filter(is_active=True).filter(role__slug="admin").order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )
    if admin is not None:
        return admin
    from accord.core.management.users import create_user

    domain = next(iter(users)).split("@", 1)[1] if users else "demo.example.com"
    admin = create_user(
        email=f"alex.morgan@{domain}", role="admin", full_name=ADMIN_NAME, validate=False
    )
    users[admin.email] = admin
    return admin


def _team_members(users: dict[str, Any], team: Any) -> tuple[Any, list[Any]]:
    from accord.accounts.models import Membership

    member_ids = set(Membership.objects.filter(team=team).values_list("user_id", flat=True))
    members = [u for u in users.values() if u.pk in member_ids]
    managers = [u for u in members if getattr(getattr(u, "role", None), "slug", "") == "manager"]
    reps = [u for u in members if getattr(getattr(u, "role", None), "slug", "") == "sales-rep"]
    return (managers[0] if managers else None), reps


def _pipelines(actor: Any) -> list[tuple[Pipeline, int, str]]:
    result = []
    default = Pipeline.objects.filter(is_default=True).first()
    for order, (name, count, kind, stages) in enumerate(PIPELINES):
        existing = Pipeline.objects.filter(name=name).first()
        if existing is None and order == 0 and default is not None and default.name == "Sales":
            existing = services.pipeline_update(
                pipeline=default, actor=actor, changes={"name": name}
            )
        if existing is None:
            existing = services.pipeline_create(
                actor=actor,
                data={
                    "name": name,
                    "order": order,
                    "stages": [
                        {"name": s, "probability": p, "rotting_days": r} for s, p, r in stages
                    ]
                    + [
                        {"name": "Won", "probability": 100, "kind": StageKind.WON},
                        {"name": "Lost", "probability": 0, "kind": StageKind.LOST},
                    ],
                },
            )
        result.append((existing, count, kind))
    return result


def _rates(actor: Any, today: dt.date, rng: random.Random) -> None:
    rows = []
    for code, base in RATES.items():
        for months_back in range(13, -1, -1):
            month = today.month - months_back
            year = today.year + (month - 1) // 12
            month = (month - 1) % 12 + 1
            drift = Decimal(rng.randint(-300, 300)) / Decimal(10000)
            rows.append(
                {
                    "currency": code,
                    "rate": (base * (1 + drift)).quantize(Decimal("0.0001")),
                    "valid_from": dt.date(year, month, 1),
                }
            )
    services.exchange_rates_bulk_set(actor=actor, rows=rows, batch="demo:sales:rates")


def _history(
    rng: random.Random, stages: list[Stage], start: dt.datetime, now: dt.datetime
) -> tuple[list[tuple[int, dt.datetime]], str]:
    """Stage ids with times, and the outcome (open, won, lost)."""
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    at = start
    index = 0
    history = [(open_stages[0].pk, at)]
    while True:
        step = dt.timedelta(days=rng.randint(2, 24), hours=rng.randint(0, 23))
        if at + step >= now:
            return history, StageKind.OPEN
        at += step
        roll = rng.random()
        if roll < 0.14:
            history.append((lost.pk, at))
            return history, StageKind.LOST
        if index == len(open_stages) - 1:
            if roll < 0.7:
                history.append((won.pk, at))
                return history, StageKind.WON
            history.append((lost.pk, at))
            return history, StageKind.LOST
        if roll > 0.8 and rng.random() < 0.5:
            return history, StageKind.OPEN  # stays a while: may be stalled
        jump = 2 if roll > 0.93 and index + 2 < len(open_stages) else 1  # skips a stage
        index += jump
        history.append((open_stages[index].pk, at))


def load(stdout: Any, options: dict[str, Any]) -> None:
    """The demo loader (registered in ``apps.py``, after contacts)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    users: dict[str, Any] = options["users"]
    teams: dict[str, Any] = options["teams"]
    now = timezone.now().replace(microsecond=0)
    today = timezone.localdate(now)
    by_team = {}
    for name, team in sorted(teams.items()):
        manager, reps = _team_members(users, team)
        if manager is not None and reps:
            by_team[name] = (team, manager, reps)
    if not by_team:
        stdout.write("  sales: no demo teams; skipped")
        return
    with audit.origin("cli", actor_label="accord demo"):
        admin = _settings_actor(users)
        pipelines = _pipelines(admin)
        _rates(admin, today, rng)
        reasons = list(LostReason.objects.filter(archived=False).values_list("pk", flat=True))
        team_names = sorted(by_team)
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in team_names}
        companies = {
            name: list(
                Company.objects.filter(team=by_team[name][0])
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            for name in team_names
        }
        contacts_of: dict[int, list[int]] = {}
        for contact_id, employer_id in Contact.objects.filter(company__isnull=False).values_list(
            "pk", "company_id"
        ):
            contacts_of.setdefault(employer_id, []).append(contact_id)
        categories = [
            (ForecastCategory.PIPELINE, 45),
            (ForecastCategory.BEST_CASE, 25),
            (ForecastCategory.COMMIT, 25),
            (ForecastCategory.OMITTED, 5),
        ]
        for pipeline, count, kind in pipelines:
            stages = list(pipeline.stages.filter(archived=False).order_by("order", "id"))
            for index in range(count):
                team_name = team_names[index % len(team_names)]
                team, _manager, reps = by_team[team_name]
                owner = rng.choice(reps)
                start = now - dt.timedelta(days=rng.randint(1, 365), hours=rng.randint(0, 23))
                history, outcome = _history(rng, stages, start, now)
                code = CURRENCY_OF_TEAM.get(team_name, "USD")
                if team_name == "Europe" and rng.random() < 0.2:
                    code = "GBP"
                amount = Decimal(rng.randrange(5, 400) * 250)
                if kind == DealKind.DONATION:
                    amount = Decimal(rng.randrange(1, 100) * 100)
                last_at = history[-1][1]
                if outcome == StageKind.OPEN:
                    close = today + dt.timedelta(days=rng.randint(-20, 120))
                else:
                    close = timezone.localdate(last_at)
                company_pool = companies[team_name]
                company_id = rng.choice(company_pool) if company_pool else None
                people = contacts_of.get(company_id or 0, [])
                chosen = rng.sample(people, k=min(len(people), rng.randint(0, 2)))
                roles = [DealContactRole.DECISION_MAKER, DealContactRole.CHAMPION]
                row: dict[str, Any] = {
                    "name": f"{rng.choice(_NAMES)} {index + 1}",
                    "pipeline_id": pipeline.pk,
                    "history": history,
                    "amount": amount,
                    "currency": code,
                    "expected_close_date": close,
                    "company_id": company_id,
                    "contacts": [{"contact_id": c, "role": roles[i]} for i, c in enumerate(chosen)],
                    "source": rng.choice(DealSource.values),
                    "kind": kind
                    if kind != DealKind.DONATION
                    else rng.choice([DealKind.DONATION, DealKind.IN_KIND_DONATION]),
                    "forecast_category": rng.choices(
                        [c for c, _w in categories], [w for _c, w in categories]
                    )[0],
                    "owner_id": owner.pk,
                    "team_id": team.pk,
                    "created_at": history[0][1],
                    "last_activity_at": last_at + dt.timedelta(days=rng.randint(0, 5))
                    if rng.random() < 0.6
                    else None,
                }
                if outcome == StageKind.OPEN:
                    step = rng.choice(_NEXT_STEPS)
                    row["next_step"] = step
                    if step:
                        row["next_step_due_date"] = today + dt.timedelta(days=rng.randint(-5, 21))
                if row["last_activity_at"] and row["last_activity_at"] > now:
                    row["last_activity_at"] = now
                if outcome == StageKind.WON:
                    row["closed_amount"] = (
                        amount * Decimal(rng.choice([90, 95, 100, 100, 105])) / 100
                    ).quantize(Decimal("0.01"))
                if outcome == StageKind.LOST:
                    row["lost_reason_id"] = rng.choice(reasons)
                rows[team_name].append(row)
        created = 0
        for team_name in team_names:
            created += len(
                services.deal_bulk_create(
                    rows=rows[team_name],
                    actor=by_team[team_name][1],
                    batch=f"demo:sales:{slugify(team_name)}",
                )
            )
        # targets: per rep and team, this quarter and the previous one, in USD
        current = Period.current("quarter", today)
        targets = 0
        for period in (current.previous(), current):
            for team_name in team_names:
                team, _manager, reps = by_team[team_name]
                for rep in reps:
                    services.target_set(
                        actor=admin,
                        data={
                            "user_id": rep.pk,
                            "period_kind": "quarter",
                            "period_start": period.start,
                            "amount": Decimal(rng.randrange(8, 20) * 10000),
                            "currency": "USD",
                        },
                    )
                    targets += 1
                services.target_set(
                    actor=admin,
                    data={
                        "team_id": team.pk,
                        "period_kind": "quarter",
                        "period_start": period.start,
                        "amount": Decimal(rng.randrange(25, 50) * 10000),
                        "currency": "USD",
                    },
                )
                targets += 1
    stdout.write(f"  sales: {len(pipelines)} pipelines, {created} deals, {targets} targets")
