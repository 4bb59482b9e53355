"""The search module against the real database (SQLite, or PostgreSQL when selected)."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accord.search import (
    IndexRow,
    SearchResult,
    Visibility,
    search_index_bulk_upsert,
    search_index_delete,
    search_index_delete_many,
    search_index_optimize,
    search_index_rebuild,
    search_index_upsert,
    search_query,
    search_reindexer_register,
)
from accord.search import registry as search_registry
from accord.search.models import SearchEntry

pytestmark = pytest.mark.django_db

ALL = Visibility(see_all=True)
CONTACT = "contacts.contact"
COMPANY = "contacts.company"


def add(
    object_id: int,
    title: str,
    *,
    texts: list[str] | None = None,
    phones: list[str] | None = None,
    team: int | None = 1,
    owner: int | None = 100,
    object_type: str = CONTACT,
    subtitle: str = "",
) -> None:
    search_index_upsert(
        object_type,
        object_id,
        title=title,
        subtitle=subtitle,
        texts=texts or [],
        phones=phones or [],
        owner_id=owner,
        team_id=team,
    )


def ids(results: list[SearchResult]) -> list[int]:
    return [r.object_id for r in results]


@pytest.fixture
def people() -> None:
    add(
        1,
        "John Smith",
        texts=["john.smith@acme.com", "Acme Corp", "acme.com"],
        phones=["+49 30 1234567"],
        subtitle="Acme Corp",
    )
    add(
        2,
        "Johanna Berg",
        texts=["jb@northwind.io", "Northwind", "northwind.io"],
        phones=["+1 415 555 0100"],
    )
    add(3, "Peter Johnson", texts=["peter@globex.com", "Globex", "globex.com"])
    add(4, "José García-López", texts=["jose@example.es"])
    add(5, "Acme Corp", texts=["acme.com", "www.acme.com"], object_type=COMPANY)
    add(
        6,
        "Maria Schmidt",
        texts=["maria.schmidt@initech.de", "Initech", "initech.de"],
        phones=["+49 89 9876543"],
    )


# --- match kinds -------------------------------------------------------------------------


def test_name_prefix_of_any_word(people: None) -> None:
    results = search_query("joh", visibility=ALL)
    # Title word prefixes (3.5) before the word inside an email; ties by title.
    assert [(r.object_id, r.score) for r in results] == [(2, 3.5), (1, 3.5), (3, 3.5)]
    assert ids(search_query("ohn", visibility=ALL)) == [1, 3]
    assert ids(search_query("smi", visibility=ALL)) == [1]
    assert ids(search_query("schm", visibility=ALL)) == [6]


def test_ranking_exact_before_prefix_before_substring(people: None) -> None:
    add(7, "Ann Acmeson", texts=["ann@foo.com"])
    add(8, "Bob Lee", texts=["bob@notacme.org"])
    results = search_query("acme", visibility=ALL)
    assert [(r.object_type, r.object_id, r.score) for r in results] == [
        (COMPANY, 5, 4.5),  # a whole word of the title
        (CONTACT, 1, 4.0),  # a whole word of its other text (company, domain)
        (CONTACT, 7, 3.5),  # a word of the title starts with it
        (CONTACT, 8, 2.0),  # a substring
    ]
    whole = search_query("acme corp", visibility=ALL)
    assert [(r.object_type, r.object_id, r.score) for r in whole] == [
        (COMPANY, 5, 5.0),  # the whole title
        (CONTACT, 1, 4.0),
    ]


def test_result_fields(people: None) -> None:
    assert search_query("john smith", visibility=ALL) == [
        SearchResult(CONTACT, 1, "John Smith", "Acme Corp", 5.0)
    ]


def test_several_words_must_all_match(people: None) -> None:
    assert ids(search_query("maria initech", visibility=ALL)) == [6]
    assert ids(search_query("maria globex", visibility=ALL)) == []
    assert ids(search_query("john sm", visibility=ALL)) == [1]
    # "john" starts a word of both; "s" starts a word only in John Smith's text.
    assert [(r.object_id, r.score) for r in search_query("john s", visibility=ALL)] == [
        (1, 3.5),
        (3, 2.5),  # substrings of the title
    ]


def test_email_fragment(people: None) -> None:
    assert ids(search_query("smith@acme", visibility=ALL)) == [1]
    assert ids(search_query("a.schmidt@ini", visibility=ALL)) == [6]
    assert ids(search_query("JB@NORTH", visibility=ALL)) == [2]


def test_domain(people: None) -> None:
    results = search_query("northwind.io", visibility=ALL)
    assert [(r.object_id, r.score) for r in results] == [(2, 4.0)]
    assert [(r.object_type, r.object_id) for r in search_query("acme.com", visibility=ALL)] == [
        (COMPANY, 5),
        (CONTACT, 1),
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+49 (30) 1234", [1]),  # international, formatted
        ("4930123", [1]),
        ("030 1234567", [1]),  # national form with trunk prefix
        ("0049 30 123 4567", [1]),  # 00 instead of +
        ("(415) 555-01", [2]),
        ("555 0100", [2]),
        ("987-65", [6]),
        ("123", [1]),
    ],
)
def test_phone_digits_with_any_formatting(people: None, typed: str, expected: list[int]) -> None:
    assert ids(search_query(typed, visibility=ALL)) == expected


def test_phone_ranking_whole_number_first() -> None:
    add(1, "Long", phones=["+1 212 555 1234"])
    add(2, "Whole", phones=["5551234"])
    results = search_query("555-1234", visibility=ALL)
    assert [(r.object_id, r.score) for r in results] == [(2, 4.0), (1, 2.0)]


def test_digits_in_names_when_no_phone_matches() -> None:
    add(1, "Studio 2024 GmbH")
    assert ids(search_query("2024", visibility=ALL)) == [1]


def test_accents_are_folded_both_ways(people: None) -> None:
    assert ids(search_query("jose", visibility=ALL)) == [4]
    assert ids(search_query("garcia-lopez", visibility=ALL)) == [4]
    assert ids(search_query("lopez", visibility=ALL)) == [4]
    assert ids(search_query("JOSÉ GARCÍA", visibility=ALL)) == [4]
    add(9, "Jürgen Müller", texts=["Straße"])
    assert ids(search_query("muller", visibility=ALL)) == [9]
    assert ids(search_query("strasse", visibility=ALL)) == [9]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("jonh", [1, 2, 3]),  # swapped letters (Johanna, Johnson: word starts)
        ("jhon", [1, 3]),  # swapped across the middle
        ("smiht", [1]),
        ("shmidt", [6]),  # missing letter
        ("schmitd", [6]),
        ("petre johnsen", [3]),  # two typos in two words
        ("mraia", [6]),
    ],
)
def test_typo_tolerance(people: None, typed: str, expected: list[int]) -> None:
    results = search_query(typed, visibility=ALL)
    assert ids(results) == expected
    assert all(0 < r.score < 1 for r in results)


def test_typo_ranks_whole_word_before_word_start(people: None) -> None:
    results = search_query("jonh", visibility=ALL)
    # "john" is one swap away; "johanna" and "johnson" only start with something one edit
    # away (then ties by title).
    assert [(r.title, r.score) for r in results] == [
        ("John Smith", 0.75),
        ("Johanna Berg", 0.675),
        ("Peter Johnson", 0.675),
    ]


def test_typos_are_not_tried_when_something_matches(people: None) -> None:
    add(10, "Jonh Doe")
    assert ids(search_query("jonh", visibility=ALL)) == [10]


def test_no_match() -> None:
    add(1, "John Smith")
    assert search_query("zzzzz", visibility=ALL) == []
    assert search_query("   ", visibility=ALL) == []
    assert search_query("john", visibility=ALL, limit=0) == []


# --- short queries -----------------------------------------------------------------------


def test_one_and_two_characters_match_title_starts(people: None) -> None:
    assert ids(search_query("j", visibility=ALL)) == [2, 1, 4]
    assert ids(search_query("Jo", visibility=ALL)) == [2, 1, 4]
    assert ids(search_query("é", visibility=ALL)) == []
    assert [r.object_type for r in search_query("a", visibility=ALL)] == [COMPANY]


def test_short_queries_are_scoped() -> None:
    add(1, "Jo Visible", team=1)
    add(2, "Jo Other Team", team=2, owner=200)
    add(3, "Jo Mine Elsewhere", team=2, owner=100)
    add(4, "Jo Mine No Team", team=None, owner=100)
    rep = Visibility(team_ids=frozenset({1}), owner_ids=frozenset({100}))
    assert ids(search_query("jo", visibility=rep)) == [3, 4, 1]
    assert ids(search_query("jo", visibility=Visibility(team_ids=frozenset({2})))) == [3, 2]


# --- visibility --------------------------------------------------------------------------


def test_rep_never_gets_other_teams_rows_even_when_they_rank_first() -> None:
    add(1, "Smith", team=2, owner=200)  # exact title: would rank first
    add(2, "Smith & Sons", team=2, owner=200)
    for n in range(3, 30):
        add(n, f"Agent {n:02d}", texts=[f"contact{n}@smithfield.com"], team=1, owner=101)
    rep = Visibility(team_ids=frozenset({1}), owner_ids=frozenset({100}))
    results = search_query("smith", visibility=rep, limit=5)
    assert ids(results) == [3, 4, 5, 6, 7]
    assert {r.object_id for r in search_query("smith", visibility=rep, limit=100)} == set(
        range(3, 30)
    )
    other = Visibility(team_ids=frozenset({2}))
    assert ids(search_query("smith", visibility=other)) == [1, 2]


@pytest.mark.parametrize("query", ["secret", "secr", "cret", "4930555", "sercet", "se"])
def test_visibility_applies_to_every_kind_of_query(query: str) -> None:
    add(1, "Secret Deal Contact", phones=["+49 30 5550000"], team=2, owner=200)
    rep = Visibility(team_ids=frozenset({1}), owner_ids=frozenset({100}))
    assert search_query(query, visibility=rep) == []
    assert ids(search_query(query, visibility=ALL)) == [1]
    assert ids(search_query(query, visibility=Visibility(owner_ids=frozenset({200})))) == [1]
    assert ids(search_query(query, visibility=Visibility(team_ids=frozenset({2})))) == [1]


def test_owner_sees_own_rows_in_other_teams_and_without_team() -> None:
    add(1, "Alpha Mine", team=7, owner=100)
    add(2, "Alpha Nobody", team=None, owner=None)
    add(3, "Alpha Team", team=1, owner=300)
    rep = Visibility(team_ids=frozenset({1}), owner_ids=frozenset({100}))
    assert ids(search_query("alpha", visibility=rep)) == [1, 3]
    assert ids(search_query("alpha", visibility=Visibility())) == []
    assert ids(search_query("alpha", visibility=ALL)) == [1, 2, 3]


def test_large_team_ids_share_bands_but_never_leak() -> None:
    big = 1 << 23
    add(1, "Band Mate", team=5)
    add(2, "Band Mate", team=5 + big)
    assert ids(search_query("band", visibility=Visibility(team_ids=frozenset({5})))) == [1]
    assert ids(search_query("band", visibility=Visibility(team_ids=frozenset({5 + big})))) == [2]


def test_many_teams() -> None:
    for team in range(1, 80):
        add(team, f"Member {team:02d}", team=team)
    visibility = Visibility(team_ids=frozenset(range(1, 71)))
    assert len(search_query("member", visibility=visibility, limit=100)) == 70


def test_object_types_filter(people: None) -> None:
    companies = search_query("acme", visibility=ALL, object_types=[COMPANY])
    assert [r.object_type for r in companies] == [COMPANY]
    assert ids(search_query("acme", visibility=ALL, object_types=[CONTACT])) == [1]
    assert search_query("acme", visibility=ALL, object_types=[]) == []
    assert ids(search_query("a", visibility=ALL, object_types=[CONTACT])) == []


def test_limit() -> None:
    for n in range(1, 31):
        add(n, f"Widget {n:02d}")
    results = search_query("widget", visibility=ALL, limit=7)
    assert ids(results) == [1, 2, 3, 4, 5, 6, 7]


# --- writes ------------------------------------------------------------------------------


def test_upsert_replaces() -> None:
    add(1, "Old Name", texts=["old@example.com"], phones=["+49 30 111111"], team=1)
    add(1, "New Name", texts=["new@example.com"], phones=["+49 30 222222"], team=2, owner=5)
    assert SearchEntry.objects.count() == 1
    assert search_query("old", visibility=ALL) == []
    assert search_query("4930111", visibility=ALL) == []
    assert ids(search_query("new@exa", visibility=ALL)) == [1]
    assert ids(search_query("4930222", visibility=ALL)) == [1]
    assert search_query("new", visibility=Visibility(team_ids=frozenset({1}))) == []
    assert ids(search_query("new", visibility=Visibility(team_ids=frozenset({2})))) == [1]
    entry = SearchEntry.objects.get()
    assert (entry.title, entry.owner_id, entry.team_id) == ("New Name", 5, 2)
    assert entry.text == " new name new@example.com example com "
    assert entry.digits == " 4930222222 030222222 "


def test_delete_removes() -> None:
    add(1, "Gone Soon")
    add(2, "Gone Later")
    assert search_index_delete(CONTACT, 1) is True
    assert search_index_delete(CONTACT, 1) is False
    assert ids(search_query("gone", visibility=ALL)) == [2]
    assert search_index_delete_many(CONTACT, [2, 3]) == 1
    assert search_query("gone", visibility=ALL) == []
    assert SearchEntry.objects.count() == 0


def test_same_id_in_two_types_are_two_rows() -> None:
    add(1, "Twin Contact")
    add(1, "Twin Company", object_type=COMPANY)
    search_index_delete(COMPANY, 1)
    assert [(r.object_type, r.title) for r in search_query("twin", visibility=ALL)] == [
        (CONTACT, "Twin Contact")
    ]


def rows(count: int, *, prefix: str = "Bulk", object_type: str = CONTACT) -> Iterator[IndexRow]:
    for n in range(1, count + 1):
        yield IndexRow(
            object_type=object_type,
            object_id=n,
            title=f"{prefix} Person {n:04d}",
            subtitle="Bulk Co",
            texts=[f"person{n}@bulk.example"],
            phones=[f"+44 20 7946 {n:04d}"],
            owner_id=100 + n % 3,
            team_id=1 + n % 4,
        )


def test_bulk_upsert_inserts_and_replaces() -> None:
    assert search_index_bulk_upsert(rows(1200)) == 1200
    assert SearchEntry.objects.count() == 1200
    assert ids(search_query("person1199@", visibility=ALL)) == [1199]
    assert ids(search_query("+44 20 7946 0042", visibility=ALL)) == [42]
    team_two = Visibility(team_ids=frozenset({2}))
    assert len(search_query("bulk person", visibility=team_two, limit=1000)) == 300
    assert search_index_bulk_upsert(rows(600, prefix="Renamed")) == 600
    assert SearchEntry.objects.count() == 1200
    assert len(search_query("renamed", visibility=ALL, limit=1000)) == 600
    assert ids(search_query("bulk person 0601", visibility=ALL)) == [601]
    assert [r.title for r in search_query("person 0600", visibility=ALL)] == ["Renamed Person 0600"]
    search_index_optimize()
    assert ids(search_query("renamed person 0600", visibility=ALL)) == [600]


def test_bulk_upsert_last_duplicate_wins() -> None:
    search_index_bulk_upsert(
        [IndexRow(CONTACT, 1, "First Version"), IndexRow(CONTACT, 1, "Second Version")]
    )
    assert [r.title for r in search_query("version", visibility=ALL)] == ["Second Version"]


def test_rebuild_replaces_one_type_only() -> None:
    add(1, "Stale Contact")
    add(2, "Kept Company", object_type=COMPANY)
    assert search_index_rebuild(CONTACT, rows(3, prefix="Fresh")) == 3
    assert search_query("stale", visibility=ALL) == []
    assert ids(search_query("fresh", visibility=ALL)) == [1, 2, 3]
    assert ids(search_query("kept", visibility=ALL)) == [2]
    with pytest.raises(ValueError, match="got a row of"):
        search_index_rebuild(CONTACT, rows(2, object_type=COMPANY))
    assert ids(search_query("fresh", visibility=ALL)) == [1, 2, 3]


@pytest.fixture
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty reindexer registry: the apps' own reindexers stay out of these tests."""
    monkeypatch.setattr(search_registry, "_reindexers", {})


THING = "tests.thing"
DEAL = "tests.deal"
KEPT = "tests.kept"


def test_reindex_command(own_registry: None) -> None:
    add(9, "Stale Thing", object_type=THING)
    add(1, "Kept Record", object_type=KEPT)
    calls: list[str] = []

    def reindex(object_type: str) -> Iterator[IndexRow]:
        calls.append(object_type)
        return rows(5, prefix="Reindexed", object_type=object_type)

    search_reindexer_register(THING, reindex)
    search_reindexer_register(DEAL, reindex)
    out = StringIO()
    call_command("search_reindex", "--type", THING, stdout=out)
    assert calls == [THING]
    assert out.getvalue().splitlines()[0].startswith("tests.thing: 5 rows indexed in ")
    assert search_query("stale", visibility=ALL) == []
    assert ids(search_query("reindexed", visibility=ALL)) == [1, 2, 3, 4, 5]
    call_command("search_reindex", verbosity=0, stdout=StringIO())
    assert calls == [THING, DEAL, THING]  # registered types, alphabetically
    assert SearchEntry.objects.filter(object_type=DEAL).count() == 5
    assert SearchEntry.objects.filter(object_type=THING).count() == 5
    assert ids(search_query("kept", visibility=ALL)) == [1]


def test_reindex_command_unknown_type(own_registry: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"no reindexer for 'nope\.thing'"):
        call_command("search_reindex", "--type", "nope.thing", verbosity=0)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
def test_fts_index_stays_consistent_with_table() -> None:
    search_index_bulk_upsert(rows(50))
    add(3, "Changed Team", team=9)
    search_index_delete(CONTACT, 4)
    search_index_rebuild(COMPANY, rows(5, object_type=COMPANY))
    with connection.cursor() as cursor:
        # Raises "database disk image is malformed" if the index and the table disagree.
        cursor.execute(
            "INSERT INTO search_entry_fts(search_entry_fts, rank) VALUES ('integrity-check', 1)"
        )
        cursor.execute("SELECT v FROM search_entry_fts_config WHERE k = 'hashsize'")
        assert cursor.fetchone() == (16777216,)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's word table")
def test_word_table_follows_entries() -> None:
    search_index_bulk_upsert(rows(250))  # the COPY path
    add(3, "Changed Team", texts=["x.y@changed.example"], phones=["+49 30 555"], team=9)
    search_index_delete(CONTACT, 4)
    search_index_rebuild(COMPANY, rows(5, object_type=COMPANY))
    search_index_rebuild(COMPANY, rows(2, object_type=COMPANY))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM search_word w LEFT JOIN search_entry e ON e.id = w.entry_id "
            "WHERE e.id IS NULL OR e.team_id IS DISTINCT FROM w.team_id"
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            "SELECT array_agg(w.word ORDER BY w.word) FROM search_word w "
            "JOIN search_entry e ON e.id = w.entry_id "
            "WHERE e.object_type = %s AND e.object_id = 3",
            [CONTACT],
        )
        assert cursor.fetchone() == (["changed", "example", "team", "x", "y"],)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")
@pytest.mark.django_db(transaction=True)
def test_flush_also_empties_the_fts_index() -> None:
    add(1, "Flushed Away")
    call_command("flush", interactive=False, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_entry_fts_data")
        segments = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM search_entry_fts WHERE search_entry_fts MATCH 'flushed'"
        )
        assert cursor.fetchone() == (0,)
    assert segments <= 2  # the structure record and averages only: no index entries left
    add(1, "Fresh Start")
    assert ids(search_query("fresh", visibility=ALL)) == [1]
    assert search_query("flushed", visibility=ALL) == []


def test_owner_rows_between_and_around_visible_teams() -> None:
    for n, team in enumerate([1, 2, 3, 5, 6, 9, 10, None], start=1):
        add(n, f"Gamma Own {n}", team=team, owner=100)
        add(100 + n, f"Gamma Other {n}", team=team, owner=200)
    rep = Visibility(team_ids=frozenset({2, 5, 9}), owner_ids=frozenset({100}))
    found = {r.object_id for r in search_query("gamma", visibility=rep, limit=100)}
    assert found == {1, 2, 3, 4, 5, 6, 7, 8, 102, 104, 106}
    short = {r.object_id for r in search_query("ga", visibility=rep, limit=100)}
    assert short == found


def test_dense_domain_fragment() -> None:
    search_index_bulk_upsert(
        IndexRow(CONTACT, n, f"Mail User {n:03d}", texts=[f"user{n}@hotmail.com"])
        for n in range(1, 251)
    )
    add(900, "Lookalike", texts=["x@xhotmail.com"])
    add(901, "Other", texts=["x@gmx.de"])
    everything = search_query("hotmail.com", visibility=ALL, limit=300)
    assert {r.object_id for r in everything} == {*range(1, 251), 900}
    top = search_query("hotmail.com", visibility=ALL)
    assert len(top) == 20
    assert all(r.object_id in range(1, 251) or r.object_id == 900 for r in top)
