import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from shiller.tests.factory import VALID_POST, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def test_it_shows_the_code_the_join_link_and_the_form(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="join-code">ABC234<' in body
    assert "http://testserver/monitor/ABC234/" in body
    assert 'name="heart_rate"' in body and 'name="rhythm"' in body
    assert "Nothing sent yet" in body
    assert "No changes yet." in body
    assert "Cardiac arrest" in body  # a preset


def test_it_shows_current_values_and_recent_events(alice_client, alice_session):
    services.apply_vitals(alice_session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 131})
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert "HR 131" in body
    assert "<td>131</td>" in body
    assert 'value="131"' in body  # the form starts from the last values


def test_a_closed_session_has_no_form(alice_client, alice):
    session = make_session(alice, closed_at=timezone.now())
    r = alice_client.get(reverse("sessions:control", args=[session.pk]))
    body = r.content.decode()
    assert "closed" in body
    assert 'id="vitals-form"' not in body
    assert 'id="close-session"' not in body


def test_it_offers_the_transitions_the_limits_and_the_cuff(alice_client, alice_session):
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    for label in ("Instant", "10 s", "30 s", "1 min", "3 min", "Custom"):
        assert f"> {label}</label>" in body
    assert 'name="transition_seconds"' in body
    assert 'name="heart_rate_low"' in body and 'name="etco2_high"' in body
    assert 'id="nibp-measure"' in body
    assert 'name="minutes"' in body and "Every 5 min" in body
    assert 'value="temperature"' in body  # a "not connected" checkbox
    assert 'id="trend" class="trend" hidden' in body
    assert 'id="silenced-banner" class="silenced-banner" hidden' in body


def test_without_javascript_the_presets_and_transition_choices_are_hidden(alice_client, alice_session):
    # The server reads only transition_seconds: the choices work through control.js alone.
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert '<div class="presets js-only" role="group"' in body
    assert '<div class="transition-choices js-only">' in body
    css = (settings.BASE_DIR / "static" / "css" / "shiller.css").read_text()
    assert "html:not(.js) .js-only { display: none; }" in css


def test_it_shows_the_trend_in_progress_from_and_to(alice_client, alice_session):
    services.apply_vitals(alice_session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 80})
    services.apply_vitals(
        alice_session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 140}, transition_seconds=180
    )
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert 'id="trend" class="trend">' in body
    assert (
        '<tr data-field="heart_rate"><th scope="row">Heart rate</th><td>80</td>'
        '<td class="trend-now"></td><td>140</td></tr>'
    ) in body
    assert "Stop trend" in body
    assert "<td>3 min</td>" in body  # the event's transition


def test_a_trend_row_shows_the_temperature_with_one_decimal(alice_client, alice_session):
    services.apply_vitals(alice_session.pk, {**vitals.DEFAULT_VALUES, "temperature": 37})
    services.apply_vitals(
        alice_session.pk, {**vitals.DEFAULT_VALUES, "temperature": 39.5}, transition_seconds=180
    )
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    assert "<td>37.0</td><td class=\"trend-now\"></td><td>39.5</td>" in r.content.decode()


def test_a_cuff_started_before_any_values_shows_no_values(alice_client, alice_session):
    services.start_nibp(alice_session.pk)
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert "<td>NIBP measurement started</td><td>Shiller (automatic)</td><td></td><td></td>" in body
    assert "None" not in body


def test_the_events_say_what_happened(alice_client, alice_session):
    services.apply_vitals(alice_session.pk, vitals.DEFAULT_VALUES)
    services.silence_alarms(alice_session.pk)
    r = alice_client.get(reverse("sessions:control", args=[alice_session.pk]))
    body = r.content.decode()
    assert "<td>Values changed</td>" in body
    assert "<td>Alarms silenced</td>" in body
    assert "<td>14</td><td>38</td><td>36.8</td>" in body  # RR, EtCO2, temperature
    assert 'id="silenced-banner" class="silenced-banner">' in body


def test_without_the_live_link_a_refused_form_shows_its_errors(alice_client, alice_session):
    limits = {
        f"{name}_{end}": str(value)
        for name, pair in vitals.DEFAULT_ALARM_LIMITS.items()
        for end, value in zip(("low", "high"), pair)
    }
    r = alice_client.post(
        reverse("sessions:action", args=[alice_session.pk, "set_alarm_limits"]),
        {**limits, "heart_rate_low": "130", "heart_rate_high": "120"},
    )
    assert r.status_code == 400
    assert "Heart rate: the low limit must be below the high limit." in r.content.decode()
    post = {**VALID_POST, "transition_seconds": "901"}
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]), post)
    assert r.status_code == 400
    assert 'data-field="transition_seconds"' in r.content.decode()
    post = {**VALID_POST, "transition_seconds": "0", "temperature": "50"}
    r = alice_client.post(reverse("sessions:action", args=[alice_session.pk, "set_vitals"]), post)
    assert r.status_code == 400
    assert "Temperature must be between 25.0 and 45.0." in r.content.decode()


@pytest.mark.parametrize(
    "english, french",
    [
        # The Alarm checkbox, and the presets.
        ("A red alarm on every monitor, whatever the values: a scenario&#x27;s cue.",
         "Une alarme rouge sur chaque scope, quelles que soient les valeurs"),
        ("A preset fills the form below: check it, then Send to monitors.",
         "Un préréglage remplit le formulaire ci-dessous"),
    ],
)  # fmt: skip
def test_the_page_says_what_its_less_obvious_controls_do(alice_client, alice_session, english, french):
    url = reverse("sessions:control", args=[alice_session.pk])
    assert english in alice_client.get(url).content.decode()
    assert french in alice_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
