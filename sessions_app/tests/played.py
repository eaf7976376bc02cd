"""A played session for the debrief tests: ten minutes, four events, closed at 10:00.

00:30 normal values; 02:00 hypotension over 60 s (systolic 120 -> 78: below its 90 limit from
about 02:43); 02:30 the trainee silences the alarms; 05:00 cardiac arrest (red); 10:00 closed.
"""

import datetime

from sessions_app import services
from sessions_app.models import Session
from shiller.tests.factory import make_session
from simulator import vitals

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
HYPOTENSION = vitals.PRESETS["hypotension"][1]
ARREST = vitals.PRESETS["arrest"][1]


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def played_session(trainer, code="ABC234") -> Session:
    session = make_session(trainer, code=code, now=T0)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=at(30))
    services.apply_vitals(session.pk, HYPOTENSION, transition_seconds=60, now=at(120))
    services.silence_alarms(session.pk, now=at(150))
    services.apply_vitals(session.pk, ARREST, now=at(300))
    return close(session, 600)


def close(session: Session, seconds: float) -> Session:
    Session.objects.filter(pk=session.pk).update(closed_at=at(seconds))
    session.refresh_from_db()
    return session
