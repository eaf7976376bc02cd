"""The cuff: manual and automatic measurements, and what the monitor reads at their end."""

import pytest
from django.urls import reverse

from sessions_app import nibp, services
from shiller.tests.factory import AT_REST, T0, later, make_session
from simulator import vitals

pytestmark = pytest.mark.django_db

MEASURING = vitals.NIBP_MEASUREMENT_SECONDS
SHOCK = {**AT_REST, "systolic": 80, "diastolic": 40}


@pytest.fixture
def session(alice):
    session = make_session(alice, now=later(-60))
    services.apply_vitals(session.pk, AT_REST, now=later(-60))
    return refreshed(session)


@pytest.fixture
def open_session(alice):
    return make_session(alice)


def refreshed(session):
    session.refresh_from_db()
    return session


def test_there_is_no_reading_before_the_first_measurement(session):
    assert services.monitor_state(session, now=later(60))["nibp"] == {
        "measurement_seconds": MEASURING,
        "interval_minutes": 0,
        "cycle_started_at": None,
        "started_at": None,
        "reading": None,
    }


def test_a_manual_measurement_reads_the_pressure_at_its_end(session):
    services.apply_vitals(session.pk, SHOCK, transition_seconds=100, now=T0)
    services.start_nibp(session.pk, now=later(40))
    session = refreshed(session)
    assert nibp.measuring_since(session, later(45)) == later(40)
    assert nibp.last_reading(session, later(45)) is None
    # It ends at 40 + 10 s, half way down the trend from 120/80 to 80/40.
    assert nibp.last_reading(session, later(50)) == {
        "taken_at": later(50).isoformat(),
        "systolic": 100,
        "diastolic": 60,
    }
    # The reading stays what it was, however the values move afterwards.
    assert nibp.last_reading(session, later(500))["systolic"] == 100


def test_a_second_start_during_a_measurement_does_not_restart_it(session):
    assert services.start_nibp(session.pk, now=later(1)) == later(1)
    assert services.start_nibp(session.pk, now=later(5)) == later(1)
    assert refreshed(session).nibp_started_at == later(1)
    assert services.start_nibp(session.pk, now=later(1 + MEASURING)) == later(1 + MEASURING)


def test_the_automatic_cycle_measures_at_once_then_every_interval(session):
    services.set_nibp_interval(session.pk, 5, now=T0)
    session = refreshed(session)
    assert nibp.measuring_since(session, later(3)) == T0
    assert nibp.measuring_since(session, later(MEASURING)) is None
    assert nibp.measuring_since(session, later(300 + 2)) == later(300)
    assert nibp.last_reading(session, later(299))["taken_at"] == later(MEASURING).isoformat()


def test_during_an_automatic_measurement_the_previous_reading_is_shown(session):
    services.set_nibp_interval(session.pk, 1, now=T0)
    services.apply_vitals(session.pk, SHOCK, now=later(30))
    session = refreshed(session)
    # At 65 s the second cycle is measuring: the screen still shows the first, 120/80.
    reading = nibp.last_reading(session, later(65))
    assert (reading["systolic"], reading["diastolic"]) == (120, 80)
    reading = nibp.last_reading(session, later(60 + MEASURING))
    assert (reading["systolic"], reading["diastolic"]) == (80, 40)


def test_turning_the_cycle_off_stops_automatic_measurements(session):
    services.set_nibp_interval(session.pk, 1, now=T0)
    services.set_nibp_interval(session.pk, 0, now=later(30))
    session = refreshed(session)
    assert session.nibp_cycle_started_at is None
    assert nibp.measuring_since(session, later(61)) is None


@pytest.mark.parametrize("minutes", [2, -1, "5", None, 5.0])
def test_an_interval_not_on_the_list_is_refused(session, minutes):
    with pytest.raises(vitals.VitalsError) as refused:
        services.set_nibp_interval(session.pk, minutes)
    assert refused.value.errors == {
        "nibp_interval": "The NIBP interval must be one of: 0, 1, 3, 5, 10 or 15 minutes."
    }
    assert refreshed(session).nibp_interval_minutes == 0


def test_the_control_page_measures_and_sets_the_cycle_without_the_live_link(
    alice_client, open_session
):
    session = open_session
    measure = reverse("sessions:action", args=[session.pk, "start_nibp"])
    r = alice_client.post(measure, follow=True)
    assert "NIBP measurement started." in r.content.decode()
    assert refreshed(session).nibp_started_at is not None
    cycle = reverse("sessions:action", args=[session.pk, "set_nibp_interval"])
    r = alice_client.post(cycle, {"minutes": "3"}, follow=True)
    assert "NIBP interval set." in r.content.decode()
    assert refreshed(session).nibp_interval_minutes == 3
    r = alice_client.post(cycle, {"minutes": "7"}, follow=True)
    assert "Choose an NIBP interval from the list." in r.content.decode()
    assert refreshed(session).nibp_interval_minutes == 3


def test_another_trainer_cannot_work_the_cuff(client, bob, open_session):
    session = open_session
    client.force_login(bob)
    for name in ("start_nibp", "set_nibp_interval"):
        url = reverse("sessions:action", args=[session.pk, name])
        assert client.post(url, {"minutes": "3"}).status_code == 404
    assert refreshed(session).nibp_started_at is None


def test_the_last_reading_stays_when_the_cycle_is_turned_off(session):
    services.set_nibp_interval(session.pk, 1, now=T0)
    services.set_nibp_interval(session.pk, 0, now=later(30))
    reading = nibp.last_reading(refreshed(session), later(600))
    assert reading["taken_at"] == later(MEASURING).isoformat()


def test_a_cycle_changed_mid_measurement_does_not_complete_it(session):
    services.set_nibp_interval(session.pk, 1, now=T0)
    services.set_nibp_interval(session.pk, 5, now=later(65))
    # The cycle of 1 min measured at 0-10 s and was cut at 65 s; the new one measures at once.
    assert nibp.measurement_ends(refreshed(session), later(300)) == [
        later(MEASURING),
        later(65 + MEASURING),
    ]


def test_the_previous_manual_reading_shows_while_the_next_is_measured(session):
    services.apply_vitals(session.pk, SHOCK, now=later(5))
    services.start_nibp(session.pk, now=later(20))
    services.apply_vitals(session.pk, AT_REST, now=later(40))
    services.start_nibp(session.pk, now=later(60))
    reading = nibp.last_reading(refreshed(session), later(65))
    assert (reading["systolic"], reading["taken_at"]) == (80, later(30).isoformat())
