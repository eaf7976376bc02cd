"""The audit trail names who did what: every event its author (a trainer, a trainee screen),
every note its writer; events are never changed or deleted; the debrief, the CSV and the admin
show the author; the migration gives the existing rows theirs."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from sessions_app import services
from sessions_app.models import EventsAreFinal, SessionEvent, SessionNote
from shiller.tests.factory import make_faculty
from simulator import vitals

BEFORE = [("sessions_app", "0013_results"), ("schools", None)]
AFTER = [("sessions_app", "0014_teams")]


@pytest.fixture
def faculty(db):
    return make_faculty()


def test_an_event_is_never_changed_nor_deleted(faculty):
    change = services.apply_vitals(faculty["session"].pk, vitals.DEFAULT_VALUES, trainer=faculty["owner"])
    event = change.event
    event.heart_rate = 200
    with pytest.raises(EventsAreFinal):
        event.save()
    with pytest.raises(EventsAreFinal):
        event.delete()
    assert SessionEvent.objects.get().heart_rate == vitals.DEFAULT_VALUES["heart_rate"]


@pytest.mark.parametrize("seconds", [0, 30], ids=["instant", "trend"])
def test_a_change_is_never_dated_before_the_newest_event(faculty, seconds):
    """Times come from each process's clock: a change that reaches the row lock after another
    is dated after it, whatever its own clock said, so the newest event is the last values.
    (An instant change is one statement, a trend the locked transaction: both hold it.)"""
    session, now = faculty["session"], timezone.now()
    later = services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, trainer=faculty["owner"], now=now)
    earlier_clock = {**vitals.DEFAULT_VALUES, "heart_rate": 140}
    change = services.apply_vitals(
        session.pk, earlier_clock, transition_seconds=seconds, trainer=faculty["cotrainer"],
        now=now - datetime.timedelta(seconds=1),
    )
    assert change.event.created_at > later.event.created_at
    newest = session.events.order_by("-created_at").first()
    assert newest.pk == change.event.pk and newest.values["heart_rate"] == 140
    session.refresh_from_db()
    assert session.last_values["heart_rate"] == 140
    assert change.event.message()["at"] == newest.created_at.isoformat()


def test_the_admin_shows_the_author_and_edits_nothing(faculty, staff_client):
    session = faculty["session"]
    event = services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, trainer=faculty["cotrainer"]).event
    listing = staff_client.get(reverse("admin:sessions_app_sessionevent_changelist")).content.decode()
    assert "Carole Petit" in listing
    url = reverse("admin:sessions_app_sessionevent_change", args=[event.pk])
    assert staff_client.post(url, {"heart_rate": 1}).status_code == 403
    delete = reverse("admin:sessions_app_sessionevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert SessionEvent.objects.get().heart_rate == vitals.DEFAULT_VALUES["heart_rate"]


def test_the_debrief_and_csv_name_each_author(client, faculty):
    session = faculty["session"]
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, trainer=faculty["owner"])
    services.start_nibp(session.pk, screen={"id": "0123456789abcdef", "name": "Bed 3"})
    services.add_note(session, "Good teamwork", author=faculty["observer"])
    client.force_login(faculty["school_admin"])
    page = client.get(reverse("sessions:debrief", args=[session.pk])).content.decode()
    for author in ("Alice Martin", "Screen “Bed 3”", "Olivier Roux"):
        assert author in page
    team = page[page.index('id="debrief-team"'):].split("</dd>")[0]
    assert "Carole Petit" in team and "co-trainer" in team and "Hôpital Nord" in team
    export = client.get(reverse("sessions:export", args=[session.pk])).getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [row["author"] for row in rows] == ["Alice Martin", "Screen “Bed 3”", "Olivier Roux"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_every_existing_row_its_author():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE[:1]).apps
    Trainer = old.get_model("trainers", "Trainer")
    Session = old.get_model("sessions_app", "Session")
    Event = old.get_model("sessions_app", "SessionEvent")
    Note = old.get_model("sessions_app", "SessionNote")
    owner = Trainer.objects.create(email="old@example.org", password="!")
    now = timezone.now()
    session = Session.objects.create(
        trainer=owner, code="OLD234", trainee_name="Sam", created_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )  # fmt: skip
    screen = {"id": "abc123", "name": "Bed 1", "device": "tablet", "browser": "Safari"}
    Event.objects.create(session=session, kind="vitals", heart_rate=80, created_at=now)
    Event.objects.create(session=session, kind="alarms_silenced", detail={"until": "x"}, created_at=now)
    Event.objects.create(
        session=session, kind="shock", detail={"screen": screen, "by_trainer": False}, created_at=now
    )
    Event.objects.create(session=session, kind="nibp_started", detail={"by_trainer": True}, created_at=now)
    Note.objects.create(session=session, text="Kept", at=now)
    MigrationExecutor(connection).migrate(AFTER)
    MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    authors = {
        event.kind: (event.author_id, event.screen_id, event.screen_label)
        for event in SessionEvent.objects.all()
    }
    assert authors == {
        "vitals": (owner.pk, "", ""),
        "alarms_silenced": (None, "", ""),
        "shock": (None, "abc123", "Bed 1"),
        "nibp_started": (owner.pk, "", ""),
    }
    assert SessionNote.objects.get().author_id == owner.pk
    assert SessionEvent.objects.count() == 4
