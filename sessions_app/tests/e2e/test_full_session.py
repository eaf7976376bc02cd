"""A screen refused because its session is full says so, in the trainee's language, and gets in
by itself once a place is free (close code 4503, MAX_SOCKETS_PER_SESSION)."""

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT
from sessions_app.tests.servers import daphne
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The page's longest wait between two tries (monitor.js RECONNECT_MAX_MS), with its jitter.
RETRY_WITHIN_MS = 16_000


@pytest.fixture(scope="module")
def server(django_db_setup):
    """This module's own daphne: one screen per session."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")
    with daphne(env={"MAX_SOCKETS_PER_SESSION": "1"}) as host:
        yield f"http://{host}"


def open_monitor(chromium, server, code: str, locale: str):
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    page.goto(f"/monitor/{code}/")
    return context, page


@pytest.mark.slow
def test_a_screen_of_a_full_session_says_why_and_joins_when_a_place_is_free(
    chromium, server, alice
):
    session = make_session(alice)
    first, first_page = open_monitor(chromium, server, session.code, "en-US")
    expect(first_page.locator("body")).to_have_attribute("data-ready", "true")
    second, second_page = open_monitor(chromium, server, session.code, "en-US")
    banner = second_page.locator("#status-banner")
    expect(banner).to_have_text(
        "Too many screens are open on this session or this network: waiting for a free place…"
    )
    first.close()
    expect(second_page.locator("body")).to_have_attribute(
        "data-ready", "true", timeout=RETRY_WITHIN_MS
    )
    expect(banner).to_be_hidden()
    second.close()


def test_in_french_the_screen_of_a_full_session_says_why(chromium, server, alice):
    session = make_session(alice)
    first, first_page = open_monitor(chromium, server, session.code, "fr-FR")
    expect(first_page.locator("body")).to_have_attribute("data-ready", "true")
    second, second_page = open_monitor(chromium, server, session.code, "fr-FR")
    expect(second_page.locator("#status-banner")).to_have_text(
        "Trop d'écrans sont ouverts sur cette session ou ce réseau : en attente d'une place libre…"
    )
    first.close()
    second.close()
