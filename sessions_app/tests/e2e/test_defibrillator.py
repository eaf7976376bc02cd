"""The trainee's monitor-defibrillator: the strip along the bottom of the monitor once the trainer
has made the monitor a manual defibrillator or an AED. Charge, shock, the AED's advice and
prompts, CPR, the pacer, and a refusal told to the screen that pressed; in English and French.

A charge and an analysis take the time a real unit takes (simulator/treatment.py): the tests
wait for what the screen shows, as a trainee does."""

import functools

import pytest
from playwright.sync_api import expect

from sessions_app import treatment
from sessions_app.models import SessionEvent
from sessions_app.tests.e2e.pages import TABLET, TV, VIEWPORT, beside_the_browser, change, open_control, patient
from shiller.tests.factory import make_session
from simulator import treatment as rules

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE_WITHIN_MS = 3000
VF = patient({"rhythm": "ventricular_fibrillation"}, heart_rate=0, spo2=0, systolic=0, diastolic=0)
SINUS = patient()


def within(seconds: float) -> float:
    """A timeout (ms) for something the device does in `seconds`, and the link's delay."""
    return seconds * 1000 + LIVE_WITHIN_MS


@pytest.fixture
def monitor(monitor):
    """A trainee's tablet unless the test says otherwise."""
    return functools.partial(monitor, viewport=TABLET)


def make_defibrillator(session, mode: str, trainer) -> None:
    """The trainer's choice on the control page, stored and broadcast live."""
    beside_the_browser(lambda: treatment.set_defibrillator(session.pk, {"mode": mode}, trainer=trainer))


def trainer_sees(control, sentence: str) -> None:
    """The cockpit's news of the device, live."""
    expect(control.locator("#treatment-news")).to_contain_text(sentence, timeout=LIVE_WITHIN_MS)


def never_covers_the_numbers(page) -> None:
    panel = page.locator("#device-panel").bounding_box()
    for tile in ("#hr-panel", "#spo2-panel", "#etco2-panel", "#rr-panel", "#nibp-panel", "#temp-panel"):
        box = page.locator(tile).bounding_box()
        assert box["y"] + box["height"] <= panel["y"] + 0.5, tile
        assert box["height"] > 40, tile


@pytest.mark.parametrize(
    "locale, charging, charged, last_shock",
    [
        ("en-US", "Charging 200 J…", "Charged 200 J: shock or disarm", "Last shock 200 J at"),
        ("fr-FR", "Charge 200 J…", "Chargé 200 J : choquez ou désarmez", "Dernier choc 200 J à"),
    ],
)
def test_the_trainee_charges_200_joules_and_shocks_a_patient_in_vf(
    monitor, new_page, alice, locale, charging, charged, last_shock
):
    session = make_session(alice, last_values=VF)
    control = open_control(new_page(), alice, session)
    page = monitor(session.code, locale)
    panel = page.locator("#device-panel")
    expect(panel).to_be_hidden()

    # The trainer makes the monitor a manual defibrillator from the cockpit.
    form = control.locator("#defibrillator-form")
    form.locator("[name=mode]").select_option("manual")
    form.get_by_role("button", name="Set on the trainee's monitor").click()
    expect(panel).to_be_visible(timeout=LIVE_WITHIN_MS)
    expect(panel).to_have_attribute("data-mode", "manual")
    never_covers_the_numbers(page)
    shock = page.locator("#device-shock")
    expect(shock).to_be_disabled()
    expect(page.locator("#device-energy")).to_have_value(str(rules.DEFAULT_JOULES))

    page.locator("#device-charge-button").click()
    expect(page.locator("#device-status")).to_have_text(charging, timeout=LIVE_WITHIN_MS)
    expect(shock).to_be_disabled()
    expect(page.locator("#device-status")).to_contain_text(charged, timeout=within(rules.charge_seconds(200)))
    expect(shock).to_be_enabled()

    shock.click()
    expect(page.locator("#device-status")).to_contain_text(last_shock, timeout=LIVE_WITHIN_MS)
    expect(shock).to_be_disabled()
    # The trainer sees what the trainee did, on what.
    trainer_sees(control, "Shock: 200 J, on Ventricular fibrillation")
    expect(control.locator("#treatment-banner")).to_contain_text("Shock: 200 J")


@pytest.mark.parametrize(
    "locale, texts",
    [
        (
            "en-US",
            {
                "pads": "Apply the pads to the patient's bare chest.",
                "analyse": "Press Analyse.",
                "analysing": "Analysing heart rhythm. Do not touch the patient.",
                "advised": "Shock advised. Charging.",
                "press": "Press the flashing shock button.",
                "delivered": "Shock delivered. Start CPR.",
            },
        ),
        (
            "fr-FR",
            {
                "pads": "Appliquez les électrodes sur la poitrine nue du patient.",
                "analyse": "Appuyez sur Analyser.",
                "analysing": "Analyse du rythme cardiaque. Ne touchez pas le patient.",
                "advised": "Choc recommandé. Chargement.",
                "press": "Appuyez sur le bouton de choc clignotant.",
                "delivered": "Choc délivré. Commencez la RCP.",
            },
        ),
    ],
)
def test_the_aed_advises_a_shock_on_vf_and_the_trainee_delivers_it(monitor, new_page, alice, locale, texts):
    session = make_session(alice, last_values=VF)
    control = open_control(new_page(), alice, session)
    make_defibrillator(session, "aed", alice)
    page = monitor(session.code, locale)
    prompt = page.locator("#device-prompt")
    expect(prompt).to_have_text(texts["pads"])
    expect(page.locator("#device-joules")).to_have_text(f"{rules.AED_JOULES} J")
    never_covers_the_numbers(page)

    page.locator("#device-pads").click()
    expect(prompt).to_have_text(texts["analyse"], timeout=LIVE_WITHIN_MS)
    page.locator("#device-analyse").click()
    expect(prompt).to_have_text(texts["analysing"], timeout=LIVE_WITHIN_MS)
    # Written, and said aloud as it changes (aria-live for a screen reader, speech when sound is on).
    expect(prompt).to_have_attribute("aria-live", "assertive")
    expect(prompt).to_have_text(texts["advised"], timeout=within(rules.ANALYSIS_SECONDS))
    expect(prompt).to_have_text(texts["press"], timeout=within(rules.charge_seconds(rules.AED_JOULES)))
    page.locator("#device-shock").click()
    expect(prompt).to_have_text(texts["delivered"], timeout=LIVE_WITHIN_MS)
    trainer_sees(control, "AED analysis: shock advised")
    trainer_sees(control, "AED Shock: 150 J")


@pytest.mark.parametrize(
    "locale, no_shock", [("en-US", "No shock advised. Start CPR."), ("fr-FR", "Choc non recommandé. Commencez la RCP.")]
)
def test_the_aed_advises_no_shock_on_sinus_rhythm(monitor, alice, locale, no_shock):
    session = make_session(alice, last_values=SINUS)
    make_defibrillator(session, "aed", alice)
    page = monitor(session.code, locale)
    page.locator("#device-pads").click()
    expect(page.locator("#device-analyse")).to_be_enabled(timeout=LIVE_WITHIN_MS)
    page.locator("#device-analyse").click()
    expect(page.locator("#device-prompt")).to_have_text(no_shock, timeout=within(rules.ANALYSIS_SECONDS))
    expect(page.locator("#device-shock")).to_be_disabled()


@pytest.mark.parametrize(
    "locale, stop, refusal",
    [
        ("en-US", "Stop compressions", "Stop compressions: the AED cannot analyse during CPR."),
        ("fr-FR", "Arrêter les compressions", "Arrêtez les compressions : le DAE ne peut pas analyser pendant la RCP."),
    ],
)
def test_compressions_run_a_timer_and_a_refused_press_is_told_in_the_panel(monitor, alice, locale, stop, refusal):
    session = make_session(alice, last_values=VF)
    make_defibrillator(session, "aed", alice)
    page = monitor(session.code, locale)
    page.locator("#device-pads").click()
    expect(page.locator("#device-pads")).to_have_attribute("aria-pressed", "true", timeout=LIVE_WITHIN_MS)
    page.locator("#cpr-toggle").click()
    expect(page.locator("#cpr-toggle")).to_have_text(stop, timeout=LIVE_WITHIN_MS)
    expect(page.locator("#cpr-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#cpr-time")).to_have_text("00:01", timeout=LIVE_WITHIN_MS)

    page.locator("#device-analyse").click()
    # Told to this screen, in its language.
    expect(page.locator("#device-error")).to_have_text(refusal, timeout=LIVE_WITHIN_MS)


def test_the_trainee_paces_and_the_trainer_sees_the_settings(monitor, new_page, alice):
    session = make_session(alice, last_values=patient({"rhythm": "av_block_3"}, heart_rate=30))
    control = open_control(new_page(), alice, session)
    make_defibrillator(session, "manual", alice)
    page = monitor(session.code)
    page.locator("#pacer-toggle").click()
    expect(page.locator("#pacer-toggle")).to_have_attribute("aria-pressed", "true", timeout=LIVE_WITHIN_MS)
    trainer_sees(control, "Pacing on demand 70/min at 0 mA: no capture")

    # Seven presses, one message: the screen socket allows about one a second.
    raise_output = page.get_by_role("button", name="Raise the output")
    for _ in range(7):
        raise_output.click()
    expect(page.locator("#pacer-ma")).to_have_text("70")
    page.get_by_role("button", name="Fixed").click()
    expect(page.locator("#device-panel")).to_have_attribute("data-pacer-pending", "true")
    expect(page.locator("#device-panel")).to_have_attribute("data-pacer-pending", "false", timeout=LIVE_WITHIN_MS)
    trainer_sees(control, "Pacing fixed 70/min at 70 mA: captures")
    assert SessionEvent.objects.filter(session=session, kind=SessionEvent.PACER).count() == 2
    expect(page.get_by_role("button", name="Fixed")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#pacer-ma")).to_have_text("70")


@pytest.mark.parametrize("viewport", [VIEWPORT, TABLET, TV], ids=["laptop", "tablet", "tv"])
@pytest.mark.parametrize("mode", ["manual", "aed"])
def test_the_strip_never_covers_the_numbers_and_its_buttons_are_large(monitor, alice, viewport, mode):
    session = make_session(alice, last_values=VF)
    make_defibrillator(session, mode, alice)
    page = monitor(session.code, viewport=viewport)
    expect(page.locator("#device-panel")).to_be_visible()
    never_covers_the_numbers(page)
    panel = page.locator("#device-panel").bounding_box()
    assert panel["y"] + panel["height"] <= viewport["height"] + 0.5
    for button in page.locator("#device-panel button:visible").all():
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, button.inner_text()


# Pixels drawn in the top 12 px of lead II, where Sync's ▼ marks go (the trace stays lower).
SYNC_MARKS = """c => {
  const data = c.getContext("2d").getImageData(0, 0, c.width, Math.ceil(12 * devicePixelRatio)).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) drawn++;
  return drawn;
}"""


def test_sync_marks_the_r_waves_and_refuses_to_shock_without_them(monitor, alice):
    session = make_session(alice, last_values=SINUS)
    make_defibrillator(session, "manual", alice)
    page = monitor(session.code)
    assert page.locator("#ecg-canvas").evaluate(SYNC_MARKS) == 0
    page.locator("#device-sync").click()
    expect(page.locator("#device-sync")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#device-panel")).to_have_attribute("data-sync", "true")
    page.wait_for_function(
        f"() => ({SYNC_MARKS})(document.getElementById('ecg-canvas')) > 0", timeout=LIVE_WITHIN_MS
    )

    # On VF there is no R wave to land on: the unit will not fire in Sync.
    change(session, VF)
    page.locator("#device-energy").select_option("100")
    page.locator("#device-charge-button").click()
    expect(page.locator("#device-shock")).to_be_enabled(timeout=within(rules.charge_seconds(100)))
    expect(page.locator(".device-sync-badge")).to_be_visible()
    page.locator("#device-shock").click()
    expect(page.locator("#device-error")).to_contain_text("no R wave", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#device-shock")).to_be_enabled()


# Records what the page says aloud instead of saying it.
RECORD_SPEECH = """() => {
  window.spoken = [];
  speechSynthesis.speak = (utterance) => window.spoken.push([utterance.text, utterance.lang]);
  speechSynthesis.cancel = () => {};
}"""


@pytest.mark.parametrize(
    "locale, lang, spoken",
    [
        ("en-US", "en", ["Analysing heart rhythm. Do not touch the patient.", "No shock advised. Start CPR."]),
        ("fr-FR", "fr", ["Analyse du rythme cardiaque. Ne touchez pas le patient.", "Choc non recommandé. Commencez la RCP."]),
    ],
)
def test_with_sound_on_the_aed_speaks_its_prompts_in_the_screens_language(monitor, alice, locale, lang, spoken):
    session = make_session(alice, last_values=SINUS)
    make_defibrillator(session, "aed", alice)
    page = monitor(session.code, locale)
    page.locator("#sound-enable").click()
    expect(page.locator("#monitor")).to_have_attribute("data-sound", "on")
    page.evaluate(RECORD_SPEECH)
    page.locator("#device-pads").click()
    expect(page.locator("#device-analyse")).to_be_enabled(timeout=LIVE_WITHIN_MS)
    page.evaluate("() => { window.spoken = []; }")
    page.locator("#device-analyse").click()
    expect(page.locator("#device-prompt")).to_have_text(spoken[1], timeout=within(rules.ANALYSIS_SECONDS))
    assert page.evaluate("() => window.spoken") == [[sentence, lang] for sentence in spoken]


def test_with_sound_on_a_charge_rises_then_holds_its_tone_until_disarmed(monitor, alice):
    session = make_session(alice, last_values=VF)
    make_defibrillator(session, "manual", alice)
    page = monitor(session.code)
    page.locator("#sound-enable").click()
    panel = page.locator("#device-panel")
    expect(panel).to_have_attribute("data-tone", "")
    page.locator("#device-charge-button").click()
    expect(panel).to_have_attribute("data-tone", "charging", timeout=LIVE_WITHIN_MS)
    expect(panel).to_have_attribute("data-tone", "charged", timeout=within(rules.charge_seconds(200)))
    page.locator("#device-disarm").click()
    expect(panel).to_have_attribute("data-tone", "", timeout=LIVE_WITHIN_MS)
    expect(page.locator("#device-status")).to_have_text("Disarmed.")
