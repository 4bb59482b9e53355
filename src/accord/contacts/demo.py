"""Demo customer base for ``accord demo``: 60 companies and 300 contacts across the three demo
teams, every lifecycle stage, tags, consent, and a handful of duplicates to merge.

Deterministic (a seeded random generator) and written through the services: companies with
``company_create``, contacts with ``contact_bulk_create`` (one audit batch per team), so the
audit trail and the search index are filled as for real data.
"""

from __future__ import annotations

import random
from typing import Any

from django.utils.text import slugify

from accord.contacts.models import LeadSource, LeadStatus, LifecycleStage
from accord.contacts.services import company_create, contact_bulk_create
from accord.core import audit

SEED = 20261123
COMPANY_COUNT = 60
CONTACT_COUNT = 300

_STEMS = [
    "Northwind", "Bluebird", "Ironclad", "Silverline", "Brightwave", "Summit", "Evergreen",
    "Redwood", "Quantum", "Harbor", "Atlas", "Nimbus", "Copperleaf", "Lakeside", "Pioneer",
    "Crescent", "Falcon", "Maple", "Orion", "Vertex", "Granite", "Sunrise", "Kestrel", "Tidewater",
]  # fmt: skip
_KINDS = [
    ("Labs", "Biotechnology"),
    ("Logistics", "Transportation"),
    ("Foods", "Food & beverage"),
    ("Health", "Healthcare"),
    ("Systems", "Software"),
    ("Energy", "Energy"),
    ("Analytics", "Software"),
    ("Textiles", "Manufacturing"),
    ("Robotics", "Manufacturing"),
    ("Media", "Media"),
    ("Capital", "Financial services"),
    ("Studios", "Design"),
]
_FIRST = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lukas", "Mia", "Elias", "Chloé",
    "Hugo", "Aisha", "Omar", "Yuki", "Kenji", "Priya", "Ravi", "Mei", "Wei", "Fatima", "Kwame",
    "Ingrid", "Lars", "Isabella", "Diego", "Zara", "Ethan", "Nora", "Jonas", "Leila", "Tomás",
    "Anya", "Felix", "Grace", "Samuel", "Hannah", "Arjun", "Lucía", "Pierre",
]  # fmt: skip
_LAST = [
    "Schmidt", "Müller", "Garcia", "Martinez", "Nguyen", "Tanaka", "Kim", "Patel", "Okafor",
    "Johansson", "Rossi", "Dubois", "Silva", "Kowalski", "Novak", "Haddad", "Chen", "Wang",
    "O'Brien", "Andersen", "Fischer", "Moreau", "Santos", "Ito", "Mensah", "Jensen", "Ivanova",
    "Costa", "Weber", "Lindqvist", "Hughes", "Baker", "Reyes", "Khan", "Singh", "Murphy",
]  # fmt: skip
_TITLES = [
    "CEO", "CTO", "CFO", "Head of Operations", "Procurement Manager", "VP Sales",
    "Marketing Director", "IT Manager", "Office Manager", "Product Manager", "Engineer",
    "Purchasing Lead", "Founder", "Account Manager", "HR Business Partner",
]  # fmt: skip
_TAGS = ["VIP", "Newsletter", "Partner", "Decision maker", "Trial", "Churn risk", "Event 2026"]
_SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000"]
# Stage weights: a realistic funnel.
_STAGES = [
    (LifecycleStage.SUBSCRIBER, 14),
    (LifecycleStage.LEAD, 26),
    (LifecycleStage.MARKETING_QUALIFIED, 14),
    (LifecycleStage.SALES_QUALIFIED, 10),
    (LifecycleStage.OPPORTUNITY, 10),
    (LifecycleStage.CUSTOMER, 18),
    (LifecycleStage.EVANGELIST, 5),
    (LifecycleStage.OTHER, 3),
]
# Per demo team: phone number pattern, country, cities.
_REGIONS = {
    "North America": ("+1 {a}{b}{c} 555 01{d}{e}", "US", ["New York", "Boston", "Toronto"]),
    "Europe": ("+49 30 {a}{b}{c}{d}{e}{f}{g}", "DE", ["Berlin", "Paris", "Madrid"]),
    "Asia Pacific": ("+65 6{a}{b}{c} {d}{e}{f}{g}", "SG", ["Singapore", "Tokyo", "Sydney"]),
}
_FREEMAIL = ["gmail.com", "outlook.com", "icloud.com"]


def _phone(rng: random.Random, pattern: str) -> str:
    digits = {k: str(rng.randint(1 if k == "a" else 0, 9)) for k in "abcdefg"}
    return pattern.format(**digits)


def _email_name(first: str, last: str) -> str:
    return slugify(f"{first}.{last}").replace("-", "") or "contact"


def load(stdout: Any, options: dict[str, Any]) -> None:
    """The demo loader (registered in ``apps.py``)."""
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    users = options["users"]
    teams = options["teams"]
    by_team: dict[str, dict[str, Any]] = {}
    for team_name in _REGIONS:
        team = teams.get(team_name)
        if team is None:
            continue
        members = [u for u in users.values() if team.pk in _team_ids(u)]
        managers = [u for u in members if getattr(u, "role_slug", "") == "manager"]
        reps = [u for u in members if getattr(u, "role_slug", "") == "sales-rep"]
        if managers and reps:
            by_team[team_name] = {"team": team, "manager": managers[0], "reps": reps}
    if not by_team:
        stdout.write("  contacts: no demo teams; skipped")
        return
    names = [(stem, kind) for stem in _STEMS for kind in _KINDS]
    rng.shuffle(names)
    team_names = sorted(by_team)
    companies: list[tuple[Any, str, str]] = []  # (company, team name, domain)
    with audit.origin("cli", actor_label="accord demo"):
        for index in range(COMPANY_COUNT):
            team_name = team_names[index % len(team_names)]
            info = by_team[team_name]
            (stem, (suffix, industry)) = names[index]
            pattern, country, cities = _REGIONS[team_name]
            domain = f"{stem}-{suffix}.example".lower()
            company = company_create(
                actor=info["manager"],
                data={
                    "name": f"{stem} {suffix}",
                    "domains": [domain],
                    "industry": industry,
                    "size": rng.choice(_SIZES),
                    "annual_revenue": str(rng.randrange(200, 90000) * 1000),
                    "currency": {"US": "USD", "DE": "EUR", "SG": "SGD"}[country],
                    "website": f"https://www.{domain}/",
                    "phone": _phone(rng, pattern),
                    "owner_id": rng.choice(info["reps"]).pk,
                    "team_id": info["team"].pk,
                    "tags": rng.sample(["Partner", "VIP", "Churn risk"], k=rng.randint(0, 1)),
                    "addresses": [
                        {
                            "kind": "work",
                            "street": f"{rng.randint(1, 240)} {rng.choice(_STEMS)} Street",
                            "city": rng.choice(cities),
                            "postal_code": str(rng.randint(10000, 99999)),
                            "country": country,
                        }
                    ],
                },
            )
            companies.append((company, team_name, domain))
        rows: dict[str, list[dict[str, Any]]] = {name: [] for name in team_names}
        stages = [s for s, _w in _STAGES]
        weights = [w for _s, w in _STAGES]
        seen_people: set[tuple[str, str]] = set()
        for index in range(CONTACT_COUNT):
            while True:
                first, last = rng.choice(_FIRST), rng.choice(_LAST)
                if (first, last) not in seen_people:
                    seen_people.add((first, last))
                    break
            with_company = rng.random() < 0.88
            employer: Any = None
            team_name, domain = team_names[index % len(team_names)], ""
            if with_company:
                employer, team_name, domain = companies[index % len(companies)]
            info = by_team[team_name]
            pattern, country, cities = _REGIONS[team_name]
            email_domain = domain or rng.choice(_FREEMAIL)
            opt_in = rng.random() < 0.4
            row: dict[str, Any] = {
                "first_name": first,
                "last_name": last,
                "email": f"{_email_name(first, last)}@{email_domain}",
                "phone": _phone(rng, pattern),
                "job_title": rng.choice(_TITLES) if employer else "",
                "company_id": employer.pk if employer else None,
                "lifecycle_stage": rng.choices(stages, weights)[0],
                "lead_status": rng.choice(LeadStatus.values),
                "lead_source": rng.choice(LeadSource.values),
                "owner_id": rng.choice(info["reps"]).pk,
                "team_id": info["team"].pk,
                "tags": rng.sample(_TAGS, k=rng.choice([0, 0, 1, 1, 2])),
                "email_opt_in": opt_in,
                "email_opt_in_source": "Website form" if opt_in else "",
                "do_not_contact": rng.random() < 0.03,
            }
            if rng.random() < 0.25:
                row["emails"] = [
                    row["email"],
                    {
                        "email": f"{_email_name(first, last)}{rng.randint(1, 99)}@"
                        f"{rng.choice(_FREEMAIL)}",
                        "kind": "personal",
                    },
                ]
            if rng.random() < 0.3:
                row["addresses"] = [
                    {"kind": "work", "city": rng.choice(cities), "country": country}
                ]
            rows[team_name].append(row)
        # Duplicates to merge: the same people entered again with small differences.
        for team_name in team_names:
            originals = [r for r in rows[team_name] if r["company_id"]][:3]
            for original in originals:
                twin = {
                    k: v
                    for k, v in original.items()
                    if k in ("first_name", "last_name", "company_id", "owner_id", "team_id")
                }
                twin["email"] = str(original["email"]).upper()
                twin["lifecycle_stage"] = LifecycleStage.LEAD
                twin["lead_source"] = LeadSource.IMPORT
                rows[team_name].append(twin)
        created = 0
        for team_name in team_names:
            created += len(
                contact_bulk_create(
                    rows=rows[team_name],
                    actor=by_team[team_name]["manager"],
                    batch=f"demo:contacts:{slugify(team_name)}",
                )
            )
    stdout.write(f"  contacts: {len(companies)} companies, {created} contacts")


def _team_ids(user: Any) -> set[int]:
    from accord.core import policy

    return set(policy.access_for(user).team_ids)
