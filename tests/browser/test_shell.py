"""The shell in a real browser: sign in, dashboard, command palette, shortcuts, theme."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD, UserFactory

from accord.accounts.models import User
from accord.notifications.services import notification_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def ada(transactional_db: None) -> User:
    user = UserFactory(
        role="sales-rep", email="ada@example.com", full_name="Ada Lovelace", time_zone="UTC"
    )
    notification_create(
        user=user,
        title="Call back Grace Hopper",
        body="She asked for the renewal quote before Friday.",
        url="/profile/",
        kind="reminder",
    )
    notification_create(
        user=user,
        title="You were assigned the Initech renewal",
        body="Morgan Manager assigned this deal to you.",
        kind="assignment",
    )
    notification_create(user=user, title="Nightly import finished: 1,204 rows", kind="success")
    return user


def sign_in(page: Any, user: User) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_sign_in_dashboard_palette_and_dark_theme(
    page: Any, ada: User, screenshot: Callable[..., Path]
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
    screenshot(page, "login")

    # A wrong password is an error on the page, not a crash.
    page.get_by_label("Email").fill(ada.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".alert-error")).to_be_visible()

    sign_in(page, ada)
    expect(page.get_by_role("heading", name="Welcome back, Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    expect(page.locator("#notification-count")).to_have_text("3")
    expect(page.get_by_text("Call back Grace Hopper")).to_be_visible()
    screenshot(page, "dashboard")

    # Ctrl-K opens the palette; typing filters; arrows move; Enter opens.
    page.keyboard.press("Control+k")
    palette_input = page.locator("#palette-input")
    expect(palette_input).to_be_focused()
    options = page.locator("#palette-results [data-palette-item]")
    expect(options.first).to_contain_text("Go to Home")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(options.nth(2)).to_have_attribute("aria-selected", "true")
    screenshot(page, "palette")
    palette_input.press_sequentially("pr")
    expect(options.first).to_contain_text("Profile and preferences")
    expect(options.last).to_contain_text("Search everything for “pr”")
    titles = options.locator(".palette-item-title").all_inner_texts()
    assert titles[0] == "Profile and preferences"
    target = titles.index("Search everything for “pr”")
    for _ in range(target):
        page.keyboard.press("ArrowDown")
    expect(options.nth(target)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    selected = page.locator('#palette-results [aria-selected="true"] .palette-item-title')
    expected = titles[target - 1]
    expect(selected).to_have_text(expected)
    page.keyboard.press("Escape")
    expect(page.locator("#palette")).not_to_be_visible()

    page.keyboard.press("Control+k")
    page.locator("#palette-input").press_sequentially("profile")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(options.first).to_contain_text("Profile and preferences")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("heading", name="Profile and preferences")).to_be_visible()
    screenshot(page, "profile")

    # The theme switch applies at once and persists through the profile service.
    with page.expect_response(lambda response: "/profile/theme" in response.url) as answer:
        page.locator("#theme-toggle").click()
    assert answer.value.status == 204
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    ada.refresh_from_db()
    assert ada.theme == "dark"

    page.keyboard.press("g")
    page.keyboard.press("h")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(page.get_by_role("heading", name="Getting started")).to_be_visible()
    screenshot(page, "dashboard-dark")
    assert page.js_errors == []


def test_shortcuts_help_search_and_notifications(
    page: Any, ada: User, screenshot: Callable[..., Path]
) -> None:
    sign_in(page, ada)

    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Open the command palette")
    page.keyboard.press("Escape")
    expect(help_dialog).not_to_be_visible()

    page.keyboard.press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("nobody-matches-this")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=nobody-matches-this$"))
    expect(page.get_by_text("Nothing matches “nobody-matches-this”")).to_be_visible()

    page.locator("#notifications-button").click()
    menu = page.locator("#notification-menu")
    expect(menu).to_contain_text("You were assigned the Initech renewal")
    menu.locator(".notification-read").first.click()
    expect(page.locator("#notification-count")).to_have_text("2")
    screenshot(page, "notifications")
    page.keyboard.press("Escape")

    page.locator("#notifications-button").click()
    with page.expect_navigation():
        menu.get_by_text("Call back Grace Hopper").click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.locator("#notification-count")).to_have_text("1")
    assert page.js_errors == []


def test_narrow_screen_menu(page: Any, ada: User, screenshot: Callable[..., Path]) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, ada)
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    page.get_by_role("button", name="Open menu").click()
    expect(sidebar).to_be_in_viewport()
    expect(sidebar.get_by_role("link", name=re.compile("Home"))).to_be_visible()
    screenshot(page, "mobile-menu")
    page.get_by_role("button", name="Close menu").click()
    expect(sidebar).not_to_be_in_viewport()


def test_htmx_errors_and_expired_sessions(page: Any, ada: User) -> None:
    sign_in(page, ada)
    page.locator("#notifications-button").click()
    menu = page.locator("#notification-menu")
    expect(menu).to_contain_text("Call back Grace Hopper")

    # The notification disappears meanwhile: the 404 becomes a message, not a broken page.
    ada.notifications.all().delete()
    menu.locator(".notification-read").first.click()
    expect(page.locator(".flash-error")).to_contain_text("Something went wrong.")
    page.locator(".flash-error .flash-close").click()
    expect(page.locator(".flash-error")).to_have_count(0)
    page.keyboard.press("Escape")

    # The session ends: the next HTMX request takes the whole page to the sign-in form.
    page.context.clear_cookies()
    page.locator("#notifications-button").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=%2F$"))
    expect(page.get_by_role("heading", name="Sign in to Accord")).to_be_visible()
