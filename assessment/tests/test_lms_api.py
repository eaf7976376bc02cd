"""What the school's learning platform fetches with a bearer key: one session's statements and
the list of those of the sessions that ended since a time, page by page."""

import datetime
import json

import pytest
from django.test import Client
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import lms
from assessment.tests.runs import make_run, make_template
from assessment.tests.xapi_check import check_statement
from shiller.tests.factory import T0, later, make_faculty

pytestmark = pytest.mark.django_db

NOW = later(3600)  # an hour after the runs started: all but the open one ended


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def template(alice):
    return make_template(alice)


@pytest.fixture
def runs(alice, template):
    """Three of alice's runs that ended at 15, 20 and 25 minutes, and one still going."""
    return [
        make_run(alice, template, f"RUN00{number}", steps=[30], logged=[(50, "help")],
                 ended=ended)
        for number, ended in enumerate([900, 1200, 1500, None], start=1)
    ]  # fmt: skip


@pytest.fixture
def key(alice):
    return lms.create_token(alice, "Moodle")[1]


def fetch(client, url, key=None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.get(url, params, headers=headers)


def statements_url():
    return reverse("assessment:lms_statements")


def session_url(session):
    return reverse("assessment:lms_session_statements", args=[session.pk])


def registrations(data) -> list[str]:
    seen = []
    for statement in data["statements"]:
        if statement["context"]["registration"] not in seen:
            seen.append(statement["context"]["registration"])
    return seen


def test_it_asks_for_a_key(client, runs):
    r = fetch(client, session_url(runs[0]))
    assert r.status_code == 401
    assert r["WWW-Authenticate"] == 'Bearer realm="shiller-xapi"'
    assert r.json() == {
        "error": "Send an LMS key: Authorization: Bearer <key>.",
        "status": 401,
    }


def test_a_logged_in_browser_without_a_key_gets_nothing(alice_client, runs):
    """The cookie session opens none of these URLs: no other site can have a trainer's
    browser fetch them."""
    r = fetch(alice_client, statements_url())
    assert r.status_code == 401
    assert "statements" not in r.json()


def test_it_refuses_an_unknown_key(client, runs, key):
    r = fetch(client, session_url(runs[0]), key + "x")
    assert r.status_code == 401
    assert r.json()["error"] == "This LMS key is unknown or was revoked."


def test_it_refuses_a_revoked_key(client, alice, runs, key):
    [token] = lms.active_tokens(alice)
    assert lms.revoke(alice, token.pk)
    r = fetch(client, statements_url(), key)
    assert r.status_code == 401
    assert r.json()["error"] == "This LMS key is unknown or was revoked."


def test_a_deactivated_owners_key_is_forbidden(client, alice, runs, key):
    alice.is_active = False
    alice.save()
    r = fetch(client, statements_url(), key)
    assert r.status_code == 403
    assert r.json()["error"] == "The owner of this LMS key can no longer log in."


def test_another_trainers_session_is_no_session(client, bob, runs):
    bobs_key = lms.create_token(bob, "Bob's LMS")[1]
    r = fetch(client, session_url(runs[0]), bobs_key)
    assert r.status_code == 404
    assert r.json() == {"error": "No such session among those this key opens.", "status": 404}
    # Nor is it in bob's list.
    assert fetch(client, statements_url(), bobs_key).json() == {"statements": [], "more": ""}


def test_it_gives_an_ended_sessions_statements(client, runs, key):
    r = fetch(client, session_url(runs[0]), key)
    assert r.status_code == 200
    assert r["Content-Type"] == "application/json"
    assert r["X-Experience-API-Version"] == "1.0.3"
    assert r["Cache-Control"] == "no-store"
    data = r.json()
    assert data["more"] == ""
    # Help on time; the shock and the cultures missed (due at 150 s); 2 points of 6: failed.
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in data["statements"]] == [
        "attempted", "completed", "failed", "failed", "completed", "failed"
    ]  # fmt: skip
    for statement in data["statements"]:
        check_statement(statement)
    assert data["statements"][0]["actor"]["account"]["homePage"] == "http://testserver"
    assert "Alex" not in r.content.decode()
    # Fetched again: the same statements, ids included.
    assert fetch(client, session_url(runs[0]), key).json() == data


def test_a_running_session_is_not_final_yet(client, runs, key):
    r = fetch(client, session_url(runs[3]), key)
    assert r.status_code == 409
    assert "still running" in r.json()["error"]


def test_the_list_pages_through_the_ended_sessions_oldest_end_first(client, runs, key):
    r = fetch(client, statements_url(), key, limit=2)
    assert r.status_code == 200
    first = r.json()
    assert registrations(first) == [str(runs[0].pk), str(runs[1].pk)]
    assert first["more"].startswith(statements_url() + "?")
    second = client.get(first["more"], headers={"Authorization": f"Bearer {key}"}).json()
    assert registrations(second) == [str(runs[2].pk)]
    assert second["more"] == ""
    for statement in first["statements"] + second["statements"]:
        check_statement(statement)


def test_the_list_starts_after_since(client, runs, key):
    since = (T0 + datetime.timedelta(seconds=1000)).isoformat()
    data = fetch(client, statements_url(), key, since=since).json()
    assert registrations(data) == [str(runs[1].pk), str(runs[2].pk)]
    assert fetch(client, statements_url(), key, since=NOW.isoformat()).json() == {
        "statements": [],
        "more": "",
    }


def test_two_sessions_ending_at_the_same_moment_are_both_paged(client, alice, template, key):
    pair = [make_run(alice, template, code, ended=900) for code in ("SAME01", "SAME02")]
    first = fetch(client, statements_url(), key, limit=1).json()
    second = client.get(first["more"], headers={"Authorization": f"Bearer {key}"}).json()
    assert sorted(registrations(first) + registrations(second)) == sorted(
        str(run.pk) for run in pair
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"since": "yesterday"}, "since is an ISO 8601 time"),
        ({"since": "2026-11-24T09:00:00"}, "since is an ISO 8601 time"),
        ({"limit": "0"}, "limit is a number from 1 to 100."),
        ({"limit": "many"}, "limit is a number from 1 to 100."),
        ({"since": "2026-11-24T09:00:00Z", "after": "nope"}, "after is the id of a session"),
    ],
)
def test_it_refuses_malformed_parameters(client, runs, key, params, message):
    r = fetch(client, statements_url(), key, **params)
    assert r.status_code == 400
    assert r.json()["error"].startswith(message)


def test_it_answers_in_the_platforms_language(client, runs):
    r = client.get(statements_url(), headers={"Accept-Language": "fr"})
    assert r.status_code == 401
    assert r.json()["error"] == "Envoyez une clé LMS : Authorization: Bearer <clé>."


def test_it_is_read_only(runs, key):
    # As a browser or a platform posts: with Django's CSRF check on, which a key needs not.
    client = Client(enforce_csrf_checks=True)
    r = client.post(statements_url(), {}, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 405
    assert r["Allow"] == "GET"
    assert r.json()["error"] == "Only GET: these URLs are read, never written."


def test_a_time_of_the_right_shape_but_no_real_time_is_a_400(client, runs, key):
    r = fetch(client, statements_url(), key, since="9999-99-99T99:99:99Z")
    assert r.status_code == 400
    assert r.json()["error"].startswith("since is an ISO 8601 time")


def test_a_school_admins_key_opens_the_schools_sessions(client):
    with time_machine.travel(T0, tick=False):
        faculty = make_faculty(now=T0)
    session = faculty["session"]
    session.closed_at = later(600)
    session.save()
    admins = lms.create_token(faculty["school_admin"], "School LMS")[1]
    others = lms.create_token(faculty["other_school"], "Elsewhere")[1]
    assert fetch(client, session_url(session), admins).status_code == 200
    assert registrations(fetch(client, statements_url(), admins).json()) == [str(session.pk)]
    assert fetch(client, session_url(session), others).status_code == 404


def test_it_notes_when_a_key_was_last_used(client, alice, runs, key):
    fetch(client, statements_url(), key)
    [token] = lms.active_tokens(alice)
    assert token.last_used_at == NOW


def test_the_debriefs_download(alice_client, runs):
    session = runs[0]
    r = alice_client.get(reverse("assessment:xapi", args=[session.pk]))
    assert r.status_code == 200
    assert r["Content-Disposition"] == 'attachment; filename="shiller-RUN001-2026-11-24-xapi.json"'
    statements = json.loads(r.content)
    assert len(statements) == 6
    for statement in statements:
        check_statement(statement)
    assert "Alex" not in r.content.decode()


def test_the_download_is_the_sessions_team_only(bob_client, runs):
    assert bob_client.get(reverse("assessment:xapi", args=[runs[0].pk])).status_code == 404


def test_the_download_asks_to_log_in(client, runs):
    r = client.get(reverse("assessment:xapi", args=[runs[0].pk]))
    assert r.status_code == 302 and r.url.startswith(reverse("login"))


@pytest.mark.parametrize("language, label", [("en", "Download xAPI"), ("fr", "Télécharger xAPI")])
def test_the_debrief_links_the_download(alice_client, runs, language, label):
    url = reverse("sessions:debrief", args=[runs[0].pk])
    page = alice_client.get(url, headers={"Accept-Language": language}).content.decode()
    href = reverse("assessment:xapi", args=[runs[0].pk])
    assert f'href="{href}" id="export-xapi" download' in page
    assert f">{label}</a>" in page


def test_a_page_costs_the_same_queries_whatever_its_sessions(client, runs, key):
    fetch(client, statements_url(), key)  # the key's first use is stamped once
    with CaptureQueriesContext(connection) as one:
        assert len(registrations(fetch(client, statements_url(), key, limit=1).json())) == 1
    with CaptureQueriesContext(connection) as three:
        assert len(registrations(fetch(client, statements_url(), key, limit=3).json())) == 3
    assert len(three) == len(one)
