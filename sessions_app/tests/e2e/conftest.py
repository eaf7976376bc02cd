"""The browser tests' stage: the real ASGI server and Debian's Chromium, started once per module."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect, sync_playwright

from sessions_app.tests.e2e.pages import VIEWPORT
from sessions_app.tests.servers import daphne

# Playwright never downloads a browser here: it drives Debian's chromium package.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def server(django_db_setup):
    """The base URL of daphne serving shiller.asgi against the test database and Redis."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")
    with daphne() as host:
        yield f"http://{host}"


@pytest.fixture(scope="module")
def chromium(server):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (make test does, run as root)."
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    # Playwright's sync API keeps an event loop running in this thread, so Django would take the
    # tests' ORM calls (and pytest-django's flush) for calls from async code and refuse them with
    # SynchronousOnlyOperation. They are plain sync code: allow them while the browser is up, and
    # only then, after daphne has started, so the server under test keeps Django's check.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, server):
    """Opens a page in a browser context of its own: another person's browser, own cookies."""
    contexts = []

    def open_page():
        # The tests read English labels; the language follows the browser's.
        context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale="en-US")
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def monitor(chromium, server):
    """Opens a trainee's monitor, each in a browser of its own, and waits until it has drawn."""
    contexts = []

    def open_monitor(
        code: str, locale: str = "en-US", viewport=VIEWPORT, query: str = "", browser=None
    ):
        context = (browser or chromium).new_context(
            base_url=server, viewport=viewport, locale=locale, timezone_id="UTC"
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(f"/monitor/{code}/{query}")
        expect(page.locator("body")).to_have_attribute("data-ready", "true")
        return page

    yield open_monitor
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _release_worker_thread_connections():
    """Overrides the root conftest's async fixture: Playwright's sync API runs its own loop here,
    and these tests make no sync_to_async calls that could leave a connection behind."""
