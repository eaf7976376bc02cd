"""The replay's controls in a browser, in English and in French: pause holds the monitor's numbers,
the slider moves it to another moment (on, or back), and the elapsed time says where it is.

The played session (sessions_app/tests/played.py): heart rate 75 from 00:30, rising to 118
between 02:00 and 03:00. The page's clock is Playwright's, moved on by the test.
"""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LABELS = {"en-US": ("Pause", "Play"), "fr-FR": ("Pause", "Lecture")}


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_a_trainer_pauses_seeks_and_sees_the_elapsed_time(chromium, server, alice, played, locale):
    pause, play = LABELS[locale]
    context = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    page = context.new_page()
    log_in(page, alice)
    page.clock.install()
    page.goto(f"/sessions/{played.pk}/replay/?speed=1")
    toggle, seek = page.locator("#replay-toggle"), page.locator("#replay-seek")
    elapsed, heart_rate = page.locator("#replay-elapsed"), page.locator("#hr-value")
    expect(toggle).to_be_enabled()
    expect(toggle).to_have_accessible_name(pause)
    expect(elapsed).to_have_text(re.compile(r"^00:0\d / 10:00$"))

    seek.fill("100")  # on to 01:40: normal values since 00:30
    expect(elapsed).to_have_text(re.compile(r"^01:4\d / 10:00$"))
    expect(heart_rate).to_have_text("75")

    toggle.click()
    expect(toggle).to_have_accessible_name(play)
    held = elapsed.inner_text()
    page.clock.run_for(20_000)
    expect(elapsed).to_have_text(held)

    seek.fill("150")  # paused, halfway along the rise: the monitor shows that moment at once
    expect(elapsed).to_have_text("02:30 / 10:00")
    expect(heart_rate).to_have_text(re.compile(r"^9[67]$"))
    expect(toggle).to_have_accessible_name(play)

    toggle.click()
    expect(toggle).to_have_accessible_name(pause)
    page.clock.run_for(40_000)
    expect(elapsed).to_have_text(re.compile(r"^03:\d\d / 10:00$"))
    expect(heart_rate).to_have_text("118")

    seek.fill("40")  # back to 00:40: the page plays again from there, still playing
    expect(page).to_have_url(re.compile(r"[?&]at=40(&|$)"))
    expect(elapsed).to_have_text(re.compile(r"^00:4\d / 10:00$"))
    expect(heart_rate).to_have_text("75")
    expect(toggle).to_have_accessible_name(pause)
    context.close()
