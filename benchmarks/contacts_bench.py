"""Contacts benchmark: p50/p95/p99 server time of the customer database's hot paths.

Generates companies and contacts (emails, phones, tags; 50 teams of 10 sales reps) into a
scratch database, indexes them for search through the contacts app's own index rows, then
times, for a typical sales rep (two teams plus their own records):

- ``list ...``: a filtered, sorted page of 50 contacts as the API list builds it (the shared
  filter set, keyset pagination, children prefetched, serialised), on the first page and
  at random depths (a cursor from the middle of the list);
- ``360 contact``: ``contact_detail`` of a random visible contact;
- ``search ...``: the palette's contact search provider for a name prefix, an email
  fragment and phone digits.

    python benchmarks/contacts_bench.py                     # SQLite, 1,000,000 contacts
    python benchmarks/contacts_bench.py --contacts 100000
    python benchmarks/contacts_bench.py --database-url postgres://postgres@127.0.0.1/postgres

Companies default to a fifth of the contacts (200,000 for 1,000,000). SQLite: a file in a
temporary directory; PostgreSQL: a scratch database ``accord_contacts_bench`` created on the
server of ``--database-url`` (needs CREATEDB) and dropped afterwards (``--keep``/``--reuse``
as in search_bench.py). The data are written with ``bulk_create`` (this is a data generator,
not the import path). Server time = wall time of the call in this process, database round
trips included, HTTP not. Results are printed as a table and as JSON; tests assert nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _words(text: str) -> list[str]:
    return text.split()


FIRST = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David "
    "Barbara Lukas Leon Finn Jonas Elias Felix Mia Hannah Lena Sophie Marie Jürgen Björn "
    "Sören Helga Hugo Chloé Léa Manon Louis Camille Mateo Lucía Sofía Diego Valentina Wei "
    "Mei Hiroshi Yuki Aarav Priya Ravi Ananya Omar Fatima Kwame Amara Ingrid Lars Nora "
    "Tomás Anya Grace Samuel"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Müller "
    "Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Moreau Laurent Rossi "
    "Russo Ferrari Nguyen Tran Wang Li Zhang Chen Tanaka Suzuki Sato Kim Lee Park Patel "
    "Sharma Singh Khan Okafor Mensah Johansson Andersen Nielsen Novak Kowalski Silva "
    "Santos Costa O'Brien Murphy"
)
STEMS = _words(
    "North Blue Iron Silver Bright Summit Ever Red Quantum Harbor Atlas Nimbus Copper "
    "Lake Pioneer Crescent Falcon Maple Orion Vertex Granite Sunrise Kestrel Tide Delta "
    "Apex Nova"
)
KINDS = _words("Labs Logistics Foods Health Systems Energy Analytics Textiles Robotics Media")
STAGES = [
    "subscriber", "lead", "marketing_qualified", "sales_qualified", "opportunity", "customer",
    "evangelist", "other",
]  # fmt: skip
TEAMS = 50
REPS_PER_TEAM = 10


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def setup_django(args: argparse.Namespace) -> Callable[[], None]:
    workdir = Path(tempfile.mkdtemp(prefix="accord-contacts-bench-"))
    os.environ["ACCORD_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    cleanup: list[Callable[[], None]] = [lambda: shutil.rmtree(workdir, ignore_errors=True)]
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        name = args.scratch or "accord_contacts_bench"
        admin = psycopg.connect(args.database_url, autocommit=True)
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not args.reuse:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')
        os.environ["ACCORD_DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        if not args.keep:
            cleanup.append(drop)
    else:
        path = Path(args.scratch) if args.scratch else workdir / "bench.sqlite3"
        if path.exists() and not args.reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["ACCORD_SQLITE_PATH"] = str(path)
        if args.keep:
            cleanup = []
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    def run_cleanup() -> None:
        for step in reversed(cleanup):
            step()

    return run_cleanup


def engine_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def phone(rnd: random.Random) -> str:
    return rnd.choice(
        [
            f"+4930{rnd.randint(1000000, 9999999)}",
            f"+1212555{rnd.randint(1000, 9999)}",
            f"+447700{rnd.randint(100000, 999999)}",
            f"+336{rnd.randint(10000000, 99999999)}",
        ]
    )


def load(args: argparse.Namespace) -> float:
    """Teams, reps, companies, contacts (+emails, phones, tags), then the search index."""
    from django.db import transaction

    from accord.accounts.models import Membership, Role, Team, User
    from accord.contacts.models import (
        Company,
        CompanyDomain,
        Contact,
        ContactEmail,
        ContactPhone,
        Tag,
    )
    from accord.contacts.search import (
        companies_for_index,
        company_index_row,
        contact_index_row,
        contacts_for_index,
    )
    from accord.search import search_index_bulk_upsert, search_index_optimize

    started = time.perf_counter()
    rnd = random.Random(args.seed)
    rep_role = Role.objects.get(slug="sales-rep")
    with transaction.atomic():
        teams = Team.objects.bulk_create([Team(name=f"Team {i:02d}") for i in range(TEAMS)])
        users = User.objects.bulk_create(
            [
                User(email=f"rep{t}-{r}@bench.example", full_name=f"Rep {t}-{r}", role=rep_role)
                for t in range(TEAMS)
                for r in range(REPS_PER_TEAM)
            ]
        )
        Membership.objects.bulk_create(
            [Membership(user=u, team=teams[i // REPS_PER_TEAM]) for i, u in enumerate(users)]
        )
        tags = Tag.objects.bulk_create([Tag(name=n) for n in ("VIP", "Newsletter", "Partner")])
    team_ids = [t.pk for t in teams]
    user_ids = [u.pk for u in users]
    tag_through = Contact.tags.through
    now = datetime.now(UTC)
    batch = args.batch
    company_ids: list[int] = []
    company_domains: list[str] = []
    company_names: list[str] = []
    for start in range(0, args.companies, batch):
        with transaction.atomic():
            rows = []
            for i in range(start, min(start + batch, args.companies)):
                team_index = rnd.randrange(TEAMS)
                name = f"{rnd.choice(STEMS)}{rnd.choice(STEMS).lower()} {rnd.choice(KINDS)} {i}"
                domain = f"{name.lower().replace(' ', '-')}.example"
                rows.append(
                    Company(
                        name=name,
                        domain=domain,
                        team_id=team_ids[team_index],
                        owner_id=user_ids[team_index * REPS_PER_TEAM + rnd.randrange(10)],
                        industry=rnd.choice(KINDS),
                    )
                )
            saved = Company.objects.bulk_create(rows, batch_size=2000)
            CompanyDomain.objects.bulk_create(
                [CompanyDomain(company=c, domain=c.domain, is_primary=True) for c in saved],
                batch_size=2000,
            )
            company_ids.extend(c.pk for c in saved)
            company_domains.extend(c.domain for c in saved)
            company_names.extend(c.name for c in saved)
    for start in range(0, args.contacts, batch):
        with transaction.atomic():
            rows_c = []
            meta = []
            for _i in range(start, min(start + batch, args.contacts)):
                first, last = rnd.choice(FIRST), rnd.choice(LAST)
                company_index = rnd.randrange(len(company_ids)) if company_ids else -1
                team_index = rnd.randrange(TEAMS)
                domain = company_domains[company_index] if company_index >= 0 else "mail.example"
                email = f"{first}.{last}{rnd.randint(1, 999)}@{domain}".lower()
                number = phone(rnd)
                rows_c.append(
                    Contact(
                        first_name=first,
                        last_name=last,
                        email=email,
                        phone=number,
                        company_id=company_ids[company_index] if company_index >= 0 else None,
                        team_id=team_ids[team_index],
                        owner_id=user_ids[team_index * REPS_PER_TEAM + rnd.randrange(10)],
                        lifecycle_stage=rnd.choice(STAGES),
                        lifecycle_stage_at=now - timedelta(minutes=rnd.randrange(2_000_000)),
                    )
                )
                meta.append((email, number, rnd.random() < 0.2))
            saved_c = Contact.objects.bulk_create(rows_c, batch_size=2000)
            pairs = list(zip(saved_c, meta, strict=True))
            ContactEmail.objects.bulk_create(
                [ContactEmail(contact=c, email=m[0], is_primary=True) for c, m in pairs],
                batch_size=2000,
            )
            ContactPhone.objects.bulk_create(
                [
                    ContactPhone(contact=c, number=m[1], original=m[1], is_primary=True)
                    for c, m in pairs
                ],
                batch_size=2000,
            )
            tag_through.objects.bulk_create(
                [tag_through(contact_id=c.pk, tag_id=tags[0].pk) for c, m in pairs if m[2]],
                batch_size=2000,
            )
        print(f"  {min(start + batch, args.contacts):,} contacts", file=sys.stderr)
    search_index_bulk_upsert(
        company_index_row(c) for c in companies_for_index().order_by("pk").iterator(chunk_size=2000)
    )
    search_index_bulk_upsert(
        contact_index_row(c) for c in contacts_for_index().order_by("pk").iterator(chunk_size=2000)
    )
    search_index_optimize()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def timed(calls: list[Callable[[], Any]]) -> tuple[list[float], list[int]]:
    for call in calls[: max(5, len(calls) // 10)]:  # warm-up
        call()
    timings, sizes = [], []
    for call in calls:
        started = time.perf_counter()
        result = call()
        timings.append((time.perf_counter() - started) * 1000)
        sizes.append(len(result) if hasattr(result, "__len__") else 1)
    return timings, sizes


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from django.http import QueryDict

    from accord.accounts.models import User
    from accord.contacts.api import contact_queryset
    from accord.contacts.filters import ContactFilterSet
    from accord.contacts.models import Contact
    from accord.contacts.schemas import contact_out
    from accord.contacts.search import search_contacts
    from accord.contacts.selectors import contact_detail
    from accord.core import policy
    from accord.lists.pagination import encode_cursor, paginate, resolve_sort

    rnd = random.Random(args.seed + 1)
    rep = User.objects.order_by("pk").first()
    assert rep is not None
    policy.access_for(rep)
    visible = policy.scope(rep, Contact.objects.all())
    sample = (
        list(
            visible.order_by("?").values_list("pk", "first_name", "last_name", "email", "phone")[
                : args.queries
            ]
        )
        if args.contacts <= 200_000
        else _sample(visible, args.queries, rnd)
    )
    results: dict[str, Any] = {}

    def list_page(params: dict[str, str], sort_name: str, deep: bool) -> Callable[[], Any]:
        query = QueryDict(mutable=True)
        for key, value in params.items():
            query[key] = value
        sort = resolve_sort(ContactFilterSet, sort_name)
        cursor = None
        if deep:
            rows = ContactFilterSet(query, user=rep).filter(visible)
            pk = rnd.choice(sample)[0]
            row = rows.annotate(_v=sort.expression).filter(pk=pk).values_list("_v", flat=True)
            value = row.first() if row.exists() else None
            cursor = encode_cursor(sort, value, pk) if row.exists() else None

        def call() -> Any:
            rows = ContactFilterSet(query, user=rep).filter(policy.scope(rep, contact_queryset()))
            page = paginate(rows, sort, after=cursor, limit=50)
            return [contact_out(c) for c in page.items]

        return call

    lists = {
        "list all, by last name": ({}, "last_name"),
        "list stage=customer, newest stage": (
            {"lifecycle_stage": "customer"}, "-lifecycle_stage_at"
        ),
        "list own, by created": ({"owner_id": str(rep.pk)}, "-created_at"),
        "list tag VIP, by last name": ({"tags": "VIP"}, "last_name"),
    }  # fmt: skip
    for label, (params, sort_name) in lists.items():
        for deep in (False, True):
            calls = [list_page(params, sort_name, deep) for _ in range(args.queries // 5)]
            timings, sizes = timed(calls)
            results[f"{label}{' (deep)' if deep else ''}"] = _row(timings, sizes, 60)
    calls_d = [(lambda pk=row[0]: contact_detail(rep, pk)) for row in sample]
    timings, _sizes = timed(calls_d)  # type: ignore[arg-type]
    results["360 contact"] = _row(timings, [1] * len(timings), 60)
    searches = {
        "search name prefix": [f"{row[1]} {row[2][:3]}" for row in sample],
        "search email fragment": [row[3].split("@")[0][:6] for row in sample],
        "search phone digits": [row[4][-7:] for row in sample],
    }  # fmt: skip
    for label, queries in searches.items():
        calls_s = [(lambda q=q: search_contacts(rep, q, 20)) for q in queries]
        timings, sizes = timed(calls_s)  # type: ignore[arg-type]
        results[label] = _row(timings, sizes, 30)
    return results


def _sample(visible: Any, size: int, rnd: random.Random) -> list[Any]:
    top = visible.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = sorted({rnd.randint(1, top) for _ in range(size * 4)})
    rows = list(
        visible.filter(pk__in=picks).values_list("pk", "first_name", "last_name", "email", "phone")
    )
    rnd.shuffle(rows)
    return rows[:size]


def _row(timings: list[float], sizes: list[int], target: int) -> dict[str, Any]:
    return {
        "n": len(timings),
        "p50_ms": round(percentile(timings, 0.50), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "mean_ms": round(statistics.fmean(timings), 2),
        "mean_size": round(statistics.fmean(sizes), 1),
        "target_p95_ms": target,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--companies", type=int, help="default: contacts / 5")
    parser.add_argument("--queries", type=int, default=200, help="samples per measurement")
    parser.add_argument("--database-url", help="PostgreSQL server (postgres://...) to use")
    parser.add_argument("--scratch", help="scratch SQLite path / PostgreSQL database name")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--batch", type=int, default=20_000, help="rows per load transaction")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="write the JSON report here too")
    args = parser.parse_args(argv)
    if args.companies is None:
        args.companies = args.contacts // 5
    cleanup = setup_django(args)
    try:
        from accord.contacts.models import Contact

        present = Contact.objects.count()
        load_seconds = None
        if present != args.contacts:
            if present:
                raise SystemExit(f"scratch database holds {present:,} contacts")
            print(f"loading {args.contacts:,} contacts ...", file=sys.stderr)
            load_seconds = load(args)
        report = {
            "benchmark": "contacts",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine_version(),
            "contacts": args.contacts,
            "companies": args.companies,
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
    print(
        f"\ncontacts benchmark: {report['engine']}, {report['contacts']:,} contacts, "
        f"{report['companies']:,} companies"
    )
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
