"""The megacode: a patient in VF, the trainee starts compressions, charges 200 J and shocks, and
the scenario's rule converts the rhythm to sinus with a return of circulation, EtCO2 first; the
trainer follows it all on the cockpit. In English and French."""

import functools

import pytest
from playwright.sync_api import expect

from library import services as library
from sessions_app import scenarios
from sessions_app.tests.e2e.pages import TABLET, open_control, patient
from simulator import treatment as rules

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LIVE_WITHIN_MS = 3000
VF = patient({"rhythm": "ventricular_fibrillation", "alarm": True}, heart_rate=0, spo2=0, systolic=0, diastolic=0, etco2=12)
# ROSC: EtCO2 jumps before the rest settles (the step's trend brings the pressure up).
ROSC = patient({"rhythm": "sinus_tachycardia"}, heart_rate=112, spo2=92, systolic=88, diastolic=52, etco2=44)
AFTER_SECONDS = 3


@pytest.fixture
def monitor(monitor):
    return functools.partial(monitor, viewport=TABLET)


def vf_arrest(trainer):
    steps = [
        library.StepData(VF, 0, "VF", {"min_joules": 150, "sync": None, "go_to": 1, "after_seconds": AFTER_SECONDS}),
        library.StepData(ROSC, 0, "ROSC"),
    ]
    template = library.save_template(trainer, "Megacode", "", steps)
    return scenarios.start_session(trainer, "Alex", 60, template)


@pytest.mark.parametrize(
    "locale, stop_compressions, last_shock, banner",
    [
        ("en-US", "Stop compressions", "Last shock 200 J at", "Shock: 200 J, on Ventricular fibrillation, during compressions"),
        ("fr-FR", "Arrêter les compressions", "Dernier choc 200 J à", "Choc : 200 J, sur Fibrillation ventriculaire, pendant les compressions"),
    ],
)
def test_a_megacode_from_vf_to_rosc(chromium, server, monitor, alice, locale, stop_compressions, last_shock, banner):
    session = vf_arrest(alice)
    cockpit = chromium.new_context(base_url=server, viewport={"width": 1440, "height": 900}, locale=locale)
    control = open_control(cockpit.new_page(), alice, session)
    control.locator("#next-step").click()
    screen = monitor(session.code, locale)
    expect(screen.locator("#hr-value")).to_have_text("---", timeout=LIVE_WITHIN_MS)

    # The trainer makes the monitor a manual defibrillator.
    form = control.locator("#defibrillator-form")
    form.locator("[name=mode]").select_option("manual")
    form.locator("button[type=submit]").click()
    expect(screen.locator("#device-panel")).to_be_visible(timeout=LIVE_WITHIN_MS)

    # Compressions: EtCO2 follows the CPR quality the trainer set (good by default).
    screen.locator("#cpr-toggle").click()
    expect(screen.locator("#cpr-toggle")).to_have_text(stop_compressions, timeout=LIVE_WITHIN_MS)
    expect(screen.locator("#etco2-value")).to_have_text(str(rules.CPR_ETCO2["good"]), timeout=LIVE_WITHIN_MS)

    # 200 J, the default energy, then the shock once charged.
    expect(screen.locator("#device-energy")).to_have_value("200")
    screen.locator("#device-charge-button").click()
    shock = screen.locator("#device-shock")
    expect(shock).to_be_enabled(timeout=rules.charge_seconds(200) * 1000 + LIVE_WITHIN_MS)
    shock.click()
    expect(screen.locator("#device-status")).to_contain_text(last_shock, timeout=LIVE_WITHIN_MS)
    expect(control.locator("#treatment-banner")).to_contain_text(banner, timeout=LIVE_WITHIN_MS)

    # The step's rule: sinus with a pulse a few seconds later, on the screen and the cockpit.
    converted = (AFTER_SECONDS + 2) * 1000 + LIVE_WITHIN_MS
    expect(screen.locator("#etco2-value")).to_have_text("44", timeout=converted)
    expect(screen.locator("#hr-value")).not_to_have_text("---", timeout=LIVE_WITHIN_MS)
    expect(control.locator('#scenario-steps li[data-step="1"]')).to_have_attribute("aria-current", "step", timeout=LIVE_WITHIN_MS)
    control.locator("#cpr-toggle").click()  # The trainer marks compressions off.
    expect(screen.locator("#cpr-toggle")).not_to_have_text(stop_compressions, timeout=LIVE_WITHIN_MS)
    cockpit.close()
