"""Browser tests: Playwright (Python) driving Debian's Chromium against a live server.

- Chromium is ``/usr/bin/chromium`` (Debian package ``chromium``); the tests are skipped with a
  clear reason only when it is missing. Playwright never downloads a browser here.
- Static files are served from the finders (``node_modules`` via ``vendor/`` and each app's
  ``static/``), so no collectstatic is needed: a fresh clone after ``make install`` works.
- Screenshots go to ``$ACCORD_SCREENSHOTS_DIR`` when set (``make screenshots`` sets
  ``docs/screenshots``), else to ``test-results/screenshots/``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import use_plain_static_storage

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (creating users, reading results) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any, live_server: Any, settings: Any) -> Iterator[Any]:
    use_plain_static_storage(settings)
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 800},
        device_scale_factor=2,
        locale="en-US",
        color_scheme="light",
    )
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    errors: list[str] = []
    new_page.on("pageerror", lambda error: errors.append(str(error)))
    new_page.js_errors = errors
    try:
        yield new_page
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    configured = os.environ.get("ACCORD_SCREENSHOTS_DIR", "").strip()
    directory = Path(configured) if configured else PROJECT_ROOT / "test-results" / "screenshots"
    if not directory.is_absolute():
        directory = PROJECT_ROOT / directory
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@pytest.fixture
def screenshot(screenshots_dir: Path) -> Callable[..., Path]:
    def take(page: Any, name: str, **options: Any) -> Path:
        path = screenshots_dir / f"{name}.png"
        options.setdefault("animations", "disabled")  # finished transitions, steady images
        page.screenshot(path=str(path), **options)
        return path

    return take
