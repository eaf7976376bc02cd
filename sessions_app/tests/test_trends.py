"""Trends: every screen computes the same value for the same moment, however it joined."""

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.models import SessionEvent
from shiller.tests.factory import T0, later, make_session
from simulator import trends, vitals

AT_REST = {**vitals.DEFAULT_VALUES, "heart_rate": 80}


def tachycardia() -> dict:
    return {**AT_REST, "heart_rate": 140, "temperature": 38.0}


@pytest.fixture
def trending(alice):
    """A session whose HR goes from 80 to 140 over 10 s, starting at T0."""
    session = make_session(alice, now=T0, last_values=AT_REST)
    services.apply_vitals(session.pk, tachycardia(), transition_seconds=10, now=T0)
    session.refresh_from_db()
    return session


def test_values_move_linearly_from_the_start_to_the_target():
    trend = trends.start(AT_REST, 10, T0)
    target = tachycardia()
    assert trends.values_at(target, trend, later(0))["heart_rate"] == 80
    assert trends.values_at(target, trend, later(5))["heart_rate"] == 110
    assert trends.values_at(target, trend, later(2.5))["heart_rate"] == 95
    assert trends.values_at(target, trend, later(10))["heart_rate"] == 140
    assert trends.values_at(target, trend, later(60)) == target
    # Temperature moves by tenths: 36.8 -> 38.0 is 37.4 halfway.
    assert trends.values_at(target, trend, later(5))["temperature"] == 37.4


def test_the_same_moment_gives_the_same_values_every_time():
    trend = trends.start(AT_REST, 30, T0)
    moments = [later(seconds / 7) for seconds in range(0, 30 * 7)]
    first = [trends.values_at(tachycardia(), trend, moment) for moment in moments]
    second = [trends.values_at(tachycardia(), trend, moment) for moment in reversed(moments)]
    assert first == list(reversed(second))


def test_rounding_is_half_up_and_keeps_diastolic_below_systolic():
    start = {**AT_REST, "systolic": 100, "diastolic": 99}
    target = {**AT_REST, "systolic": 61, "diastolic": 60, "heart_rate": 81}
    trend = trends.start(start, 200, T0)
    halfway = trends.values_at(target, trend, later(100))
    assert halfway["heart_rate"] == 81  # 80.5 rounds up, as Math.round does in the browser
    arrest = {**AT_REST, "systolic": 0, "diastolic": 0}
    to_arrest = trends.start({**AT_REST, "systolic": 120, "diastolic": 80}, 1000, T0)
    for moment in range(1000):
        values = trends.values_at(arrest, to_arrest, later(moment))
        assert vitals.validate(values) == values, moment


def test_a_sensor_that_appears_shows_its_target_at_once():
    trend = trends.start({**AT_REST, "etco2": None}, 10, T0)
    assert trends.values_at({**AT_REST, "etco2": 40}, trend, later(5))["etco2"] == 40


@pytest.mark.django_db
def test_a_trend_is_stored_once_as_its_target_and_duration(trending):
    event = SessionEvent.objects.get()
    assert (event.heart_rate, event.transition_seconds) == (140, 10)
    assert event.detail["from"]["heart_rate"] == 80
    assert trending.last_values["heart_rate"] == 140
    assert trending.trend == {
        "from": {field: AT_REST[field] for field in vitals.NUMBER_FIELDS},
        "started_at": T0.isoformat(),
        "seconds": 10,
    }


@pytest.mark.django_db
def test_a_screen_that_connects_midway_shows_what_the_others_show(trending):
    # A screen that was there all along got the change as broadcast...
    broadcast = {"values": trending.last_values, "trend": trending.trend}
    # ...one that reconnects 5 s in gets the snapshot.
    snapshot = services.monitor_state(trending, now=later(5))
    assert snapshot["trend"] == trending.trend
    for moment in (later(5), later(7.5), later(10)):
        there_all_along = trends.values_at(broadcast["values"], broadcast["trend"], moment)
        reconnected = trends.values_at(snapshot["values"], snapshot["trend"], moment)
        assert there_all_along == reconnected
    assert trends.values_at(snapshot["values"], snapshot["trend"], later(5))["heart_rate"] == 110


@pytest.mark.django_db
def test_a_finished_trend_is_not_in_the_snapshot(trending):
    assert services.monitor_state(trending, now=later(10))["trend"] is None


@pytest.mark.django_db
def test_a_change_during_a_trend_starts_from_where_the_monitor_is(trending):
    services.apply_vitals(trending.pk, AT_REST, transition_seconds=20, now=later(5))
    trending.refresh_from_db()
    assert trending.trend["from"]["heart_rate"] == 110
    assert services.current_values(trending, later(15))["heart_rate"] == 95


@pytest.mark.django_db
def test_stopping_a_trend_holds_the_values_where_they_are(trending):
    change = services.stop_trend(trending.pk, now=later(5))
    assert change.event.kind == SessionEvent.TREND_STOPPED
    assert change.event.heart_rate == 110
    assert change.event.transition_seconds == 0
    trending.refresh_from_db()
    assert trending.trend is None
    assert services.current_values(trending, later(60))["heart_rate"] == 110


@pytest.mark.django_db
def test_there_is_nothing_to_stop_once_the_trend_is_over(trending):
    with pytest.raises(services.NoTrend):
        services.stop_trend(trending.pk, now=later(11))
    assert SessionEvent.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("seconds", [-1, 901, 2.5, "10", True])
def test_a_transition_outside_0_to_15_minutes_is_refused(alice, seconds):
    session = make_session(alice)
    with pytest.raises(vitals.VitalsError) as refused:
        services.apply_vitals(session.pk, AT_REST, transition_seconds=seconds)
    assert refused.value.errors == {
        "transition_seconds": "The transition must be a whole number of seconds from 0 to 900"
        " (15 minutes)."
    }
    assert not SessionEvent.objects.exists()


@pytest.mark.django_db
def test_the_trainer_stops_a_trend_from_the_control_page(alice_client, alice):
    session = make_session(alice, last_values=AT_REST)
    services.apply_vitals(session.pk, tachycardia(), transition_seconds=600)
    r = alice_client.post(reverse("sessions:action", args=[session.pk, "stop_trend"]), follow=True)
    assert "Trend stopped: the monitors hold these values." in r.content.decode()
    assert session.events.filter(kind=SessionEvent.TREND_STOPPED).count() == 1
    r = alice_client.post(reverse("sessions:action", args=[session.pk, "stop_trend"]), follow=True)
    assert "No trend is in progress." in r.content.decode()


@pytest.mark.django_db
def test_another_trainer_cannot_stop_the_trend(client, bob, alice):
    session = make_session(alice, last_values=AT_REST)
    services.apply_vitals(session.pk, tachycardia(), transition_seconds=600, now=timezone.now())
    client.force_login(bob)
    r = client.post(reverse("sessions:action", args=[session.pk, "stop_trend"]))
    assert r.status_code == 404
    assert session.events.count() == 1
