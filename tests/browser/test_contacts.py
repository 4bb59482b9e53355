"""Contacts in a real browser: create (with a field error first), find with Ctrl-K, the 360°
view with inline editing, filter the list and save a view, run a bulk action."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, TeamFactory, UserFactory

from accord.accounts.models import User
from accord.contacts.models import Contact
from accord.contacts.services import company_create, contact_bulk_create, contact_update

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PEOPLE = [
    ("Grace", "Hopper", "Rear Admiral", "customer", "grace@navy.example", ["vip"]),
    ("Alan", "Turing", "Researcher", "opportunity", "alan@bletchley.example", []),
    ("Katherine", "Johnson", "Mathematician", "customer", "kj@nasa.example", ["press"]),
    ("Linus", "Torvalds", "Maintainer", "lead", "linus@kernel.example", []),
    ("Margaret", "Hamilton", "Director", "sales_qualified", "mh@mit.example", ["vip"]),
    ("Tim", "Berners-Lee", "Director", "lead", "tim@w3.example", []),
    ("Barbara", "Liskov", "Professor", "marketing_qualified", "liskov@mit.example", []),
    ("Dennis", "Ritchie", "Engineer", "customer", "dmr@bell.example", []),
    ("Frances", "Allen", "Fellow", "evangelist", "fran@ibm.example", []),
    ("Ken", "Thompson", "Engineer", "subscriber", "ken@bell.example", []),
    ("Radia", "Perlman", "Fellow", "opportunity", "radia@dec.example", []),
    ("John", "Backus", "Researcher", "lead", "backus@ibm.example", []),
]


@pytest.fixture
def rep(transactional_db: None) -> User:
    team = TeamFactory(name="Sales North")
    user = UserFactory(
        role="sales-rep",
        email="riley@example.com",
        full_name="Riley Rep",
        time_zone="UTC",
        teams=[team],
    )
    companies = {
        name: company_create(actor=user, data={"name": name, "domains": [domain]})
        for name, domain in (
            ("US Navy", "navy.example"),
            ("NASA", "nasa.example"),
            ("Bell Labs", "bell.example"),
            ("MIT", "mit.example"),
        )
    }
    company_of = {
        "navy.example": "US Navy",
        "nasa.example": "NASA",
        "bell.example": "Bell Labs",
        "mit.example": "MIT",
    }
    rows = []
    for first, last, title, stage, email, tags in PEOPLE:
        company = companies.get(company_of.get(email.split("@")[1], ""))
        rows.append(
            {
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "lifecycle_stage": stage,
                "email": email,
                "phone": "+1 212 555 01" + str(10 + len(rows)),
                "tags": tags,
                "company_id": company.pk if company else None,
            }
        )
    contact_bulk_create(actor=user, rows=rows)
    return user


def sign_in(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_contacts_end_to_end(page: Any, rep: User, screenshot: Callable[..., Path]) -> None:
    sign_in(page, rep)

    # The list, sorted newest first, with counts.
    page.goto("/contacts/")
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    expect(page.locator("#list-count")).to_contain_text("12 contacts")
    expect(page.locator("table.list-table tbody tr")).to_have_count(12)
    screenshot(page, "contacts-list")

    # Create a contact: a bad email is an error next to the field, then it works.
    page.get_by_role("link", name="New contact").first.click()
    expect(page).to_have_url(re.compile(r"/contacts/new/$"))
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Email", exact=True).fill("ada-at-example")
    page.get_by_label("Job title").fill("Analyst")
    page.locator("#contact-save").click()
    email_input = page.get_by_label("Email", exact=True)
    email_field = page.locator(".field.has-error").filter(has=email_input)
    expect(email_field.locator(".field-errors")).to_be_visible()
    page.get_by_label("Email", exact=True).fill("ada@engine.example")
    page.locator("#contact-save").click()
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.locator(".flash")).to_contain_text("Contact Ada Lovelace created.")

    # Find someone with the command palette and open their 360° view.
    page.keyboard.press("Control+k")
    page.locator("#palette-input").fill("grace hop")
    hit = page.locator("#palette-results [data-palette-item]").filter(has_text="Grace Hopper")
    expect(hit.first).to_be_visible()
    hit.first.click()
    expect(page.get_by_role("heading", name="Grace Hopper")).to_be_visible()
    expect(page.locator(".lifecycle-step.is-current")).to_have_text("Customer")

    # Inline editing: click the value, type, Enter; the new value is shown and saved.
    page.locator("#prop-job_title .prop-value").click()
    editor = page.locator("form#prop-job_title input[name='job_title']")
    expect(editor).to_be_focused()
    editor.fill("Computer scientist")
    editor.press("Enter")
    expect(page.locator("#prop-job_title .prop-value")).to_contain_text("Computer scientist")
    assert Contact.objects.get(first_name="Grace").job_title == "Computer scientist"
    # an error stays next to the field
    page.locator("#prop-email .prop-pencil").click()  # the value itself is a mailto link
    page.locator("form#prop-email input[name='email']").fill("broken")
    page.locator("form#prop-email input[name='email']").press("Enter")
    expect(page.locator("form#prop-email .field-errors")).to_be_visible()
    page.locator("form#prop-email input[name='email']").press("Escape")
    expect(page.locator("#prop-email .prop-value")).to_contain_text("grace@navy.example")
    grace = Contact.objects.get(first_name="Grace")
    contact_update(contact=grace, actor=rep, changes={"description": "Wrote the first compiler."})
    page.reload()
    screenshot(page, "contact-360")

    # Filter the list (HTMX: only the results change) and save the view.
    page.goto("/contacts/")
    page.locator("#list-filters-toggle").click()
    page.locator("#filter-lifecycle_stage").select_option("customer")
    expect(page.locator("#list-count")).to_contain_text("3 contacts")
    expect(page).to_have_url(re.compile(r"lifecycle_stage=customer"))
    expect(page.locator(".chip")).to_contain_text("Customer")
    page.locator("#views-button").click()
    page.locator("#save-view-open").click()
    page.locator("#save-view-name").fill("Customers")
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".views-current")).to_have_text("Customers")
    expect(page.locator(".flash")).to_contain_text("View “Customers” saved.")

    # Bulk action: tick two rows, add a tag, confirm.
    boxes = page.locator("table.list-table tbody input[name='ids']")
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(page.locator(".bulk-bar")).to_be_visible()
    expect(page.locator(".bulk-count")).to_have_text("2 selected")
    page.locator(".bulk-bar").get_by_role("button", name="Add tags").click()
    expect(page.get_by_role("heading", name="Add tags")).to_be_visible()
    expect(page.locator(".alert-info")).to_contain_text("Add tags to the 2 selected contacts.")
    page.get_by_label("Tags").fill("conference")
    page.locator("#bulk-confirm").click()
    expect(page.locator(".flash")).to_contain_text("Tags added to 2 contacts.")
    expect(page).to_have_url(re.compile(r"lifecycle_stage=customer"))
    expect(page.locator("table.list-table .tag", has_text="conference")).to_have_count(2)
    assert Contact.objects.filter(tags__name="conference").count() == 2
    assert page.js_errors == []
