"""The monitor's tiles are drawn by monitor.js from the page's snapshot, before the socket says
anything: the last values, no blood pressure before a measurement, the cuff's last reading with
its time, nothing (not zero) for a disconnected sensor."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app import services
from sessions_app.tests.e2e.pages import VIEWPORT
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]




@pytest.mark.parametrize(
    "locale, hint, temperature",
    [("en-US", "Press NIBP to measure", "36.8"), ("fr-FR", "Appuyez sur PNI pour mesurer", "36,8")],
)
def test_the_last_values_but_no_blood_pressure_before_a_measurement(
    monitor, alice, locale, hint, temperature
):
    values = {**vitals.DEFAULT_VALUES, "systolic": 85, "diastolic": 50, "heart_rate": 150}
    session = make_session(alice, last_values=values)
    page = monitor(session.code.lower(), locale)
    expect(page.locator("#hr-value")).to_have_text("150")
    expect(page.locator("#rr-value")).to_have_text("14")
    expect(page.locator("#etco2-value")).to_have_text("38")
    expect(page.locator("#temp-value")).to_have_text(temperature)  # in the page's language
    expect(page.locator("#nibp-value")).to_have_text("--/--")
    expect(page.locator("#nibp-status")).to_have_text(hint)
    expect(page.locator("#monitor")).not_to_contain_text("85/50")


def test_the_last_cuff_reading_with_its_time(monitor, alice):
    session = make_session(alice)
    started = timezone.now() - datetime.timedelta(minutes=1)
    values = {**vitals.DEFAULT_VALUES, "systolic": 85, "diastolic": 50}
    services.apply_vitals(session.pk, values, now=started)
    services.start_nibp(session.pk, now=started + datetime.timedelta(seconds=5))
    page = monitor(session.code)
    expect(page.locator("#nibp-value")).to_have_text("85/50")
    expect(page.locator("#map-value")).to_have_text("(62)")  # MAP in brackets
    # In the screen's own time zone (UTC here).
    taken_at = started + datetime.timedelta(seconds=vitals.NIBP_MEASUREMENT_SECONDS + 5)
    expect(page.locator("#nibp-time")).to_have_text(f"{taken_at:%H:%M}")


def test_a_disconnected_sensor_shows_nothing_not_zero(monitor, alice):
    flags = {**vitals.DEFAULT_VALUES["flags"], "hidden": ["etco2", "temperature"]}
    session = make_session(alice, last_values={**vitals.DEFAULT_VALUES, "flags": flags})
    page = monitor(session.code)
    expect(page.locator("#etco2-value")).to_have_text("")
    expect(page.locator("#temp-value")).to_have_text("")
    expect(page.locator("#etco2-panel")).to_have_attribute("data-off", "true")
    expect(page.locator("#hr-panel")).to_have_attribute("data-off", "false")
    expect(page.locator("#hr-value")).to_have_text("75")


def test_before_the_script_has_drawn_them_no_tile_passes_for_a_reading(chromium, server, alice):
    # A slow network holds the script back while the page paints: what shows meanwhile is
    # what shows when it never comes.
    values = {**vitals.DEFAULT_VALUES, "heart_rate": 131}
    session = make_session(alice, last_values=values)
    context = chromium.new_context(base_url=server, viewport=VIEWPORT)
    page = context.new_page()
    page.route("**/sessions_app/monitor.js", lambda route: route.abort())
    page.goto(f"/monitor/{session.code}/")
    for tile in ("#hr-value", "#spo2-value", "#nibp-value", "#temp-value"):
        expect(page.locator(tile)).to_be_hidden()
    expect(page.locator("#status-banner")).to_have_text("Connecting…")
    page.unroute("**/sessions_app/monitor.js")
    page.reload()
    expect(page.locator("#hr-value")).to_have_text("131")
    expect(page.locator("#hr-value")).to_be_visible()
    context.close()
