"""What a trainee sees and hears of the alarms: one band of fixed height cycling the messages,
technical alarms in cyan with "---" in their tiles, no numbers without a pulse, a silence that
lets a new alarm sound at once, the numbers' hierarchy, and sound on a kiosk TV."""

import datetime
import functools

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app import services
from sessions_app.tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from sessions_app.tests.e2e.pages import TABLET, TV, change, open_control, patient
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE_WITHIN_MS = 3000
# Three messages in turn, two seconds each (monitor.js), and a margin.
CYCLE_MS = 8000



@pytest.fixture
def monitor(monitor):
    """A monitor on a wall TV unless the test says otherwise."""
    return functools.partial(monitor, viewport=TV)


def box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_the_alarm_band_keeps_its_height_and_the_layout_never_moves(monitor, alice):
    session = make_session(alice, last_values=vitals.DEFAULT_VALUES)
    page = monitor(session.code)
    expect(page.locator("#alarm-band")).to_have_attribute("data-level", "")
    quiet = [
        box(page, selector) for selector in ("#alarm-band", "#hr-panel", "#ecg-canvas")
    ]

    # Three alarms at once, one of them a long message: each shows in turn, most urgent first.
    change(session, patient({"alarm": True}, heart_rate=150, etco2=60))
    band = page.locator("#alarm-band")
    expect(page.locator("#alarm-count")).to_have_text(
        "1/3", timeout=LIVE_WITHIN_MS + CYCLE_MS
    )
    expect(page.locator("#alarm-banner")).to_have_text("ALARM")
    expect(band).to_have_attribute("data-level", "red")
    expect(page.locator("#alarm-banner")).to_have_text("HR high", timeout=CYCLE_MS)
    expect(band).to_have_attribute("data-level", "yellow")
    loud = [
        box(page, selector) for selector in ("#alarm-band", "#hr-panel", "#ecg-canvas")
    ]
    assert loud == quiet

    # Large on a 1080p TV, and never cut: the whole message fits its box.
    size = page.locator("#alarm-banner").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 40
    fits = page.locator("#alarm-banner").evaluate(
        "e => e.scrollHeight <= e.clientHeight + 1"
    )
    assert fits

    change(session, vitals.DEFAULT_VALUES)
    expect(band).to_have_attribute("data-level", "", timeout=LIVE_WITHIN_MS)
    assert [
        box(page, selector) for selector in ("#alarm-band", "#hr-panel", "#ecg-canvas")
    ] == quiet


@pytest.mark.parametrize(
    "locale, message",
    [("en-US", "ECG LEADS OFF"), ("fr-FR", "ÉLECTRODES ECG DÉBRANCHÉES")],
)
def test_ecg_leads_off_is_a_cyan_technical_alarm_with_dashes_in_its_tile(
    monitor, alice, locale, message
):
    session = make_session(alice, last_values=patient({"ecg_leads_off": True}))
    page = monitor(session.code, locale)
    expect(page.locator("#hr-value")).to_have_text("---")
    expect(page.locator("#alarm-band")).to_have_attribute("data-level", "cyan")
    expect(page.locator("#alarm-banner")).to_have_text(message)
    expect(page.locator("#rhythm-label")).to_have_text(message)
    # The SpO2 still reads: a technical alarm takes out its own sensor only.
    expect(page.locator("#spo2-value")).to_have_text("98")


@pytest.mark.parametrize(
    "locale, no_pulse", [("en-US", "SpO2: NO PULSE"), ("fr-FR", "SpO2 : PAS DE POULS")]
)
def test_in_vf_spo2_and_heart_rate_show_no_number(monitor, alice, locale, no_pulse):
    arrest = patient({"rhythm": "ventricular_fibrillation"}, heart_rate=180, spo2=98)
    session = make_session(alice, last_values=arrest)
    page = monitor(session.code, locale)
    expect(page.locator("#spo2-value")).to_have_text("---")
    expect(page.locator("#hr-value")).to_have_text("---")
    expect(page.locator("#probe-off")).to_have_text(no_pulse)
    expect(page.locator("#alarm-band")).to_have_attribute("data-level", "red")


def test_asystole_counts_zero_and_rr_zero_is_apnoea(monitor, alice):
    values = patient({"rhythm": "asystole"}, heart_rate=40, respiratory_rate=0)
    session = make_session(alice, last_values=values)
    page = monitor(session.code)
    expect(page.locator("#hr-value")).to_have_text("0")
    expect(page.locator("#rr-value")).to_have_text("0")
    expect(page.locator("#rr-panel")).to_have_attribute("data-alarm", "red")
    expect(page.locator("#alarm-banner")).to_have_text("APNOEA", timeout=CYCLE_MS)


@pytest.mark.parametrize(
    "locale, failed", [("en-US", "NIBP: no pulse"), ("fr-FR", "PNI : pas de pouls")]
)
def test_the_cuff_finds_no_pulse_in_pea(monitor, alice, locale, failed):
    session = make_session(alice)
    started = timezone.now() - datetime.timedelta(minutes=1)
    services.apply_vitals(session.pk, patient({"no_pulse": True}), now=started)
    services.start_nibp(session.pk, now=started + datetime.timedelta(seconds=5))
    page = monitor(session.code, locale)
    expect(page.locator("#nibp-value")).to_have_text("---")
    expect(page.locator("#nibp-status")).to_have_text(failed)
    expect(page.locator("#nibp-panel")).to_have_attribute("data-state", "failed")
    # PEA: the ECG still counts its rate.
    expect(page.locator("#hr-value")).to_have_text("75")


def test_silence_mutes_the_alarm_sounding_but_a_new_one_sounds_at_once(monitor, alice):
    session = make_session(alice, last_values=patient(heart_rate=150))
    page = monitor(session.code)
    screen = page.locator("#monitor")
    expect(screen).to_have_attribute("data-sounding", "yellow")

    page.get_by_role("button", name="Silence alarms").click()
    expect(page.locator("#silenced")).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(screen).to_have_attribute("data-sounding", "none")
    # Acknowledged, not hidden: the tile and the band still show it.
    expect(page.locator("#hr-panel")).to_have_attribute("data-alarm", "yellow")
    expect(page.locator("#alarm-banner")).to_have_text("HR high")
    event = session.events.get(kind="alarms_silenced")
    assert event.detail["acknowledged"] == [
        {"id": "heart_rate.high", "level": "yellow"}
    ]

    change(session, patient({"rhythm": "ventricular_tachycardia"}, heart_rate=150))
    expect(screen).to_have_attribute("data-sounding", "red", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#silenced")).to_be_visible()


def test_an_alarm_that_ends_and_comes_back_during_a_silence_sounds_again(monitor, alice):
    session = make_session(alice, last_values=patient(respiratory_rate=0))
    page = monitor(session.code)
    screen = page.locator("#monitor")
    expect(screen).to_have_attribute("data-sounding", "red")
    page.get_by_role("button", name="Silence alarms").click()
    expect(screen).to_have_attribute("data-sounding", "none", timeout=LIVE_WITHIN_MS)

    change(session, patient(respiratory_rate=14))
    expect(page.locator("#alarm-banner")).to_have_text("", timeout=LIVE_WITHIN_MS)
    change(session, patient(respiratory_rate=0))

    # A new episode of apnoea, not the one acknowledged: it sounds within the silence.
    expect(page.locator("#alarm-banner")).to_have_text("APNOEA", timeout=LIVE_WITHIN_MS)
    expect(screen).to_have_attribute("data-sounding", "red")
    expect(page.locator("#silenced")).to_be_visible()


def test_a_screen_joining_during_a_silence_keeps_the_acknowledged_alarm_quiet(
    monitor, alice
):
    session = make_session(alice, last_values=patient(heart_rate=150))
    services.silence_alarms(session.pk)
    page = monitor(session.code)
    expect(page.locator("#monitor")).to_have_attribute("data-sounding", "none")
    expect(page.locator("#hr-panel")).to_have_attribute("data-alarm", "yellow")


def test_heart_rate_and_spo2_are_the_largest_numbers_and_buttons_take_a_finger(
    monitor, alice
):
    session = make_session(alice)
    started = timezone.now() - datetime.timedelta(minutes=1)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=started)
    services.start_nibp(session.pk, now=started)
    page = monitor(session.code, viewport=TABLET)
    expect(page.locator("#nibp-value")).to_have_text("120/80")
    height = {
        name: box(page, f"#{name}-value")["height"]
        for name in ("hr", "spo2", "etco2", "rr", "nibp", "temp")
    }
    smallest_large = min(height["hr"], height["spo2"])
    assert all(
        smallest_large > height[name] for name in ("etco2", "rr", "nibp", "temp")
    ), str(height)
    assert all(height["temp"] < height[name] for name in ("etco2", "rr", "nibp")), str(
        height
    )
    buttons = page.locator(".controls button:visible, #nibp-start")
    for index in range(buttons.count()):
        assert buttons.nth(index).bounding_box()["height"] >= 44


def test_a_kiosk_browser_started_with_autoplay_allowed_sounds_without_a_tap(
    monitor, chromium, alice
):
    # docs/room.md: a wall TV's Chromium starts with --autoplay-policy=no-user-gesture-required.
    kiosk = chromium.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--autoplay-policy=no-user-gesture-required"],
    )
    try:
        session = make_session(alice, last_values=patient(heart_rate=150))
        page = monitor(session.code, query="?sound=on", browser=kiosk)
        expect(page.locator("#monitor")).to_have_attribute("data-sound", "on")
        expect(page.locator("#sound-enable")).to_be_hidden()
        expect(page.locator("#monitor")).to_have_attribute("data-sounding", "yellow")
    finally:
        kiosk.close()


def test_a_screen_that_wants_sound_says_when_the_browser_blocks_it(monitor, alice):
    session = make_session(alice, last_values=vitals.DEFAULT_VALUES)
    page = monitor(session.code, query="?sound=on")
    if page.locator("#monitor").get_attribute("data-sound") == "on":
        pytest.skip("this Chromium allows autoplay without a gesture")
    expect(page.locator("#monitor")).to_have_attribute("data-sound", "blocked")
    expect(page.locator("#sound-note")).to_be_visible()
    page.get_by_role("button", name="Allow sound on this screen").click()
    expect(page.locator("#monitor")).to_have_attribute("data-sound", "on")
    # Remembered by this browser: the next visit wants sound without ?sound=on.
    assert page.evaluate("localStorage.getItem('shiller.sound')") == "on"


@pytest.mark.parametrize(
    "locale, sent, warning",
    [
        (
            "en-US",
            "Values sent to the monitors.",
            "Ventricular tachycardia at 75/min is unusual",
        ),
        (
            "fr-FR",
            "Valeurs envoyées aux scopes.",
            "Tachycardie ventriculaire à 75/min : fréquence inhabituelle",
        ),
    ],
)
def test_the_control_page_warns_about_contradictory_values_and_sends_them(
    chromium, server, alice, locale, sent, warning
):
    session = make_session(alice, last_values=vitals.DEFAULT_VALUES)
    context = chromium.new_context(base_url=server, viewport=TABLET, locale=locale)
    control = open_control(context.new_page(), alice, session)
    form = control.locator("#vitals-form")
    form.locator("[name=heart_rate]").fill("75")
    form.locator("[name=rhythm]").select_option("ventricular_tachycardia")
    form.locator("button.primary[type=submit]").click()
    expect(control.locator("#send-status")).to_have_text(sent)
    expect(control.locator("#send-warnings")).to_contain_text(warning)
    session.refresh_from_db()
    assert session.last_values["flags"]["rhythm"] == "ventricular_tachycardia"
    context.close()
