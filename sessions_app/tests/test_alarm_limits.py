"""Alarms per session: the trainer sets the limits (nonsense is refused, nothing stored); the
trainee silences them."""

import datetime

import pytest
from django.urls import reverse

from sessions_app import services
from shiller.tests.factory import make_session
from simulator import vitals

pytestmark = pytest.mark.django_db


def limits_post(**changes) -> dict:
    data = {}
    for field, (low, high) in vitals.DEFAULT_ALARM_LIMITS.items():
        data[f"{field}_low"], data[f"{field}_high"] = str(low), str(high)
    return {**data, **changes}


def test_a_new_session_has_the_default_adult_limits(alice):
    assert make_session(alice).alarm_limits == vitals.DEFAULT_ALARM_LIMITS


def test_changing_some_limits_keeps_the_others(alice):
    session = make_session(alice)
    limits = services.set_alarm_limits(session.pk, {"heart_rate": [40, 140]})
    session.refresh_from_db()
    assert (
        session.alarm_limits
        == limits
        == {**vitals.DEFAULT_ALARM_LIMITS, "heart_rate": [40, 140]}
    )


@pytest.mark.parametrize(
    "limits, key, message",
    [
        (
            {"heart_rate": [140, 40]},
            "limits.heart_rate",
            "Heart rate: the low limit must be below the high limit.",
        ),
        (
            {"spo2": [90, 90]},
            "limits.spo2",
            "SpO2: the low limit must be below the high limit.",
        ),
        ({"spo2": [80, 101]}, "limits.spo2", "SpO2 limits must be between 0 and 100."),
        (
            {"etco2": [20]},
            "limits.etco2",
            "EtCO2 limits must be two whole numbers, low and high.",
        ),
        (
            {"etco2": ["20", "50"]},
            "limits.etco2",
            "EtCO2 limits must be two whole numbers, low and high.",
        ),
        (
            {"temperature": [35, 38]},
            "limits.temperature",
            "“temperature” has no alarm limits.",
        ),
        ("high", "limits", "Alarm limits must be an object."),
    ],
)
def test_nonsense_limits_are_refused_with_a_message(alice, limits, key, message):
    session = make_session(alice)
    with pytest.raises(vitals.VitalsError) as refused:
        services.set_alarm_limits(session.pk, limits)
    assert refused.value.errors == {key: message}
    session.refresh_from_db()
    assert session.alarm_limits == vitals.DEFAULT_ALARM_LIMITS


def test_the_trainer_sets_limits_from_the_control_page(alice_client, alice):
    session = make_session(alice)
    url = reverse("sessions:action", args=[session.pk, "set_alarm_limits"])
    r = alice_client.post(
        url, limits_post(spo2_low="85", respiratory_rate_high="35"), follow=True
    )
    assert "Alarm limits sent to the monitors." in r.content.decode()
    session.refresh_from_db()
    assert session.alarm_limits["spo2"] == [85, 100]
    assert session.alarm_limits["respiratory_rate"] == [8, 35]


def test_a_bad_limit_on_the_control_page_says_why_and_stores_nothing(
    alice_client, alice
):
    session = make_session(alice)
    url = reverse("sessions:action", args=[session.pk, "set_alarm_limits"])
    r = alice_client.post(url, limits_post(heart_rate_low="130"))
    assert r.status_code == 400
    assert (
        "Heart rate: the low limit must be below the high limit." in r.content.decode()
    )
    session.refresh_from_db()
    assert session.alarm_limits == vitals.DEFAULT_ALARM_LIMITS


def test_another_trainer_cannot_change_the_limits(client, bob, alice):
    session = make_session(alice)
    client.force_login(bob)
    r = client.post(
        reverse("sessions:action", args=[session.pk, "set_alarm_limits"]),
        limits_post(spo2_low="50"),
    )
    assert r.status_code == 404
    session.refresh_from_db()
    assert session.alarm_limits == vitals.DEFAULT_ALARM_LIMITS


def test_alarms_can_be_silenced_again_once_the_two_minutes_are_over(alice):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    session = make_session(alice, now=start, last_values=vitals.DEFAULT_VALUES)
    services.silence_alarms(session.pk, now=start)
    with pytest.raises(services.NothingToSilence):
        services.silence_alarms(session.pk, now=start + datetime.timedelta(seconds=119))
    services.silence_alarms(session.pk, now=start + datetime.timedelta(seconds=120))
    assert session.events.filter(kind="alarms_silenced").count() == 2


def _values(flags=None, **numbers) -> dict:
    return {
        **vitals.DEFAULT_VALUES,
        **numbers,
        "flags": {**vitals.DEFAULT_VALUES["flags"], **(flags or {})},
    }


def test_a_silence_stores_the_alarms_it_acknowledged(alice):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    session = make_session(alice, now=start)
    services.apply_vitals(
        session.pk, _values({"ecg_leads_off": True}, spo2=80), now=start
    )
    change = services.silence_alarms(session.pk, now=start)
    assert change.event.detail["acknowledged"] == [
        {"id": "desaturation", "level": "red"},
        {"id": "ecg_leads_off", "level": "cyan"},
    ]
    # A screen joining during the silence is told what it acknowledged.
    session.refresh_from_db()
    snapshot = services.monitor_state(
        session, now=start + datetime.timedelta(seconds=30)
    )
    assert snapshot["alarms_acknowledged"] == change.event.detail["acknowledged"]


def test_during_a_silence_a_new_alarm_can_be_silenced_at_once(alice):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    session = make_session(alice, now=start)
    services.apply_vitals(session.pk, _values(heart_rate=150), now=start)
    services.silence_alarms(session.pk, now=start)
    # The same alarm still sounding nowhere: pressing again stores nothing.
    with pytest.raises(services.NothingToSilence):
        services.silence_alarms(session.pk, now=start + datetime.timedelta(seconds=10))
    later = start + datetime.timedelta(seconds=20)
    services.apply_vitals(
        session.pk,
        _values({"rhythm": "ventricular_tachycardia"}, heart_rate=150),
        now=later,
    )
    change = services.silence_alarms(session.pk, now=later)
    assert change.event.detail["acknowledged"] == [
        {"id": "rhythm.ventricular_tachycardia", "level": "red"}
    ]
    assert (
        change.event.detail["until"]
        == (later + datetime.timedelta(seconds=120)).isoformat()
    )


def test_an_alarm_that_ends_and_comes_back_during_a_silence_is_a_new_one(alice):
    """IEC 60601-1-8: a silence acknowledges the conditions present; one that ends and recurs
    sounds again, a joining screen is not told it is acknowledged, and a press silences it."""
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    at = lambda seconds: start + datetime.timedelta(seconds=seconds)  # noqa: E731
    session = make_session(alice, now=start)
    services.apply_vitals(session.pk, _values(respiratory_rate=0), now=start)
    services.silence_alarms(session.pk, now=at(1))
    services.apply_vitals(session.pk, _values(respiratory_rate=14), now=at(10))
    services.apply_vitals(session.pk, _values(respiratory_rate=0), now=at(20))

    session.refresh_from_db()
    assert services.monitor_state(session, now=at(25))["alarms_acknowledged"] == []
    again = services.silence_alarms(session.pk, now=at(30))

    assert again.event.detail["acknowledged"] == [{"id": "apnoea", "level": "red"}]


def test_the_cuff_reading_fails_without_a_pulse(alice):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    session = make_session(alice, now=start)
    services.apply_vitals(session.pk, vitals.PRESETS["arrest"][1], now=start)
    services.start_nibp(session.pk, now=start)
    session.refresh_from_db()
    reading = services.monitor_state(
        session, now=start + datetime.timedelta(minutes=1)
    )["nibp"]["reading"]
    assert reading == {
        "taken_at": (start + datetime.timedelta(seconds=10)).isoformat(),
        "systolic": None,
        "diastolic": None,
        "no_pulse": True,
    }
    active = services.active_alarms(session, start + datetime.timedelta(minutes=1))
    assert {"id": "nibp_failed", "level": "cyan"} in active
