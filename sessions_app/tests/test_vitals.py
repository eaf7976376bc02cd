import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Session, SessionEvent
from shiller.tests.factory import AT_REST, VALID_POST, make_session

pytestmark = pytest.mark.django_db



def post_vitals(client, session, **changes):
    data = {**VALID_POST, **changes}
    return client.post(reverse("sessions:action", args=[session.pk, "set_vitals"]), data, follow=True)


def test_a_valid_change_updates_last_values_and_adds_one_event(alice_client, alice_session):
    r = post_vitals(alice_client, alice_session)
    assert r.status_code == 200
    assert "Values sent to the monitors." in r.content.decode()
    alice_session.refresh_from_db()
    expected = {
        "systolic": 85,
        "diastolic": 50,
        "heart_rate": 150,
        "spo2": 88,
        "respiratory_rate": None,
        "etco2": None,
        "temperature": None,
        "abp_systolic": None,
        "abp_diastolic": None,
        "cvp": None,
        "flags": {
            "rhythm": "ventricular_tachycardia",
            "alarm": True,
            "spo2_probe_off": False,
            "ecg_leads_off": False,
            "no_pulse": False,
            "pulsus_paradoxus": False,
            "hidden": [],
            "ectopy_every": None,
            "ecg_lead2": "V5",
            "abp_damping": "normal",
            "artefacts": [],
        },
    }
    assert alice_session.last_values == expected
    event = SessionEvent.objects.get()
    assert event.values == expected


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"systolic": "301"}, "systolic", "Systolic must be between 0 and 300."),
        ({"systolic": "-1"}, "systolic", "Systolic must be between 0 and 300."),
        ({"diastolic": "201"}, "diastolic", "Diastolic must be between 0 and 200."),
        ({"diastolic": "90"}, "diastolic", "Diastolic must be lower than systolic."),
        ({"heart_rate": "301"}, "heart_rate", "Heart rate must be between 0 and 300."),
        ({"heart_rate": "12.5"}, "heart_rate", "Heart rate must be a whole number."),
        ({"spo2": "101"}, "spo2", "SpO2 must be between 0 and 100."),
        ({"spo2": ""}, "spo2", "SpO2 is required."),
        ({"rhythm": "torsades"}, "rhythm", "Select a valid choice."),
    ],
)
def test_each_invalid_field_is_refused_with_its_message(
    alice_client, alice_session, changes, field, message
):
    r = post_vitals(alice_client, alice_session, **changes)
    assert r.status_code == 400
    body = r.content.decode()
    assert f'data-field="{field}">{message}' in body
    alice_session.refresh_from_db()
    assert alice_session.last_values is None
    assert not SessionEvent.objects.exists()


def test_arrest_zero_over_zero_is_accepted(alice_client, alice_session):
    post_vitals(alice_client, alice_session, systolic="0", diastolic="0", heart_rate="0", spo2="0")
    alice_session.refresh_from_db()
    assert alice_session.last_values["systolic"] == 0
    assert SessionEvent.objects.count() == 1


def test_a_change_to_a_closed_session_is_refused(alice_client, alice):
    session = make_session(alice, closed_at=timezone.now())
    r = post_vitals(alice_client, session)
    assert "This session has ended: the change was not stored." in r.content.decode()
    assert Session.objects.get().last_values is None
    assert not SessionEvent.objects.exists()


def test_a_change_to_an_expired_session_is_refused(alice_client, alice):
    session = make_session(alice, now=timezone.now() - datetime.timedelta(minutes=10), minutes=5)
    r = post_vitals(alice_client, session)
    assert "This session has ended" in r.content.decode()
    assert not SessionEvent.objects.exists()


def test_vitals_only_accepts_post(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]))
    assert r.status_code == 405


def test_respiration_etco2_temperature_and_hidden_sensors_are_stored(alice_client, alice_session):
    post_vitals(
        alice_client,
        alice_session,
        respiratory_rate="28",
        etco2="52",
        temperature="38.6",
        hidden=["temperature", "nibp"],
    )
    event = SessionEvent.objects.get()
    assert (event.respiratory_rate, event.etco2, float(event.temperature)) == (28, 52, 38.6)
    # In the monitor's order, whatever order the form sent.
    assert event.flags["hidden"] == ["nibp", "temperature"]
    alice_session.refresh_from_db()
    assert alice_session.last_values["temperature"] == 38.6


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"respiratory_rate": "81"}, "respiratory_rate", "Respiratory rate must be between 0 and 80."),
        ({"etco2": "151"}, "etco2", "EtCO2 must be between 0 and 150."),
        ({"temperature": "45.1"}, "temperature", "Temperature must be between 25.0 and 45.0."),
        ({"temperature": "24.9"}, "temperature", "Temperature must be between 25.0 and 45.0."),
        ({"temperature": "37.25"}, "temperature", "Temperature takes one decimal at most."),
        ({"temperature": "warm"}, "temperature", "Temperature must be a number."),
        ({"hidden": ["blood_sugar"]}, "hidden", "Select a valid choice."),
        (
            {"transition_seconds": "901"},
            "transition_seconds",
            "The transition must be from 0 to 900 seconds (15 minutes).",
        ),
    ],
)
def test_each_invalid_new_field_is_refused_with_its_message(
    alice_client, alice_session, changes, field, message
):
    r = post_vitals(alice_client, alice_session, **changes)
    assert r.status_code == 400
    assert f'data-field="{field}">{message}' in r.content.decode()
    assert not SessionEvent.objects.exists()


def test_a_change_with_a_transition_stores_the_target_and_its_duration(alice_client, alice):
    session = make_session(alice, last_values={**AT_REST})
    post_vitals(alice_client, session, heart_rate="150", transition_seconds="30")
    event = session.events.get()
    assert event.heart_rate == 150
    assert event.transition_seconds == 30
    assert event.detail["from"]["heart_rate"] == 75
    session.refresh_from_db()
    assert session.last_values["heart_rate"] == 150
    assert session.trend["seconds"] == 30


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_temperature_typed_with_a_decimal_comma_is_read_as_french_writes_it(
    alice_client, alice_session, language
):
    alice_client.cookies["django_language"] = language
    post_vitals(alice_client, alice_session, temperature=" 37,5 ")
    alice_session.refresh_from_db()
    assert alice_session.last_values["temperature"] == 37.5


def test_in_french_the_errors_and_the_summary_write_numbers_the_french_way(
    alice_client, alice_session
):
    alice_client.cookies["django_language"] = "fr"
    r = post_vitals(alice_client, alice_session, temperature="45,1")
    assert "doit être comprise entre 25,0 et 45,0" in r.content.decode()
    post_vitals(alice_client, alice_session, temperature="37,5")
    control = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = control.content.decode()
    assert "Temp. 37,5" in body  # the current values
    assert "<td>37,5</td>" in body  # the event's row
