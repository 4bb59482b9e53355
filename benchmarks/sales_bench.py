"""Sales benchmark: p50/p95/p99 server time of the board, a card move and the forecast.

Generates deals across 3 pipelines (3 teams of 6 reps; about 6% of deals open, so a team sees
about 2,000 open deals per pipeline at 300,000 deals) into a scratch database, with exchange
rates and targets, then times as a sales rep of one team:

- ``board``: ``deal_board`` of a pipeline (totals, weighted totals, 20 cards per column),
  unfiltered and filtered (``owner_id=me``; ``is_stalled=true``) — target p95 < 150 ms;
- ``move card``: ``deal_move_to_stage`` of a random visible open deal to another open stage
  (stage change row, audit entry, event) — target p95 < 30 ms;
- ``forecast``: ``forecast`` of the current quarter for the team, and for the rep's own
  deals against their target — target p95 < 200 ms.

    python benchmarks/sales_bench.py                        # SQLite, 300,000 deals
    python benchmarks/sales_bench.py --deals 30000
    python benchmarks/sales_bench.py --database-url postgres://postgres@127.0.0.1/postgres

Scratch database handling (``--scratch``, ``--keep``, ``--reuse``) as in contacts_bench.py.
Deals are written with ``bulk_create`` (a data generator, not the import path) and without
stage history rows. Results are printed as a table and as JSON; tests assert nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from contacts_bench import _row, engine_version, setup_django, timed

TEAMS = 3
REPS_PER_TEAM = 6
PIPELINES = 3
OPEN_SHARE = 0.06


def load(args: argparse.Namespace) -> float:
    from django.db import transaction
    from django.utils import timezone

    from accord.accounts.models import Membership, Role, Team, User
    from accord.sales.models import Deal, ExchangeRate, Pipeline, Stage, Target

    started = time.perf_counter()
    rnd = random.Random(args.seed)
    now = timezone.now()
    today = timezone.localdate(now)
    rep_role = Role.objects.get(slug="sales-rep")
    manager_role = Role.objects.get(slug="manager")
    teams, reps = [], {}
    for t in range(TEAMS):
        team = Team.objects.create(name=f"Bench team {t}")
        teams.append(team)
        manager = User.objects.create(email=f"manager{t}@bench.example", role=manager_role)
        Membership.objects.create(user=manager, team=team, is_manager=True)
        reps[team.pk] = []
        for r in range(REPS_PER_TEAM):
            user = User.objects.create(email=f"rep{t}.{r}@bench.example", role=rep_role)
            Membership.objects.create(user=user, team=team)
            reps[team.pk].append(user)
    pipelines = [Pipeline.objects.get(is_default=True)]
    for p in range(1, PIPELINES):
        pipeline = Pipeline.objects.create(name=f"Bench {p}", order=p)
        for order, (name, probability, kind) in enumerate(
            [("A", 10, "open"), ("B", 30, "open"), ("C", 60, "open"), ("D", 80, "open"),
             ("Won", 100, "won"), ("Lost", 0, "lost")]
        ):  # fmt: skip
            Stage.objects.create(
                pipeline=pipeline, name=name, order=order, probability=probability,
                rotting_days=14 if kind == "open" else None, kind=kind,
            )  # fmt: skip
        pipelines.append(pipeline)
    stages = {p.pk: list(p.stages.order_by("order")) for p in pipelines}
    for code, rate in (("EUR", "1.08"), ("GBP", "1.27")):
        for months in range(0, 24):
            day = (today.replace(day=1) - dt.timedelta(days=31 * months)).replace(day=1)
            ExchangeRate.objects.get_or_create(
                currency=code, valid_from=day, defaults={"rate": Decimal(rate)}
            )
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    for team in teams:
        Target.objects.create(
            team=team, period_kind="quarter", period_start=quarter_start, amount=Decimal(5000000),
            currency="USD",
        )  # fmt: skip
        for user in reps[team.pk]:
            Target.objects.create(
                user=user, period_kind="quarter", period_start=quarter_start,
                amount=Decimal(800000), currency="USD",
            )  # fmt: skip
    batch: list[Deal] = []
    for index in range(args.deals):
        pipeline = pipelines[index % PIPELINES]
        team = teams[(index // PIPELINES) % TEAMS]
        owner = rnd.choice(reps[team.pk])
        pipeline_stages = stages[pipeline.pk]
        created = now - dt.timedelta(days=rnd.randint(0, 700), minutes=rnd.randint(0, 1440))
        roll = rnd.random()
        if roll < OPEN_SHARE:
            stage = rnd.choice(pipeline_stages[:4])
        else:
            stage = pipeline_stages[4] if roll < 0.55 else pipeline_stages[5]
        entered = created + (now - created) * rnd.random()
        amount = Decimal(rnd.randrange(100, 500000)) / 10
        deal = Deal(
            name=f"Deal {index}", pipeline=pipeline, stage=stage, status=stage.kind,
            amount=amount, currency=rnd.choice(["USD", "USD", "USD", "EUR", "GBP"]),
            expected_close_date=(entered + dt.timedelta(days=rnd.randint(-30, 150))).date(),
            owner=owner, team=team, stage_entered_at=entered,
            forecast_category=rnd.choice(["pipeline", "best_case", "commit", "omitted"])
            if stage.kind == "open" else ("closed" if stage.kind == "won" else "omitted"),
            won_at=entered if stage.kind == "won" else None,
            lost_at=entered if stage.kind == "lost" else None,
            closed_amount=amount if stage.kind == "won" else None,
            next_step="Call" if rnd.random() < 0.7 else "",
        )  # fmt: skip
        batch.append(deal)
        if len(batch) >= args.batch:
            with transaction.atomic():
                Deal.objects.bulk_create(batch, batch_size=2000)
            batch = []
            print(f"  {index + 1:,} deals", file=sys.stderr)
    if batch:
        with transaction.atomic():
            Deal.objects.bulk_create(batch, batch_size=2000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from accord.accounts.models import User
    from accord.core import audit
    from accord.sales import selectors, services
    from accord.sales.models import Deal, Pipeline, Stage
    from accord.sales.selectors import Period

    rnd = random.Random(args.seed + 1)
    rep = User.objects.get(email="rep0.0@bench.example")
    manager = User.objects.get(email="manager0@bench.example")
    pipelines = list(Pipeline.objects.order_by("order"))
    period = Period.current("quarter")
    results: dict[str, Any] = {}
    n = args.queries

    def board(filters: dict[str, list[str]]) -> list[Callable[[], Any]]:
        def make(pipeline: Pipeline) -> Callable[[], Any]:
            return lambda: (
                selectors.deal_board(User.objects.get(pk=rep.pk), pipeline, filters).columns
            )

        return [make(rnd.choice(pipelines)) for _ in range(n)]

    counts = [selectors.deal_board(rep, p).count for p in pipelines]
    print(f"  open deals on the rep's boards: {counts}", file=sys.stderr)
    results["board"] = _row(*timed(board({})), 150)
    results["board owner_id=me"] = _row(*timed(board({"owner_id": ["me"]})), 150)
    results["board is_stalled=true"] = _row(*timed(board({"is_stalled": ["true"]})), 150)

    open_ids = list(
        Deal.objects.filter(
            team_id__in=rep.memberships.values("team_id"), status="open"
        ).values_list("pk", "pipeline_id", "stage_id")
    )
    open_stages: dict[int, list[Stage]] = {}
    for stage in Stage.objects.filter(kind="open"):
        open_stages.setdefault(stage.pipeline_id, []).append(stage)

    def move() -> Callable[[], Any]:
        pk, pipeline_id, stage_id = rnd.choice(open_ids)
        target = rnd.choice([s for s in open_stages[pipeline_id] if s.pk != stage_id])

        def call() -> Any:
            with audit.origin("web"):
                deal = Deal.objects.get(pk=pk)
                return services.deal_move_to_stage(
                    deal=deal, stage=target, actor=User.objects.get(pk=rep.pk)
                ).pk

        return call

    results["move card"] = _row(*timed([move() for _ in range(n)]), 30)

    def forecast(owner: bool) -> Callable[[], Any]:
        def call() -> Any:
            user = User.objects.get(pk=(rep if owner else manager).pk)
            result = selectors.forecast(user, period, owner_id=rep.pk if owner else None)
            return result.counts

        return call

    results["forecast quarter (team)"] = _row(*timed([forecast(False) for _ in range(n)]), 200)
    results["forecast quarter (own deals)"] = _row(*timed([forecast(True) for _ in range(n)]), 200)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deals", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=100, help="samples per measurement")
    parser.add_argument("--database-url", help="PostgreSQL server (postgres://...) to use")
    parser.add_argument("--scratch", help="scratch SQLite path / PostgreSQL database name")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--batch", type=int, default=20_000, help="rows per load transaction")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="write the JSON report here too")
    args = parser.parse_args(argv)
    if args.database_url and not args.scratch:
        args.scratch = "accord_sales_bench"
    cleanup = setup_django(args)
    try:
        from accord.sales.models import Deal

        present = Deal.objects.count()
        load_seconds = None
        if present != args.deals:
            if present:
                raise SystemExit(f"scratch database holds {present:,} deals")
            print(f"loading {args.deals:,} deals ...", file=sys.stderr)
            load_seconds = load(args)
        report = {
            "benchmark": "sales",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine_version(),
            "deals": args.deals,
            "load_seconds": round(load_seconds, 1) if load_seconds else None,
            "machine": {
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            },
            "results": measure(args),
        }
    finally:
        cleanup()
    print_table(report)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n")
    return 0


def print_table(report: dict[str, Any]) -> None:
    print(f"\nsales benchmark: {report['engine']}, {report['deals']:,} deals")
    header = f"{'measurement':42} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} target"
    print(header)
    print("-" * len(header))
    for key, row in report["results"].items():
        target = row["target_p95_ms"]
        verdict = f"p95<{target} " + ("ok" if row["p95_ms"] < target else "MISSED")
        print(
            f"{key:42} {row['n']:>4} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {verdict}"
        )
    print()


if __name__ == "__main__":
    raise SystemExit(main())
