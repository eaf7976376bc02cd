"""The assessment of a run: each expected action's outcome, undo, the recognised actions, the
score and the time out of range (assessment/scoring.py)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessment import scoring
from assessment.tests.runs import ADRENALINE, log, make_run, make_template
from sessions_app import services
from sessions_app.models import SessionEvent
from shiller.tests.factory import T0, later, make_session
from simulator import vitals


@pytest.fixture
def template(alice):
    return make_template(alice)


def outcome(assessment, key) -> scoring.Outcome:
    return next(o for o in assessment.outcomes if o.expected["key"] == key)


def statuses(assessment) -> dict:
    return {o.expected["key"]: o.status for o in assessment.outcomes}


def test_each_action_is_on_time_late_early_missed_or_not_reached(alice, template):
    # Step 1 at 30 s, step 2 at 300 s; no shock: the adrenaline's anchor never comes.
    run = make_run(
        alice, template, "RUN001", steps=[30, 300],
        logged=[(50, "help"), (200, "cultures"), (280, "norad")],
    )  # fmt: skip
    found = scoring.assess(run)
    assert statuses(found) == {
        "help": "on_time",  # 20 s after the first step, within 60
        "shock1": "missed",  # never shocked, and the session ended
        "cultures": "late",  # 170 s after step 1, target 120
        "norad": "early",  # logged 20 s before step 2
        "adren": "not_reached",
    }
    cultures = outcome(found, "cultures")
    assert cultures.anchor_at == later(30)
    assert cultures.due_at == later(150)
    assert cultures.done_at == later(200)
    assert cultures.late_seconds == 50
    assert cultures.how == "logged" and cultures.logged.author == alice
    assert cultures.step == 0
    assert outcome(found, "norad").late_seconds == 20
    assert outcome(found, "help").step is None


def test_an_open_run_leaves_what_is_not_yet_due_pending(alice, template):
    run = make_run(alice, template, "RUN002", steps=[30, 60], ended=None)
    found = scoring.assess(run, now=later(100))
    # Help was due at 90 s: missed; the first shock is due at 150 s, cultures at 150 s;
    # noradrenaline has no target, so it is never due while the run goes on.
    assert statuses(found) == {
        "help": "missed",
        "shock1": "pending",
        "cultures": "pending",
        "norad": "pending",
        "adren": "not_reached",
    }
    assert found.max_score == 2  # only help is scored
    assert found.score == 0 and found.percent == 0 and found.passed is False


def test_the_scenario_counts_from_the_start_without_a_step(alice, template):
    run = make_run(alice, template, "RUN003", logged=[(59, "help")])
    help_ = outcome(scoring.assess(run), "help")
    assert help_.anchor_at == T0 and help_.status == "on_time"


def test_a_shock_anchor_counts_from_the_nth_shock(alice, template):
    run = make_run(
        alice, template, "RUN004", steps=[0, 10], shocks=[60, 180, 300], logged=[(400, "adren")]
    )
    adren = outcome(scoring.assess(run), "adren")
    assert adren.anchor_at == later(300)
    assert adren.status == "late" and adren.late_seconds == 40


def test_an_undone_action_is_not_done(alice, template):
    run = make_run(alice, template, "RUN005", steps=[0])
    first = log(run, 20, "help", "Call for help", author=alice)
    log(run, 25, "help", "Call for help", author=alice, undoes=first)
    again = log(run, 90, "help", "Call for help", author=alice)
    help_ = outcome(scoring.assess(run), "help")
    assert help_.logged == again
    assert help_.status == "late" and help_.late_seconds == 30


def test_an_action_undone_and_never_logged_again_is_missed(alice, template):
    run = make_run(alice, template, "RUN006", steps=[0])
    first = log(run, 20, "help", "Call for help", author=alice)
    log(run, 22, "help", "Call for help", author=alice, undoes=first)
    assert outcome(scoring.assess(run), "help").status == "missed"


@pytest.mark.parametrize(
    "kind, detail, recognise",
    [
        (SessionEvent.SHOCK, {"joules": 200}, "first_shock"),
        (SessionEvent.NIBP_STARTED, {}, "first_nibp"),
        (SessionEvent.PACER, {"on": True, "rate": 70, "ma": 80}, "pacing_started"),
        (SessionEvent.CPR, {"on": True}, "cpr_started"),
    ],
)
def test_it_recognises_actions_from_the_events(alice, kind, detail, recognise):
    template = make_template(alice)
    template.expected_actions = [
        {**ADRENALINE, "key": "seen", "from": "scenario", "target_seconds": 60, "recognise": recognise}
    ]
    template.save()
    run = make_run(alice, template, "RUN007", steps=[0], events=[(45, kind, detail)])
    seen = outcome(scoring.assess(run), "seen")
    assert (seen.status, seen.how, seen.done_at, seen.logged) == ("on_time", "recognised", later(45), None)


def test_pacing_or_cpr_turned_off_is_not_recognised_as_started(alice):
    template = make_template(alice)
    template.expected_actions = [
        {**ADRENALINE, "key": "pace", "from": "scenario", "recognise": "pacing_started"},
        {**ADRENALINE, "key": "cpr", "from": "scenario", "recognise": "cpr_started"},
    ]
    template.save()
    off = [(10, SessionEvent.PACER, {"on": False}), (20, SessionEvent.CPR, {"on": False})]
    run = make_run(alice, template, "RUN008", steps=[0], events=off)
    assert {o.status for o in scoring.assess(run).outcomes if o.step is None} == {"missed"}


def test_the_earlier_of_a_tap_and_the_event_counts(alice, template):
    run = make_run(alice, template, "RUN009", steps=[0], shocks=[100], logged=[(150, "shock1")])
    shock = outcome(scoring.assess(run), "shock1")
    assert (shock.how, shock.done_at) == ("recognised", later(100))
    run = make_run(alice, template, "RUN010", steps=[0], shocks=[100], logged=[(80, "shock1")])
    shock = outcome(scoring.assess(run), "shock1")
    assert (shock.how, shock.done_at, shock.logged.at) == ("logged", later(80), later(80))


def test_the_score_counts_each_outcome_and_critical_misses(alice, template):
    # help on time (2), shock missed and critical (0 - 5), cultures late (1), norad early
    # (scored as late: 1); adrenaline not reached (not scored).
    run = make_run(
        alice, template, "RUN011", steps=[30, 300],
        logged=[(50, "help"), (200, "cultures"), (280, "norad")],
    )  # fmt: skip
    found = scoring.assess(run)
    assert [o.points for o in found.outcomes] == [2, -5, 1, 1, 0]
    assert found.score == -1
    assert found.max_score == 8
    assert found.percent == 0  # a negative score is 0 %
    assert found.passed is False
    assert found.critical_missed == 1


def test_a_run_passes_at_the_templates_pass_mark(alice, template):
    # Everything on time but the cultures, late: 2 + 2 + 1 + 2 = 7 of 8, 88 %.
    run = make_run(
        alice, template, "RUN012", steps=[0, 100], shocks=[60],
        logged=[(10, "help"), (130, "cultures"), (110, "norad")],
    )  # fmt: skip
    found = scoring.assess(run)
    assert (found.score, found.max_score, found.percent, found.passed) == (7, 8, 88, True)
    assert found.critical_missed == 0


def test_the_templates_scoring_sets_the_points(alice, template):
    run = make_run(alice, template, "RUN013", steps=[0], logged=[(200, "help")])
    run.scoring = {**run.scoring, "late": -1, "missed": -2, "critical_missed": -10}
    found = scoring.assess(run)
    assert outcome(found, "help").points == -1
    assert outcome(found, "shock1").points == -12
    assert outcome(found, "cultures").points == -2


def test_without_expected_actions_there_is_no_score(alice):
    run = make_session(alice, now=T0)
    found = scoring.assess(run)
    assert (found.outcomes, found.score, found.max_score) == ([], 0, 0)
    assert found.percent is None and found.passed is None


def test_actions_nobody_expected_are_listed_apart(alice, template):
    run = make_run(alice, template, "RUN014", steps=[0], logged=[(30, "Oxygen 15 L"), (40, "help")])
    undone = log(run, 50, "", "Intubation", author=alice)
    log(run, 55, "", "Intubation", author=alice, undoes=undone)
    orphan = log(run, 60, "", "Fluids")
    orphan_key = type(orphan).objects.create(session=run, name="Old", expected_key="gone", at=later(70))
    found = scoring.assess(run)
    assert [row.name for row in found.unexpected] == ["Oxygen 15 L", "Fluids", "Old"]
    assert orphan_key in found.unexpected


def test_it_counts_the_seconds_each_vital_spent_out_of_range(alice):
    session = make_session(alice, now=T0)
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=later(0))
    # Heart rate 140 (above 120) from 60 s to 180 s; SpO2 80 from 120 s to 180 s.
    services.apply_vitals(session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 140}, now=later(60))
    services.apply_vitals(
        session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 140, "spo2": 80}, now=later(120)
    )
    services.apply_vitals(session.pk, vitals.DEFAULT_VALUES, now=later(180))
    services.set_alarm_limits(session.pk, {"heart_rate": [50, 130]}, now=later(150))
    services.close_session(session, now=later(300))
    assert scoring.assess(session).out_of_range == {"heart_rate": 120.0, "spo2": 60.0}


def test_the_time_out_of_range_follows_the_limits_in_force(alice):
    session = make_session(alice, now=T0)
    services.apply_vitals(session.pk, {**vitals.DEFAULT_VALUES, "heart_rate": 125}, now=later(0))
    services.set_alarm_limits(session.pk, {"heart_rate": [50, 130]}, now=later(100))
    services.close_session(session, now=later(300))
    assert scoring.assess(session).out_of_range == {"heart_rate": 100.0}


def test_assessing_many_runs_takes_a_few_queries(alice, template):
    runs = [
        make_run(alice, template, f"RUN1{n}{n}", steps=[0, 60], shocks=[90], logged=[(10, "help")])
        for n in range(5)
    ]
    with CaptureQueriesContext(connection) as queries:
        found = scoring.assess_many(runs)
    assert len(queries) == 2
    assert {statuses(a)["help"] for a in found.values()} == {"on_time"}
    with CaptureQueriesContext(connection) as queries:
        scoring.assess_many(runs, out_of_range=True)
    assert len(queries) == 2
    assert found[runs[0].pk].outcomes == scoring.assess(runs[0]).outcomes


def test_assess_reads_the_run_in_two_queries(alice, template):
    run = make_run(alice, template, "RUN020", steps=[0], logged=[(10, "help")])
    with CaptureQueriesContext(connection) as queries:
        scoring.assess(run, now=later(1000) + datetime.timedelta(days=1))
    assert len(queries) == 2
