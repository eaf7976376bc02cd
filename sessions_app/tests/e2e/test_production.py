"""Production's shape in a real browser: deploy/nginx.conf over TLS in front of two daphne
processes (DEBUG=false, collected static files), as README.md's Production section sets up.

Which process served what is read from each daphne's own access log; nginx's least_conn sends
the control page to the process that does not hold the screen's socket.
"""

import re
import secrets
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT, log_in, send_vitals
from sessions_app.tests.servers import daphne_process, nginx
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

HASHED = re.compile(r"/static/sessions_app/monitor\.[0-9a-f]{12}\.js$")
LIVE_WITHIN_MS = 2000


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("daphnes")
    return [folder / "first.log", folder / "second.log"]


@pytest.fixture(scope="module")
def server(django_db_setup, logs):
    """Overrides the e2e stage's single daphne: the browser reaches nginx only."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL and Redis (make test provides both)")
    production = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
    }
    with (
        daphne_process(env=production, access_log=logs[0]) as (first, _),
        daphne_process(env=production, access_log=logs[1]) as (second, _),
        nginx([first, second]) as port,
    ):
        yield f"https://127.0.0.1:{port}"


@pytest.fixture
def browser_page(chromium, server):
    contexts = []

    def open_page(locale="en-US"):
        # The test's own certificate: the point is the proxy, not the chain of trust.
        context = chromium.new_context(
            base_url=server, viewport=VIEWPORT, locale=locale, ignore_https_errors=True
        )
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def served(log: Path, path: str, method: str = "WSCONNECT") -> bool:
    return f'"{method} {path}"' in log.read_text()


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_a_screen_on_one_process_follows_a_control_page_on_the_other(
    browser_page, alice, logs, locale
):
    session = make_session(alice, last_values=vitals.DEFAULT_VALUES)
    screen = browser_page(locale)
    static = []
    screen.on("response", lambda r: static.append(r) if "/static/" in r.url else None)
    screen.goto("/")
    screen.locator("[name=code]").fill(session.code.lower())
    screen.locator("[name=code]").press("Enter")
    expect(screen).to_have_url(re.compile(rf"/monitor/{session.code}/$"))
    expect(screen.locator("body")).to_have_attribute("data-ready", "true")
    expect(screen.locator("#hr-value")).to_have_text(str(vitals.DEFAULT_VALUES["heart_rate"]))

    control = browser_page()
    log_in(control, alice)
    control.goto(f"/sessions/{session.pk}/")
    expect(control.locator("#socket-state")).to_have_attribute("data-state", "open")
    send_vitals(control, "sinus", heart_rate=131)

    expect(screen.locator("#hr-value")).to_have_text("131", timeout=LIVE_WITHIN_MS)
    monitor_socket, control_socket = f"/ws/monitor/{session.code}/", f"/ws/control/{session.pk}/"
    screens_process = next(log for log in logs if served(log, monitor_socket))
    controls_process = next(log for log in logs if served(log, control_socket))
    assert screens_process != controls_process
    assert not served(controls_process, monitor_socket)
    assert not served(screens_process, control_socket)
    assert served(controls_process, f"/sessions/{session.pk}/", method="GET")

    # The page's script, by its hashed name, from nginx: compressed, cached for a year.
    script = next(r for r in static if HASHED.search(r.url))
    assert script.status == 200
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-type"] == "application/javascript"
    assert len(static) > 5 and all(r.status == 200 for r in static)
    for log in logs:
        assert " /static/" not in log.read_text()
