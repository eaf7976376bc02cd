"""anonymise_trainees: trainee names go RETENTION_DAYS after their session ended; what happened
stays (sessions_app/privacy.py)."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from assessment.models import LoggedAction
from sessions_app import privacy
from sessions_app.models import Session, SessionEvent, SessionNote
from shiller.tests.factory import T0, make_session

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NOW = T0 + 200 * DAY


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cast(alice, settings):
    """Sessions by how long ago they ended, at the default 180 days."""
    settings.RETENTION_DAYS = 180
    old = make_session(alice, code="OLD111", now=T0, trainee_name="Alex Doe")
    Session.objects.filter(pk=old.pk).update(closed_at=T0 + datetime.timedelta(minutes=30))
    # Never closed, past its end 199 days ago: it ended then.
    expired = make_session(alice, code="EXP222", now=T0 + DAY, trainee_name="Sam Roe")
    recent = make_session(alice, code="NEW333", now=NOW - 10 * DAY, trainee_name="Kim Poe")
    Session.objects.filter(pk=recent.pk).update(closed_at=NOW - 10 * DAY)
    running = make_session(alice, code="RUN444", now=NOW, trainee_name="Lee Moe")
    SessionEvent.objects.create(
        session=old, kind=SessionEvent.NIBP_STARTED, screen_id="s1", screen_label="Alex's tablet", created_at=T0 + datetime.timedelta(minutes=5),
    )  # fmt: skip
    SessionEvent.objects.create(
        session=recent, kind=SessionEvent.NIBP_STARTED, screen_id="s2", screen_label="Kim's tablet", created_at=NOW - 10 * DAY,
    )  # fmt: skip
    LoggedAction.objects.create(session=old, name="Call for help", at=T0, author=alice)
    SessionNote.objects.create(session=old, text="Good closed-loop talk", at=T0, author=alice)
    return {"old": old, "expired": expired, "recent": recent, "running": running}


def run(*args) -> str:
    out = io.StringIO()
    call_command("anonymise_trainees", *args, stdout=out)
    return out.getvalue()


def names() -> dict:
    return dict(Session.objects.values_list("code", "trainee_name"))


def test_a_dry_run_lists_codes_and_changes_nothing(cast):
    before = names()
    out = run("--dry-run")
    assert out.splitlines() == [
        f"OLD111 {cast['old'].pk}",
        f"EXP222 {cast['expired'].pk}",
        "Would anonymise the trainee of 2 session(s) ended before 2026-12-14T09:00:00+00:00,"
        " and 1 screen name(s) typed on the join page.",
    ]
    assert "Alex" not in out and "Sam" not in out
    assert names() == before
    assert not Session.objects.filter(trainee_anonymised_at__isnull=False).exists()
    assert SessionEvent.objects.filter(screen_label="Alex's tablet").exists()


def test_old_ended_sessions_lose_the_trainees_name_and_keep_what_happened(cast):
    out = run()
    assert out.splitlines()[-1].startswith("Anonymised the trainee of 2 session(s)")
    assert "Alex" not in out
    assert names() == {"OLD111": "", "EXP222": "", "NEW333": "Kim Poe", "RUN444": "Lee Moe"}
    old = Session.objects.get(code="OLD111")
    assert old.trainee_anonymised_at == NOW
    assert old.trainee_label == "Anonymised trainee"
    # The events, the logged actions and the faculty's notes stay; only the typed screen name goes.
    [cuff] = old.events.all()
    assert cuff.screen_label == "" and cuff.screen_id == "s1" and cuff.kind == "nibp_started"
    assert old.logged_actions.count() == 1
    assert old.notes.get().text == "Good closed-loop talk"
    assert SessionEvent.objects.filter(screen_label="Kim's tablet").exists()


def test_it_is_idempotent(cast):
    run()
    stamped = Session.objects.get(code="OLD111").trainee_anonymised_at
    with time_machine.travel(NOW + DAY, tick=False):
        out = run()
    assert out.splitlines() == [
        "Anonymised the trainee of 0 session(s) ended before 2026-12-15T09:00:00+00:00,"
        " and 0 screen name(s) typed on the join page."
    ]
    assert Session.objects.get(code="OLD111").trainee_anonymised_at == stamped


def test_recent_and_running_sessions_keep_their_names_until_their_time(cast):
    run()
    assert names()["NEW333"] == "Kim Poe" and names()["RUN444"] == "Lee Moe"
    # 180 days after it ended, the recent one goes too; the running one (ended now) not yet.
    with time_machine.travel(NOW + 171 * DAY, tick=False):
        run()
    assert names()["NEW333"] == ""
    assert names()["RUN444"] == "Lee Moe"


def test_days_overrides_the_setting(cast):
    done = privacy.anonymise(days=5, dry_run=True)
    assert [code for _pk, code in done.sessions] == ["OLD111", "EXP222", "NEW333"]
    assert "--days is 1 or more." in str(pytest.raises(Exception, run, "--days", "0").value)


@pytest.mark.parametrize(
    "language, label", [("en", "Anonymised trainee"), ("fr", "Apprenant anonymisé")]
)
def test_pages_show_the_anonymised_label_in_their_language(cast, alice_client, language, label):
    run()
    old = cast["old"]
    headers = {"Accept-Language": language}
    debrief = alice_client.get(reverse("sessions:debrief", args=[old.pk]), headers=headers)
    assert f"{label} (OLD111)" in debrief.content.decode()
    listing = alice_client.get(reverse("sessions:list"), headers=headers).content.decode()
    assert f"<td>{label}</td>" in listing and "Alex" not in listing
    csv = b"".join(
        alice_client.get(
            reverse("sessions:export", args=[old.pk]), headers=headers
        ).streaming_content
    ).decode("utf-8-sig")
    assert "Alex" not in csv
