"""Search benchmark: p50/p95/p99 server time of ``search_query`` on a big index.

Generates N realistic index rows (contacts and companies: names from many countries, emails,
phone numbers in several countries, company names and domains, 50 teams with 10 owners each)
through the module's own bulk path into a scratch database, then times ``search_query`` for
a typical sales rep (2 of the 50 teams, plus their own records) on several hundred random
queries of each kind, and prints a table and JSON.

    python benchmarks/search_bench.py                       # SQLite, 1,000,000 rows
    python benchmarks/search_bench.py --rows 200000
    python benchmarks/search_bench.py --database-url postgres://postgres@127.0.0.1/postgres

SQLite: the scratch database is a file in a temporary directory. PostgreSQL: a scratch
database ``accord_search_bench`` is created on the server of ``--database-url`` (its role
needs CREATEDB) and dropped afterwards. ``--keep`` keeps either, and ``--reuse`` uses a kept
one again without reloading (``--scratch`` names it).

Server time = the wall time of the ``search_query`` call in this process, database round
trips included, HTTP not. Results are not asserted by tests.
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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Kathleen "
    "Jacob Amy Gary Angela Nicholas Shirley Eric Anna Jonathan Brenda Stephen Pamela Larry "
    "Emma Justin Nicole Scott Helen Brandon Samantha Benjamin Katherine Samuel Christine "
    "Gregory Debra Alexander Rachel Frank Carolyn Patrick Janet Raymond Catherine Jack Maria "
    "Dennis Heather Jerry Diane Tyler Ruth Aaron Julie Jose Olivia Adam Joyce Nathan Virginia "
    "Lukas Leon Finn Jonas Elias Felix Maximilian Paul Noah Ben Mia Hannah Lena Lea Leonie "
    "Sophie Marie Johanna Jürgen Günter Björn Sören Jörg Uwe Dieter Helga Ursula Gisela "
    "François Hélène Amélie Céline Théo Gaëlle Jérôme Loïc Chloé Noémie Zoé Mathéo "
    "José María Lucía Sofía Martín Andrés Inés Álvaro Íñigo Begoña Raúl Ramón Nuñez "
    "João Conceição Gonçalo Luís Sérgio Zoë Søren Åsa Øystein Mikael Ingrid Sven Astrid "
    "Giulia Francesco Alessandro Chiara Matteo Lorenzo Giorgia Wojciech Małgorzata Łukasz "
    "Agnieszka Krzysztof Tomasz Ayşe Mehmet Zeynep Oğuz Yusuf Fatma Ahmed Mohammed Fatima "
    "Omar Aisha Priya Rahul Anjali Arjun Wei Li Hiroshi Yuki Kenji Sakura Min-jun Ji-woo"
)
LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch "
    "Bauer Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann "
    "Hartmann Lange Schmitt Werner Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann "
    "König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn Vogel "
    "Dubois Durand Lefèbvre Moreau Laurent Simon Michel Lefevre Leroy Roux David Bertrand "
    "Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Müller Blanc "
    "Guérin Faure André Mercier Boyer García Fernández González Rodríguez López Martínez "
    "Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz Álvarez Romero "
    "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Almeida Nascimento Araújo "
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo "
    "Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański "
    "Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Jensen Nielsen Hansen Pedersen "  # noqa: RUF001
    "Andersen Larsen Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson "
    "Patel Sharma Singh Kumar Gupta Wang Zhang Liu Chen Yang Huang Tanaka Suzuki Sato Park"
)
SYLLABLES = _words(
    "al an ar as ba be bi bo ca ce co da de di do el en er es fa fe fi ga ge go ha he in "
    "is ka ke ki ko la le li lo ma me mi mo na ne ni no or pa pe po ra re ri ro sa se si "
    "so ta te ti to ur va ve vi vo za ze zo tron flux nova gen tek sys cor vant lum"
)
COMPANY_WORDS = _words(
    "Global Digital Systems Solutions Logistics Consulting Partners Industries Software "
    "Analytics Networks Energy Medical Foods Capital Ventures Labs Dynamics Robotics Media "
    "Textil Maschinenbau Bau Handel Technik Verlag Transporte Conseil Ingénierie Servicios"
)
COMPANY_SUFFIXES = _words("GmbH AG Inc. LLC Ltd SAS SARL S.L. S.A. BV AB Oy")
TLDS = _words("com de io co.uk fr es net eu nl se")
FREE_MAIL = _words("gmail.com outlook.com yahoo.com web.de gmx.de icloud.com hotmail.com")
# country code, trunk prefix shown nationally, national number lengths
PHONE_PLANS = [("49", 10), ("1", 10), ("44", 10), ("33", 9), ("34", 9), ("39", 10), ("31", 9)]

TEAMS = 50
OWNERS_PER_TEAM = 10
CONTACT = "contacts.contact"
COMPANY = "contacts.company"


def ascii_fold(value: str) -> str:
    from accord.search.text import normalize

    return normalize(value).replace(" ", "")


@dataclass
class Company:
    id: int
    name: str
    domain: str
    phone: str
    team: int
    owner: int


def phone_number(rnd: random.Random) -> str:
    country, length = rnd.choice(PHONE_PLANS)
    first = str(rnd.randint(1, 9)) if country != "1" else str(rnd.randint(2, 9))
    national = first + "".join(str(rnd.randint(0, 9)) for _ in range(length - 1))
    style = rnd.random()
    if style < 0.5:
        return f"+{country} {national[:3]} {national[3:6]} {national[6:]}"
    if style < 0.8:
        return f"+{country}{national}"
    return f"+{country} ({national[:2]}) {national[2:]}"


def make_company(rnd: random.Random, company_id: int) -> Company:
    stem = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
    name = f"{stem} {rnd.choice(COMPANY_WORDS)}"
    if rnd.random() < 0.7:
        name += f" {rnd.choice(COMPANY_SUFFIXES)}"
    domain = f"{ascii_fold(stem)}{company_id % 97 or ''}.{rnd.choice(TLDS)}"
    team = rnd.randint(1, TEAMS)
    owner = team * 100 + rnd.randint(1, OWNERS_PER_TEAM)
    return Company(company_id, name, domain, phone_number(rnd), team, owner)


def email_for(rnd: random.Random, first: str, last: str, domain: str) -> str:
    f, last_ascii = ascii_fold(first), ascii_fold(last)
    style = rnd.random()
    if style < 0.45:
        local = f"{f}.{last_ascii}"
    elif style < 0.6:
        local = f"{f[0]}.{last_ascii}"
    elif style < 0.7:
        local = f"{f}{last_ascii[0]}"
    elif style < 0.8:
        local = f"{f}"
    else:
        local = f"{f}{last_ascii}{rnd.randint(1, 999)}"
        domain = rnd.choice(FREE_MAIL)
    return f"{local}@{domain}"


def generate(rows: int, seed: int) -> Iterator[Any]:
    """Yield IndexRow objects: about one company for every five contacts."""
    from accord.search import IndexRow

    rnd = random.Random(seed)
    companies_total = max(1, rows // 6)
    contacts_total = rows - companies_total
    companies: list[Company] = []
    for company_id in range(1, companies_total + 1):
        company = make_company(rnd, company_id)
        companies.append(company)
        yield IndexRow(
            object_type=COMPANY,
            object_id=company.id,
            title=company.name,
            subtitle=company.domain,
            texts=[company.domain, f"www.{company.domain}"],
            phones=[company.phone],
            owner_id=company.owner,
            team_id=company.team,
        )
    for contact_id in range(1, contacts_total + 1):
        company = rnd.choice(companies)
        first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
        emails = [email_for(rnd, first, last, company.domain)]
        if rnd.random() < 0.2:
            emails.append(email_for(rnd, first, last, rnd.choice(FREE_MAIL)))
        phones = [phone_number(rnd)]
        if rnd.random() < 0.3:
            phones.append(phone_number(rnd))
        # Most contacts belong to their company's team; some to another.
        team = company.team if rnd.random() < 0.8 else rnd.randint(1, TEAMS)
        yield IndexRow(
            object_type=CONTACT,
            object_id=contact_id,
            title=f"{first} {last}",
            subtitle=company.name,
            texts=[*emails, company.name, company.domain],
            phones=phones,
            owner_id=team * 100 + rnd.randint(1, OWNERS_PER_TEAM),
            team_id=team,
        )


# --- scratch database ----------------------------------------------------------------------


def setup_django(args: argparse.Namespace) -> Callable[[], None]:
    """Point Django at a scratch database; returns the clean-up function."""
    workdir = Path(tempfile.mkdtemp(prefix="accord-search-bench-"))
    os.environ["ACCORD_DATA_DIR"] = str(workdir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    cleanup: list[Callable[[], None]] = [lambda: shutil.rmtree(workdir, ignore_errors=True)]
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        name = args.scratch or "accord_search_bench"
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
            cleanup = []  # keeps the file; the temporary directory holds only the secret key
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "search", verbosity=0)

    def run_cleanup() -> None:
        for step in reversed(cleanup):
            step()

    return run_cleanup


def database_size() -> int:
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "sqlite":
        name = str(settings.DATABASES["default"]["NAME"])
        return sum(
            Path(f"{name}{suffix}").stat().st_size
            for suffix in ("", "-wal")
            if Path(f"{name}{suffix}").exists()
        )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('search_entry') + pg_total_relation_size('search_word')"
        )
        return int(cursor.fetchone()[0])


def engine_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            return f"SQLite {cursor.fetchone()[0]}"
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def load(rows: int, seed: int, batch: int) -> float:
    from itertools import islice

    from accord.search import search_index_bulk_upsert, search_index_optimize

    started = time.perf_counter()
    source = generate(rows, seed)
    done = 0
    while written := search_index_bulk_upsert(islice(source, batch)):
        done += written
        rate = done / (time.perf_counter() - started) * 60
        print(f"\r  loaded {done:,} rows ({rate:,.0f} rows/min)", end="", file=sys.stderr)
    print(file=sys.stderr)
    search_index_optimize()
    return time.perf_counter() - started


# --- queries -------------------------------------------------------------------------------


def visible_sample(visibility: Any, size: int, seed: int) -> list[tuple[str, str, str]]:
    """(title, text, digits) of random rows the rep can see: queries are made from them."""
    from django.db import connection

    teams = sorted(visibility.team_ids)
    marks = ", ".join(["%s"] * len(teams))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM search_entry WHERE team_id IN ({marks})", teams)  # noqa: S608
        top = int(cursor.fetchone()[0])
        rnd = random.Random(seed)
        sample: list[tuple[str, str, str]] = []
        where = f"id >= %s AND team_id IN ({marks}) AND object_type = %s"
        sample_sql = (
            f"SELECT title, text, digits FROM search_entry WHERE {where} ORDER BY id LIMIT 1"  # noqa: S608
        )
        while len(sample) < size:
            start = rnd.randint(1, top)
            cursor.execute(sample_sql, [start, *teams, CONTACT])
            row = cursor.fetchone()
            if row:
                sample.append((row[0], row[1], row[2]))
    return sample


def name_prefix(rnd: random.Random, title: str, text: str, digits: str) -> str:
    word = rnd.choice(title.split())
    return word[: rnd.randint(3, min(6, max(3, len(word))))]


def short_prefix(rnd: random.Random, title: str, text: str, digits: str) -> str:
    return title[: rnd.randint(1, 2)]


def email_fragment(rnd: random.Random, title: str, text: str, digits: str) -> str:
    """A piece of an email as people type it: the start of the address (``john.sm``), the
    domain (``@kalotron``, ``kalotron.de``), or any 5-10 characters around the ``@``."""
    emails = [w for w in text.split() if "@" in w]
    email = rnd.choice(emails)
    at = email.index("@")
    style = rnd.random()
    if style < 1 / 3:
        return email[: rnd.randint(4, max(4, at + 3))]
    if style < 2 / 3:
        domain = email[at + 1 :]
        return "@" + domain[: rnd.randint(4, len(domain))] if rnd.random() < 0.5 else domain
    start = rnd.randint(max(0, at - 8), at)
    return email[start : start + rnd.randint(5, 10)]


def phone_digits(rnd: random.Random, title: str, text: str, digits: str) -> str:
    number = rnd.choice(digits.split())
    length = rnd.randint(4, min(9, len(number)))
    start = rnd.randint(0, len(number) - length)
    part = number[start : start + length]
    style = rnd.random()
    if style < 0.4:
        return part
    if style < 0.7:
        return " ".join(part[i : i + 3] for i in range(0, len(part), 3))
    return f"+{number[:2]} ({number[2:4]}) {number[4 : 4 + rnd.randint(2, 5)]}"


def typo(rnd: random.Random, title: str, text: str, digits: str) -> str:
    word = max(title.split(), key=len)
    if len(word) < 4:
        return word
    i = rnd.randint(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


KINDS: dict[str, Callable[[random.Random, str, str, str], str]] = {
    "name prefix": name_prefix,
    "email fragment": email_fragment,
    "phone digits": phone_digits,
    "short prefix (1-2 chars)": short_prefix,
    "typo (fuzzy)": typo,
}
TARGETED = ("name prefix", "email fragment", "phone digits")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from accord.search import Visibility, search_query

    rnd = random.Random(args.seed + 1)
    teams = frozenset(rnd.sample(range(1, TEAMS + 1), 2))
    owner = min(teams) * 100 + 1
    rep = Visibility(team_ids=teams, owner_ids=frozenset({owner}))
    sample = visible_sample(rep, args.queries, args.seed + 2)
    results: dict[str, Any] = {}
    audiences = [("rep", rep)]
    if args.admin:
        audiences.append(("admin", Visibility(see_all=True)))
    for audience, visibility in audiences:
        for kind, make in KINDS.items():
            queries = [make(rnd, *row) for row in sample]
            for query in queries[: max(10, len(queries) // 10)]:  # warm-up
                search_query(query, visibility=visibility)
            timings: list[float] = []
            hits: list[int] = []
            for query in queries:
                started = time.perf_counter()
                found = search_query(query, visibility=visibility)
                timings.append((time.perf_counter() - started) * 1000)
                hits.append(len(found))
            results[f"{kind} [{audience}]"] = {
                "kind": kind,
                "audience": audience,
                "queries": len(queries),
                "p50_ms": round(percentile(timings, 0.50), 2),
                "p95_ms": round(percentile(timings, 0.95), 2),
                "p99_ms": round(percentile(timings, 0.99), 2),
                "max_ms": round(max(timings), 2),
                "mean_ms": round(statistics.fmean(timings), 2),
                "mean_results": round(statistics.fmean(hits), 1),
                "no_results": sum(1 for h in hits if h == 0),
                "examples": queries[:5],
                "slowest": [
                    [queries[i], round(timings[i], 1)]
                    for i in sorted(range(len(queries)), key=lambda i: -timings[i])[:5]
                ],
                "target_p95_ms": 30 if kind in TARGETED else None,
            }
    results["_visibility"] = {"team_ids": sorted(teams), "owner_ids": [owner]}
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="index rows to generate")
    parser.add_argument("--queries", type=int, default=300, help="queries per kind")
    parser.add_argument("--database-url", help="PostgreSQL server (postgres://...) to use")
    parser.add_argument("--scratch", help="scratch SQLite path / PostgreSQL database name")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept scratch database")
    parser.add_argument("--admin", action="store_true", help="also time an admin (sees all)")
    parser.add_argument("--batch", type=int, default=50_000, help="rows per load transaction")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, help="write the JSON report here too")
    args = parser.parse_args(argv)

    cleanup = setup_django(args)
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM search_entry")
            present = int(cursor.fetchone()[0])
        load_seconds = None
        if present != args.rows:
            if present:
                raise SystemExit(f"scratch database holds {present:,} rows, not {args.rows:,}")
            print(f"loading {args.rows:,} rows ({connection.vendor}) ...", file=sys.stderr)
            load_seconds = load(args.rows, args.seed, args.batch)
        results = measure(args)
        report = {
            "benchmark": "search",
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": engine_version(),
            "rows": args.rows,
            "database_bytes": database_size(),
            "load_seconds": round(load_seconds, 1) if load_seconds else None,
            "load_rows_per_minute": round(args.rows / load_seconds * 60) if load_seconds else None,
            "machine": {
                "platform": platform.platform(),
                "processor": platform.processor() or platform.machine(),
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
            },
            "results": results,
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
    size_mb = report["database_bytes"] / 1e6
    load = (
        f", loaded in {report['load_seconds']} s ({report['load_rows_per_minute']:,} rows/min)"
        if report["load_seconds"]
        else ""
    )
    rows = report["rows"]
    print(f"\nsearch benchmark: {report['engine']}, {rows:,} rows, {size_mb:,.0f} MB{load}")
    print(f"machine: {report['machine']['platform']}, {report['machine']['cpus']} CPUs")
    header = (
        f"{'query kind':34} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'hits':>6} target"
    )
    print(header)
    print("-" * len(header))
    for key, row in report["results"].items():
        if key.startswith("_"):
            continue
        target = row["target_p95_ms"]
        verdict = ""
        if target is not None:
            verdict = f"p95<{target} " + ("ok" if row["p95_ms"] < target else "MISSED")
        print(
            f"{key:34} {row['queries']:>4} {row['p50_ms']:>8.2f} {row['p95_ms']:>8.2f} "
            f"{row['p99_ms']:>8.2f} {row['mean_results']:>6.1f} {verdict}"
        )
    print()


if __name__ == "__main__":
    raise SystemExit(main())
