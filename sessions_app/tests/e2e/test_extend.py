"""Near the end the control page warns; +15 min gives every screen the time at once."""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.tests.e2e.pages import VIEWPORT, open_control
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    "locale, warning, add, done",
    [
        ("en-US", "Less than 5 minutes left: add time if the scenario goes on.", "+15 min",
         "Time extended on every screen."),
        ("fr-FR", "Moins de 5 minutes restantes : ajoutez du temps si le scénario continue.",
         "+15 min", "Temps ajouté sur chaque écran."),
    ],
)  # fmt: skip
def test_the_trainer_is_warned_and_adds_time_for_every_screen(
    chromium, server, alice, locale, warning, add, done
):
    session = make_session(alice, minutes=4)
    trainer = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    control = open_control(trainer.new_page(), alice, session)
    device = chromium.new_context(base_url=server, viewport=VIEWPORT, locale=locale)
    screen = device.new_page()
    screen.goto(f"/monitor/{session.code}/")
    expect(screen.locator("body")).to_have_attribute("data-ready", "true")
    expect(screen.locator("#time-left")).to_have_text(re.compile(r"^0?[34]:\d\d$"))
    expect(control.locator("#expiry-warning")).to_have_text(warning)

    control.locator("#extend-form").get_by_role("button", name=add).click()
    expect(control.locator("[data-status-for=extend-form]")).to_have_text(done)
    expect(control.locator("#expiry-warning")).to_be_hidden()
    expect(control.locator("#time-left")).to_have_text(re.compile(r"^1[89]:\d\d$"))
    expect(screen.locator("#time-left")).to_have_text(re.compile(r"^1[89]:\d\d$"))
    device.close()
    trainer.close()
