"""Builders for the tests of every app: a session, the POST of a valid change, the cast's password.

Fixtures (alice, bob, their sessions and clients) are in the conftest.py files; what a test
builds itself comes from here, never from conftest.
"""

import datetime

from django.utils import timezone

from sessions_app.models import Session

PASSWORD = "correct-horse-battery"


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
