"""The debrief page as a trainer sees it on a laptop and an iPad, and as it prints: in English and
in French, its table fits the width of the window, and the page's chrome stays off the paper."""

import pytest
from playwright.sync_api import expect

from sessions_app import services
from sessions_app.tests.e2e.pages import log_in
from sessions_app.tests.played import ARREST, HYPOTENSION, T0, at, close, long_session
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1440, "height": 900}
IPAD_LANDSCAPE = {"width": 1024, "height": 768}
WIDE = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def debrief(alice, chromium, server):
    """Opens a played session's debrief in a browser of the given size and language."""
    session = make_session(alice, now=T0)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=at(30))
    services.apply_vitals(session.pk, HYPOTENSION, transition_seconds=60, now=at(120))
    services.silence_alarms(session.pk, now=at(150))
    services.apply_vitals(session.pk, ARREST, now=at(300))
    # The widest rows a session has: every parameter, three of them not connected, long notes.
    values = {
        **vitals.DEFAULT_VALUES,
        "flags": {**vitals.DEFAULT_VALUES["flags"], "hidden": ["etco2", "nibp", "temperature"]},
    }
    services.apply_vitals(session.pk, values, transition_seconds=120, now=at(400))
    services.add_note(session, "Adrenaline 1 mg IV, CPR resumed " * 8, at=at(420))
    services.add_note(session, "https://example.org/" + "a" * 150, at=at(430))
    close(session, 600)
    contexts = []

    def open_debrief(viewport, locale):
        context = chromium.new_context(base_url=server, viewport=viewport, locale=locale)
        contexts.append(context)
        page = context.new_page()
        log_in(page, alice)
        page.goto(f"/sessions/{session.pk}/debrief/")
        return page

    yield open_debrief
    for context in contexts:
        context.close()


@pytest.mark.parametrize("viewport", [LAPTOP, IPAD_LANDSCAPE], ids=["1440", "1024"])
@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_the_events_table_fits_the_window(debrief, viewport, locale):
    page = debrief(viewport, locale)
    table = page.locator("#debrief-events")
    expect(table.locator("tbody tr")).to_have_count(7)
    scroll_width, window_width = page.evaluate(WIDE)
    assert scroll_width <= window_width
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= window_width
    # Times since the start stay on one line, however much the values beside them wrap.
    heights = [box["height"] for box in (t.bounding_box() for t in table.locator("time").all())]
    line_height = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert max(heights) < 1.5 * line_height


def test_printing_leaves_out_the_language_switcher_and_the_navigation(debrief):
    page = debrief(LAPTOP, "en-US")
    expect(page.locator("#language-select")).to_be_visible()
    page.emulate_media(media="print")
    for chrome in ("#language-select", ".topbar", "#export-csv", "#notes"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator("#debrief-plot")).to_be_visible()
    expect(page.locator("#debrief-events")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator("#language-select")).to_be_visible()


def test_a_long_sessions_table_pages_on_and_stays_in_view(alice, chromium, server):
    session = long_session(alice, 450)
    context = chromium.new_context(base_url=server, viewport=LAPTOP)
    page = context.new_page()
    log_in(page, alice)
    page.goto(f"/sessions/{session.pk}/debrief/")
    rows = page.locator("#debrief-events tbody tr")
    expect(rows).to_have_count(200)
    page.locator(".debrief-pager").first.get_by_role("link", name="Later").click()
    expect(rows.first).to_contain_text("13:20")  # row 201
    expect(page.locator(".debrief-pager").first).to_contain_text("Rows 201 to 400 of 450")
    assert page.evaluate("window.scrollY") > 300  # at the table, not the top of the page
    page.emulate_media(media="print")
    expect(page.locator(".debrief-pager a").first).to_be_hidden()  # no links on paper
    expect(page.locator(".debrief-pager").first).to_contain_text("Rows 201 to 400 of 450")
    context.close()
