"""The move of the templates from sessions_app to the library: state only, rows kept."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from library.models import SessionTemplate
from sessions_app.models import Session

# The schema before the move: sessions_app at 0007, no library app.
BEFORE = [("sessions_app", "0007_events_of_every_kind"), ("library", None)]
BEFORE_STATE = [
    ("sessions_app", "0007_events_of_every_kind"),
    ("trainers", "0003_updated_at_trigger"),
]
MOVE = [("library", "0001_initial"), ("sessions_app", "0008_templates_move_to_library")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # A new executor: the loader then reads what is applied now.
    return MigrationExecutor(connection)


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "name"), MOVE)
def test_the_move_runs_no_sql(app, name):
    out = io.StringIO()
    call_command("sqlmigrate", app, name, stdout=out)
    statements = [
        line
        for line in out.getvalue().splitlines()
        if line.strip() and not line.startswith("--") and line not in ("BEGIN;", "COMMIT;")
    ]
    assert statements == []
    assert "(no-op)" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrating_an_existing_database_keeps_its_templates_steps_and_sessions():
    old = _migrate(BEFORE).loader.project_state(BEFORE_STATE).apps
    Trainer = old.get_model("trainers", "Trainer")
    OldTemplate = old.get_model("sessions_app", "SessionTemplate")
    OldStep = old.get_model("sessions_app", "TemplateStep")
    OldSession = old.get_model("sessions_app", "Session")
    trainer = Trainer.objects.create(email="old@example.org", password="!")
    template = OldTemplate.objects.create(trainer=trainer, name="Old drill", description="Kept")
    steps = [
        OldStep.objects.create(template=template, position=i, values={"heart_rate": 60 + i}, note=n)
        for i, n in enumerate(["Baseline", "Shock"])
    ]
    now = timezone.now()
    session = OldSession.objects.create(
        trainer=trainer,
        code="OLD234",
        trainee_name="Alex",
        expires_at=now + datetime.timedelta(hours=1),
        template=template,
    )

    executor = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    moved = SessionTemplate.objects.get(pk=template.pk)
    assert (moved.trainer_id, moved.name, moved.description) == (trainer.pk, "Old drill", "Kept")
    assert [(s.pk, s.position, s.values, s.note) for s in moved.steps.all()] == [
        (s.pk, s.position, s.values, s.note) for s in steps
    ]
    assert Session.objects.get(pk=session.pk).template == moved
    assert list(moved.sessions.all()) == [Session.objects.get(pk=session.pk)]
