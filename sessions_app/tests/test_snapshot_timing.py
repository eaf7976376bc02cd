"""When time alone changes what a screen's snapshot says: until then, one read serves every
screen that connects (live/connects.py), so the moment must be exact."""

import datetime

import pytest

from sessions_app import services
from shiller.tests.factory import AT_REST, T0, later, make_session
from simulator import cuff, vitals

pytestmark = pytest.mark.django_db

MEASURING = vitals.NIBP_MEASUREMENT_SECONDS
SHOCK = {**AT_REST, "heart_rate": 150, "systolic": 80, "diastolic": 40}
MICROSECOND = datetime.timedelta(microseconds=1)


@pytest.fixture
def session(alice):
    session = make_session(alice, now=later(-60))
    services.apply_vitals(session.pk, AT_REST, now=later(-60))
    return session


def shown(session, at: datetime.datetime) -> dict:
    session.refresh_from_db()
    return {key: value for key, value in services.monitor_state(session, at).items() if key != "now"}


def changes_at(session, now: datetime.datetime) -> datetime.datetime | None:
    """The moment, checked: the snapshot reads the same until just before it, not at it."""
    session.refresh_from_db()
    moment = services.monitor_state_changes_at(session, now)
    if moment is not None:
        assert shown(session, moment - MICROSECOND) == shown(session, now)
        assert shown(session, moment) != shown(session, now)
    return moment


def test_a_snapshot_without_a_trend_silence_or_cuff_holds_until_a_change(session):
    assert changes_at(session, later(0)) is None
    assert shown(session, later(0)) == shown(session, later(100_000))


def test_a_snapshot_during_a_trend_holds_until_its_end(session):
    services.apply_vitals(session.pk, SHOCK, transition_seconds=100, now=T0)
    assert changes_at(session, later(30)) == later(100)
    assert changes_at(session, later(100)) is None


def test_a_snapshot_during_a_silence_holds_until_it_ends(session):
    services.apply_vitals(session.pk, SHOCK, now=T0)
    services.silence_alarms(session.pk, now=later(10))
    assert changes_at(session, later(11)) == later(10 + vitals.SILENCE_SECONDS)


def test_a_snapshot_during_a_manual_measurement_holds_until_its_end(session):
    services.start_nibp(session.pk, now=later(40))
    assert changes_at(session, later(41)) == later(40 + MEASURING)
    assert changes_at(session, later(40 + MEASURING)) is None


def test_a_snapshot_on_the_automatic_cycle_holds_until_its_next_measurement_ends(session):
    services.set_nibp_interval(session.pk, 5, now=T0)
    assert changes_at(session, later(1)) == later(MEASURING)
    assert changes_at(session, later(MEASURING)) == later(300 + MEASURING)
    assert changes_at(session, later(1000)) == later(1200 + MEASURING)


def test_the_next_measurement_is_the_sooner_of_the_manual_one_and_the_cycle():
    assert cuff.next_end(later(295), 5, T0, later(299)) == later(295 + MEASURING)
    assert cuff.next_end(later(200), 5, T0, later(299)) == later(300 + MEASURING)
    assert cuff.next_end(None, 0, None, later(299)) is None
