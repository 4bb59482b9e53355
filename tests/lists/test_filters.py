"""The filter framework against the contacts filter sets and the real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from accord.accounts.models import Team, User
from accord.contacts.filters import CompanyFilterSet, ContactFilterSet
from accord.contacts.models import Company, Contact, ContactEmail, Tag
from accord.core import customfields
from accord.lists.filters import FilterError, FilterSet, SearchFilter

pytestmark = pytest.mark.django_db


def names(queryset) -> list[str]:
    return sorted(c.first_name for c in queryset)


def run(data, user=None) -> list[str]:
    query = QueryDict(data) if isinstance(data, str) else data
    return names(ContactFilterSet(query, user=user).filter(Contact.objects.all()))


@pytest.fixture
def people(user: User, team: Team, other_team: Team) -> dict[str, Contact]:
    acme = Company.objects.create(name="Acme GmbH", team=team)
    ada = Contact.objects.create(
        first_name="Ada",
        last_name="Lovelace",
        email="ada@acme.example",
        job_title="CTO",
        lifecycle_stage="customer",
        company=acme,
        owner=user,
        team=team,
        email_opt_in=True,
        birthday=dt.date(1990, 12, 10),
    )
    ContactEmail.objects.create(contact=ada, email="ada@acme.example", is_primary=True)
    ContactEmail.objects.create(contact=ada, email="ada.home@mail.example", position=1)
    bob = Contact.objects.create(
        first_name="Bob", last_name="Byte", lifecycle_stage="lead", team=other_team
    )
    cy = Contact.objects.create(
        first_name="Cy", last_name="", job_title="", lifecycle_stage="opportunity", owner=user
    )
    vip = Tag.objects.create(name="VIP")
    ada.tags.add(vip)
    bob.tags.add(vip, Tag.objects.create(name="Press"))
    return {"ada": ada, "bob": bob, "cy": cy}


def test_text_operators(people: dict[str, Contact]) -> None:
    assert run("last_name=love") == ["Ada"]
    assert run("last_name__eq=BYTE") == ["Bob"]
    assert run("last_name__startswith=lo") == ["Ada"]
    assert run("last_name__empty=true") == ["Cy"]
    assert run("last_name__empty=false") == ["Ada", "Bob"]
    assert run("last_name=love,byte") == ["Ada", "Bob"]  # any of


def test_to_many_text_does_not_repeat_rows(people: dict[str, Contact]) -> None:
    assert run("email=ada") == ["Ada"]  # two matching emails, one row
    assert run("email=home") == ["Ada"]


def test_choice_filters(people: dict[str, Contact]) -> None:
    assert run("lifecycle_stage=lead&lifecycle_stage=customer") == ["Ada", "Bob"]
    assert run("lifecycle_stage=Customer") == ["Ada"]  # by label, any case
    assert run("lifecycle_stage__ne=lead") == ["Ada", "Cy"]
    with pytest.raises(FilterError) as caught:
        run("lifecycle_stage=vip")
    assert caught.value.message_dict == {"lifecycle_stage": ["vip is not one of the choices."]}


def test_related_filters_and_me(people: dict[str, Contact], user: User, team: Team) -> None:
    assert run(f"owner_id={user.pk}") == ["Ada", "Cy"]
    assert run("owner_id=me", user=user) == ["Ada", "Cy"]
    assert run("owner_id__empty=true") == ["Bob"]
    assert run(f"team_id={team.pk}") == ["Ada"]
    assert run(f"team_id__ne={team.pk}") == ["Bob", "Cy"]
    assert run(f"company_id={people['ada'].company_id}") == ["Ada"]
    with pytest.raises(FilterError) as caught:
        run("owner_id=someone")
    assert caught.value.message_dict == {"owner_id": ["Enter a whole number."]}


def test_tags(people: dict[str, Contact]) -> None:
    assert run("tags=vip") == ["Ada", "Bob"]
    assert run("tags__all=vip,press") == ["Bob"]
    assert run("tags__none=press") == ["Ada", "Cy"]
    assert run("tags__empty=true") == ["Cy"]


def test_boolean_number_and_dates(people: dict[str, Contact]) -> None:
    assert run("email_opt_in=yes") == ["Ada"]
    assert run("email_opt_in=false") == ["Bob", "Cy"]
    assert run("birthday__after=1990-01-01") == ["Ada"]
    assert run("birthday=1990-12-10") == ["Ada"]
    assert run("birthday__empty=true") == ["Bob", "Cy"]
    today = timezone.localdate().isoformat()
    assert run(f"created_at={today}") == ["Ada", "Bob", "Cy"]
    assert run("touches_30d__gte=1") == []
    assert run("touches_30d__lte=0") == ["Ada", "Bob", "Cy"]


def test_every_error_named_by_parameter(people: dict[str, Contact]) -> None:
    filters = ContactFilterSet(
        QueryDict("birthday__after=tomorrow&touches_30d__gte=many&last_name__near=x&sort=zz")
    )
    assert filters.errors == {
        "birthday__after": ["Enter a date as YYYY-MM-DD."],
        "touches_30d__gte": ["Enter a number."],
        "last_name__near": ["Unknown operator near."],
    }
    with pytest.raises(FilterError):
        filters.to_q()


class WordSearch(FilterSet):
    model = Contact
    q = SearchFilter(["first_name", "last_name", "company__name"])


def test_search_every_word_somewhere(people: dict[str, Contact]) -> None:
    def search(text: str) -> list[str]:
        return names(WordSearch(QueryDict(f"q={text}")).filter(Contact.objects.all()))

    assert search("ada acme") == ["Ada"]
    assert search("lovelace cto") == []  # job title is not searched
    assert search("byt") == ["Bob"]


def test_index_search_is_scoped(people: dict[str, Contact], user: User) -> None:
    from accord.contacts.search import index_contacts

    index_contacts([c.pk for c in people.values()])
    assert run("q=lovelace", user=user) == ["Ada"]
    assert run("q=ada.home", user=user) == ["Ada"]  # any email
    assert run("q=byte", user=user) == []  # Bob is in the other team
    assert run("q=lovelace&lifecycle_stage=lead", user=user) == []


def test_plain_mapping_input(people: dict[str, Contact]) -> None:
    assert run({"lifecycle_stage": ["lead", "opportunity"], "email_opt_in": False}) == ["Bob", "Cy"]


def test_custom_fields_get_filters(people: dict[str, Contact], admin_user: User) -> None:
    customfields.custom_field_create(
        actor=admin_user,
        object_type="contacts.contact",
        key="tier",
        label="Tier",
        field_type="single_select",
        options=[{"value": "gold", "label": "Gold"}, {"value": "silver", "label": "Silver"}],
    )
    customfields.custom_field_create(
        actor=admin_user,
        object_type="contacts.contact",
        key="arr",
        label="ARR",
        field_type="number",
    )
    Contact.objects.filter(pk=people["ada"].pk).update(custom={"tier": "gold", "arr": 1200})
    Contact.objects.filter(pk=people["bob"].pk).update(custom={"tier": "silver", "arr": 90})
    assert run("custom.tier=gold") == ["Ada"]
    assert run("custom.tier=Gold&custom.tier=silver") == ["Ada", "Bob"]
    assert run("custom.tier__ne=gold") == ["Bob", "Cy"]
    assert run("custom.arr__gte=100") == ["Ada"]
    assert run("custom.arr__lt=100") == ["Bob"]
    assert run("custom.arr__empty=true") == ["Cy"]
    filters = ContactFilterSet(QueryDict("custom.tier=bronze&custom.nope=1&custom.arr__gte=x"))
    assert filters.errors == {
        "custom.tier": ["Select a valid choice: bronze is not one of the options."],
        "custom.nope": ["There is no custom field nope."],
        "custom.arr__gte": ["Enter a number."],
    }


def test_active_chips_remove_one_filter(people: dict[str, Contact], user: User) -> None:
    query = QueryDict("lifecycle_stage=lead&lifecycle_stage=customer&owner_id=me&sort=-created_at")
    chips = ContactFilterSet(query, user=user).active()
    assert [(c.label, c.op_label, c.value) for c in chips] == [
        ("Lifecycle stage", "is", "Lead, Customer"),
        ("Owner", "is", "Me"),
    ]
    assert chips[0].remove_query == "owner_id=me&sort=-created_at"


def test_company_filters(team: Team) -> None:
    Company.objects.create(name="Acme", annual_revenue=Decimal("5000000"), size="51-200")
    Company.objects.create(name="Tiny", annual_revenue=Decimal("1000"), size="1-10")
    found = CompanyFilterSet(QueryDict("annual_revenue__gte=1000000")).filter(Company.objects.all())
    assert [c.name for c in found] == ["Acme"]
    found = CompanyFilterSet(QueryDict("size=1-10")).filter(Company.objects.all())
    assert [c.name for c in found] == ["Tiny"]


def test_filter_params_are_listed() -> None:
    params = ContactFilterSet.filter_params()
    assert "lifecycle_stage" in params
    assert "lifecycle_stage__ne" in params
    assert "birthday__after" in params
    assert "tags__none" in params
