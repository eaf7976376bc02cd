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


def later(seconds: float) -> datetime.datetime:
    """`seconds` after T0, the tests' fixed start."""
    return T0 + datetime.timedelta(seconds=seconds)


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


def make_faculty(now=None) -> dict:
    """A school's session and everyone the isolation suite asks about: its owner, a co-trainer,
    an observer, the school's admin, a trainer of the school not on the session, the admin of
    another school. Returns them by role, with "session", "school" and "school_b"."""
    from schools.models import Membership, School
    from sessions_app.models import SessionMember
    from trainers.models import Trainer

    school = School.objects.create(name="Hôpital Nord")
    school_b = School.objects.create(name="Clinique Sud")
    people = {}
    for role, name, where, school_role in [
        ("owner", "Alice Martin", school, Membership.TRAINER),
        ("cotrainer", "Carole Petit", school, Membership.TRAINER),
        ("observer", "Olivier Roux", school, Membership.TRAINER),
        ("school_admin", "Agnès Blanc", school, Membership.ADMIN),
        ("colleague", "Cédric Moreau", school, Membership.TRAINER),
        ("other_school", "Xavier Noir", school_b, Membership.ADMIN),
    ]:
        email = f"{role.replace('_', '-')}@example.org"
        people[role] = Trainer.objects.create_user(email=email, password=PASSWORD, name=name)
        Membership.objects.create(school=where, trainer=people[role], role=school_role)
    session = make_session(people["owner"], now=now, school=school)
    SessionMember.objects.create(session=session, trainer=people["cotrainer"], role="cotrainer")
    SessionMember.objects.create(session=session, trainer=people["observer"], role="observer")
    return {**people, "session": session, "school": school, "school_b": school_b}


def restore_shipped_templates() -> None:
    """Write the shipped templates again, as their data migrations do: for a transactional test
    (a browser test) after another's flush. serialized_rollback cannot do it there: Playwright's
    event loop gives the test a database connection of its own, without the saved rows."""
    import importlib

    from django.apps import apps

    class LibraryApps:
        # 0005 still names the templates' models by their first app.
        def get_model(self, app_label, name):
            return apps.get_model("library", name)

    for module, function in [
        ("sessions_app.migrations.0005_shipped_templates", "create_shipped_templates"),
        ("library.migrations.0003_septic_shock_arterial_line", "add_lines"),
        ("library.migrations.0004_step_on_shock", "add_rules"),
        ("library.migrations.0005_step_results", "add_results"),
        ("library.migrations.0008_shipped_expected_actions", "add_expected"),
    ]:
        getattr(importlib.import_module(module), function)(LibraryApps(), None)
