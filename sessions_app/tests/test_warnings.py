"""The control page warns about values that contradict each other, and sends them anyway."""

import pytest
from django.urls import reverse
from django.utils import translation

from sessions_app import services
from shiller.tests.factory import VALID_POST, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def values(rhythm="sinus", **numbers) -> dict:
    flags = {**vitals.DEFAULT_VALUES["flags"], "rhythm": rhythm}
    return vitals.validate({**vitals.DEFAULT_VALUES, **numbers, "flags": flags})


@pytest.mark.parametrize(
    "rhythm, rate, warning",
    [
        (
            "ventricular_tachycardia",
            75,
            "Ventricular tachycardia at 75/min is unusual for this rhythm.",
        ),
        (
            "sinus",
            0,
            "Sinus rhythm at 0/min: the ECG is a flat line. Choose asystole if that is meant.",
        ),
        (
            "asystole",
            40,
            "Asystole at 40/min: the monitor counts no beats and shows 0.",
        ),
        (
            "sinus_bradycardia",
            90,
            "Sinus bradycardia at 90/min is unusual for this rhythm.",
        ),
    ],
)
def test_it_warns_about_a_rate_that_contradicts_the_rhythm(rhythm, rate, warning):
    found = vitals.warnings(
        values(rhythm, heart_rate=rate, systolic=0, diastolic=0, spo2=0)
    )
    assert found == [warning]


def test_consistent_values_raise_no_warning():
    assert vitals.warnings(vitals.DEFAULT_VALUES) == []
    assert vitals.warnings(values("asystole", heart_rate=0, systolic=0, diastolic=0, spo2=0)) == []
    assert vitals.warnings(vitals.PRESETS["arrest"][1]) == []
    assert vitals.warnings(values("ventricular_tachycardia", heart_rate=180)) == []


def test_numbers_sent_without_a_pulse_are_pointed_out():
    pea = {**values(), "flags": {**values()["flags"], "no_pulse": True}}
    assert vitals.warnings(pea) == [
        "Without a pulse the monitors show no SpO2 and the cuff finds no blood pressure,"
        " whatever those fields say."
    ]


def test_warnings_are_in_the_page_language():
    with translation.override("fr"):
        found = vitals.warnings(values("ventricular_tachycardia", heart_rate=75))
    assert found == [
        "Tachycardie ventriculaire à 75/min : fréquence inhabituelle pour ce rythme."
    ]


def test_without_javascript_the_values_are_sent_and_the_warning_shown(
    alice, alice_client
):
    session = make_session(alice)
    post = {**VALID_POST, "heart_rate": "75"}
    r = alice_client.post(
        reverse("sessions:action", args=[session.pk, "set_vitals"]), post, follow=True
    )
    assert r.status_code == 200
    session.refresh_from_db()
    assert session.last_values["heart_rate"] == 75
    body = r.content.decode()
    assert "Values sent to the monitors." in body
    assert "Ventricular tachycardia at 75/min is unusual for this rhythm." in body


def test_the_control_form_has_the_leads_off_and_no_pulse_flags(alice, alice_client):
    session = make_session(alice)
    body = alice_client.get(
        reverse("sessions:control", args=[session.pk])
    ).content.decode()
    assert 'name="ecg_leads_off"' in body
    assert 'name="no_pulse"' in body


def test_the_events_say_when_the_leads_are_off_or_there_is_no_pulse(alice, alice_client):
    session = make_session(alice)
    flags = {**vitals.DEFAULT_VALUES["flags"], "ecg_leads_off": True, "no_pulse": True}
    services.apply_vitals(session.pk, {**vitals.DEFAULT_VALUES, "flags": flags})
    body = alice_client.get(reverse("sessions:control", args=[session.pk])).content.decode()
    assert "leads off" in body
    assert "no pulse" in body
