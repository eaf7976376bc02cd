"""The monitor's heart: two ECG leads, the acquired 12-lead on every screen and on paper, and
the invasive pressures appearing when their line is connected without moving any tile.

The server's side of these values (ABP, CVP, the 12-lead action) is built separately: the tests
put the values in the session and broadcast the messages as the server will."""

import datetime
import functools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app import services
from sessions_app.tests.e2e.pages import TABLET, TV, beside_the_browser, change, patient
from shiller.tests.factory import make_session

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE_WITHIN_MS = 3000



@pytest.fixture
def monitor(monitor):
    """A monitor on a wall TV unless the test says otherwise."""
    return functools.partial(monitor, viewport=TV)


def acquire_twelve_lead(session, at) -> None:
    beside_the_browser(lambda: services.acquire_twelve_lead(session.pk, now=at))


@pytest.mark.parametrize(
    "locale, title, close", [("en-US", "12-lead ECG", "Close"), ("fr-FR", "ECG 12 dérivations", "Fermer")]
)
def test_a_twelve_lead_acquired_shows_the_same_tracing_on_two_screens_and_prints_alone(
    monitor, alice, locale, title, close
):
    values = patient({"rhythm": "stemi_inferior"}, heart_rate=70)
    session = make_session(alice, last_values=values)
    screens = [monitor(session.code, locale), monitor(session.code, locale, viewport=TABLET)]
    at = timezone.now() - datetime.timedelta(seconds=1)
    acquire_twelve_lead(session, at)
    tracings = []
    for page in screens:
        overlay = page.locator("#twelve-lead")
        expect(overlay).to_be_visible(timeout=LIVE_WITHIN_MS)
        expect(page.locator("#twelve-lead-title")).to_have_text(title)
        expect(page.locator("#twelve-lead-time")).to_have_text(f"{at:%Y-%m-%d %H:%M:%S}")
        # Twelve 2.5 s leads and the 10 s lead II strip, in the standard order.
        leads = page.locator("#twelve-lead-tracing polyline").evaluate_all(
            "lines => lines.map(l => [l.dataset.lead, l.getAttribute('points').split(' ').length])"
        )
        assert [lead for lead, _ in leads] == [
            "I", "aVR", "V1", "V4", "II", "aVL", "V2", "V5", "III", "aVF", "V3", "V6", "II"
        ]
        assert all(count == 625 for _, count in leads[:12]) and leads[12][1] == 2500
        tracings.append(page.locator("#twelve-lead-tracing").inner_html())
    assert tracings[0] == tracings[1]

    page = screens[0]
    page.emulate_media(media="print")
    expect(page.locator("#twelve-lead-tracing svg")).to_be_visible()
    for hidden in ("#hr-panel", "#ecg-canvas", "#alarm-band", ".strip", "#twelve-lead-close"):
        expect(page.locator(hidden)).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("button", name=close).click()
    expect(page.locator("#twelve-lead")).to_be_hidden()
    expect(page.locator("#hr-panel")).to_be_visible()


@pytest.mark.parametrize("viewport", [TABLET, TV], ids=["1024x768", "1920x1080"])
def test_an_arterial_line_appears_when_connected_without_moving_the_heart_rate(
    monitor, alice, viewport
):
    session = make_session(alice, last_values=patient())
    page = monitor(session.code, viewport=viewport)
    expect(page.locator("#abp-panel")).to_be_hidden()
    expect(page.locator("#abp-canvas")).to_be_hidden()
    before = page.locator("#hr-panel").bounding_box()

    change(session, patient(abp_systolic=118, abp_diastolic=64, cvp=9))
    expect(page.locator("#abp-value")).to_have_text("118/64", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#abp-map")).to_have_text("(82)")
    expect(page.locator("#cvp-value")).to_have_text("9")
    expect(page.locator("#abp-canvas")).to_be_visible()
    expect(page.locator("#cvp-canvas")).to_be_visible()
    assert page.locator("#abp-canvas").bounding_box()["height"] > 40
    assert page.locator("#hr-panel").bounding_box() == before

    hidden = patient({"hidden": ["abp"]}, abp_systolic=118, abp_diastolic=64, cvp=9)
    change(session, hidden)
    expect(page.locator("#abp-panel")).to_be_hidden(timeout=LIVE_WITHIN_MS)
    expect(page.locator("#abp-canvas")).to_be_hidden()
    expect(page.locator("#cvp-panel")).to_be_visible()
    assert page.locator("#hr-panel").bounding_box() == before


@pytest.mark.parametrize("locale, label", [("en-US", "ECG, lead V2"), ("fr-FR", "ECG, dérivation V2")])
def test_the_second_trace_shows_the_lead_the_trainer_picked(monitor, alice, locale, label):
    session = make_session(alice, last_values=patient({"ecg_lead2": "V2"}))
    page = monitor(session.code, locale)
    expect(page.locator("#ecg2-label")).to_have_text("V2")
    expect(page.locator("#ecg2-canvas")).to_have_attribute("aria-label", label)
    # Absent from older sessions' values: V5.
    other = make_session(alice, code="XYZ234", last_values=patient())
    expect(monitor(other.code).locator("#ecg2-label")).to_have_text("V5")


def test_a_block_shows_the_ventricular_rate_the_monitor_counts(monitor, alice):
    # 2:1 conduction through Mobitz II's dropped beats: the P waves at 80, fewer QRS.
    session = make_session(alice, last_values=patient({"rhythm": "av_block_2_mobitz_2"}, heart_rate=80))
    page = monitor(session.code)
    # Mobitz II drops beats at random: a window without a drop counts the P rate for a moment
    # (seen once as 81 on a loaded machine); the monitor settles on the ventricular rate.
    page.wait_for_function(
        "(n => n >= 45 && n < 80)(Number(document.getElementById('hr-value').textContent))",
        timeout=15000,
    )
