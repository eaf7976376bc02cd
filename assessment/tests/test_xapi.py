"""A session as xAPI statements (assessment/xapi.py), against the standard's required fields."""

import json

import pytest

from assessment import xapi
from assessment.tests.runs import log, make_run, make_template
from assessment.tests.xapi_check import check_statement
from library.models import SessionTemplate
from schools.models import School
from shiller.tests.factory import later, make_session

pytestmark = pytest.mark.django_db

BASE = "https://sim.example.org"
EXT = f"{BASE}/xapi/extensions/"


@pytest.fixture
def template(alice):
    return make_template(alice)


@pytest.fixture
def good_run(alice, template):
    """Steps at 30 and 300 s, a shock at 100 s (recognised), help on time, cultures 50 s late,
    noradrenaline after step 2, an unexpected action and help logged a second time."""
    return make_run(
        alice, template, "RUN001", steps=[30, 300], shocks=[100],
        logged=[(50, "help"), (200, "cultures"), (320, "norad"), (400, "Oxygen 15 L/min"),
                (410, "help")],
    )  # fmt: skip


def by_object(statements, suffix):
    return [s for s in statements if s["object"]["id"].endswith(suffix)]


def verbs(statements):
    return [s["verb"]["id"].rsplit("/", 1)[1] for s in statements]


def test_every_statement_has_the_standards_required_fields(good_run):
    statements = xapi.statements(good_run, BASE)
    assert len(statements) == 9
    for statement in statements:
        check_statement(statement)


def test_a_run_is_attempted_its_actions_completed_then_it_is_completed_and_passed(good_run):
    statements = xapi.statements(good_run, BASE)
    assert verbs(statements) == [
        "attempted",  # 00:00
        "completed",  # help, 50 s
        "completed",  # the first shock, recognised at 100 s
        "completed",  # cultures, 200 s
        "completed",  # noradrenaline, 320 s
        "completed",  # the unexpected oxygen, 400 s
        "completed",  # help again, 410 s
        "completed",  # the session, 900 s
        "passed",  # 7 of 8 points: 88 % >= 70 %
    ]
    assert statements[0]["verb"] == {
        "id": "http://adlnet.gov/expapi/verbs/attempted",
        "display": {"en": "attempted", "fr": "a tenté"},
    }
    assert statements[0]["timestamp"] == "2026-11-24T09:00:00.000Z"
    passed = statements[-1]
    assert passed["result"]["score"] == {"scaled": 0.88, "raw": 7, "min": -5, "max": 8}
    assert passed["result"]["success"] is True
    assert passed["result"]["duration"] == "PT15M"
    assert passed["timestamp"] == "2026-11-24T09:15:00.000Z"
    assert passed["object"]["id"] == f"{BASE}/xapi/activities/templates/{good_run.template_id}"
    assert passed["object"]["definition"]["name"] == {"und": "Septic shock drill"}


def test_each_action_says_on_time_late_or_how_it_was_done(good_run):
    statements = xapi.statements(good_run, BASE)
    scenario = f"{BASE}/xapi/activities/templates/{good_run.template_id}"
    [cultures] = by_object(statements, "/actions/cultures")
    assert cultures["result"] == {
        "success": False,
        "completion": True,
        "duration": "PT2M50S",  # 170 s after step 1
        "extensions": {EXT + "timing": "late", EXT + "points": 1, EXT + "late-seconds": 50,
                       EXT + "how": "logged"},
    }  # fmt: skip
    assert cultures["object"]["definition"]["extensions"] == {
        EXT + "counts-from": "step", EXT + "target-seconds": 120, EXT + "critical": False,
        EXT + "step": 1,
    }  # fmt: skip
    assert cultures["context"]["contextActivities"]["parent"] == [
        {"objectType": "Activity", "id": scenario}
    ]
    assert cultures["context"]["registration"] == str(good_run.pk)
    assert cultures["timestamp"] == later(200).isoformat().replace("+00:00", ".000Z")
    [shock] = by_object(statements, "/actions/shock1")
    assert shock["result"]["success"] is True
    assert shock["result"]["extensions"][EXT + "how"] == "recognised"
    assert shock["result"]["extensions"][EXT + "timing"] == "on_time"
    first_help, again = by_object(statements, "/actions/help")
    assert first_help["result"]["extensions"][EXT + "timing"] == "on_time"
    assert again["result"]["extensions"] == {EXT + "timing": "repeated"}
    [oxygen] = [s for s in statements if "/actions/unexpected/" in s["object"]["id"]]
    assert oxygen["object"]["definition"]["name"] == {"und": "Oxygen 15 L/min"}
    assert oxygen["result"]["extensions"] == {EXT + "timing": "unexpected"}
    # Not reached (one shock of three): nothing to say of the adrenaline.
    assert by_object(statements, "/actions/adren") == []


def test_a_run_with_a_critical_action_missed_fails(alice, template):
    run = make_run(alice, template, "RUN002", steps=[30, 300])
    statements = xapi.statements(run, BASE)
    for statement in statements:
        check_statement(statement)
    assert verbs(statements)[-1] == "failed"
    failed = statements[-1]
    # -5 points (the critical shock missed), shown as 0 % like the debrief's.
    assert failed["result"]["score"] == {"scaled": 0.0, "raw": -5, "min": -5, "max": 8}
    assert failed["result"]["success"] is False
    assert failed["result"]["extensions"] == {EXT + "critical-missed": 1}
    [shock] = by_object(statements, "/actions/shock1")
    assert shock["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert shock["result"]["completion"] is False
    assert shock["result"]["extensions"][EXT + "timing"] == "missed"
    # Due at 150 s (120 after the first step).
    assert shock["timestamp"] == "2026-11-24T09:02:30.000Z"


def test_an_undone_action_is_not_a_statement(alice, template):
    run = make_run(alice, template, "RUN003", steps=[30, 300], ended=None)
    oxygen = log(run, 40, "", "Oxygen")
    log(run, 45, "", "Oxygen", undoes=oxygen)
    statements = xapi.statements(run, BASE, now=later(60))
    assert "Oxygen" not in json.dumps(statements)


def test_a_running_session_is_attempted_without_missed_actions_or_a_result(alice, template):
    run = make_run(alice, template, "RUN004", steps=[30], logged=[(50, "help")], ended=None)
    statements = xapi.statements(run, BASE, now=later(400))
    # The first shock fell due at 150 s, but the run goes on: no "failed" until it ends.
    assert verbs(statements) == ["attempted", "completed"]


def test_no_trainee_name_anywhere(good_run):
    text = json.dumps(xapi.statements(good_run, BASE), ensure_ascii=False)
    assert good_run.trainee_name == "Alex Doe"
    assert "Alex" not in text
    assert str(good_run.trainer_id) not in text and "alice" not in text


def test_the_actor_is_an_opaque_account_of_the_session(alice, template, good_run):
    other = make_run(alice, template, "RUN005", steps=[30])
    actor = xapi.statements(good_run, BASE)[0]["actor"]
    assert actor == {
        "objectType": "Agent",
        "account": {"homePage": BASE, "name": xapi.actor_name(good_run)},
    }
    assert len(actor["account"]["name"]) == 32
    assert str(good_run.pk).replace("-", "") not in actor["account"]["name"]
    assert xapi.actor_name(other) != xapi.actor_name(good_run)


def test_the_same_session_gives_the_same_statement_ids(good_run):
    first = xapi.statements(good_run, BASE)
    again = xapi.statements(good_run, BASE)
    assert first == again
    ids = [statement["id"] for statement in first]
    assert len(set(ids)) == len(ids)


def test_the_same_ids_whatever_language_the_page_is_in(good_run, settings):
    from django.utils import translation

    with translation.override("fr"):
        french = xapi.statements(good_run, BASE)
    assert french == xapi.statements(good_run, BASE)


def test_a_shipped_template_is_named_in_every_language(alice):
    shipped = SessionTemplate.objects.get(trainer=None, name="Septic shock")
    session = make_session(alice, template=shipped, template_version=shipped.version)
    [attempted] = xapi.statements(session, BASE)
    assert attempted["object"]["definition"]["name"] == {
        "en": "Septic shock",
        "fr": "Choc septique",
    }
    assert attempted["context"]["extensions"] == {EXT + "template-version": shipped.version}


def test_a_session_without_a_template_and_its_school(alice):
    school = School.objects.create(name="Hôpital Nord")
    session = make_session(alice, school=school)
    [attempted] = xapi.statements(session, BASE)
    check_statement(attempted)
    assert attempted["object"]["id"] == f"{BASE}/xapi/activities/free-session"
    assert attempted["context"]["contextActivities"]["grouping"] == [
        {
            "objectType": "Activity",
            "id": f"{BASE}/xapi/activities/schools/{school.pk}",
            "definition": {"name": {"und": "Hôpital Nord"}},
        }
    ]


@pytest.mark.parametrize(
    "seconds, expected",
    [(0, "PT0S"), (50, "PT50S"), (170, "PT2M50S"), (3600, "PT1H"), (3725.5, "PT1H2M5.5S")],
)
def test_durations_are_iso_8601(seconds, expected):
    assert xapi.duration(seconds) == expected
