"""Builders for the tests of every app: a session, the POST of a valid change, the cast's password.

Fixtures (alice, bob, their sessions and clients) are in the conftest.py files; what a test
builds itself comes from here, never from conftest.
"""

import datetime

from django.utils import timezone

from sessions_app.models import Session
from simulator import vitals

PASSWORD = "correct-horse-battery"
# A fixed moment for tests that pass time, and the values a patient at rest shows.
T0 = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
AT_REST = vitals.DEFAULT_VALUES


def make_session(trainer, code="ABC234", minutes=120, now=None, **fields) -> Session:
    now = now or timezone.now()
    return Session.objects.create(
        trainer=trainer,
        code=code,
        trainee_name=fields.pop("trainee_name", "Alex"),
        created_at=fields.pop("created_at", now),
        expires_at=now + datetime.timedelta(minutes=minutes),
        **fields,
    )


VALID_POST = {
    "systolic": "85",
    "diastolic": "50",
    "heart_rate": "150",
    "spo2": "88",
    "rhythm": "ventricular_tachycardia",
    "alarm": "on",
}
