"""How a run went against what its scenario expected: each expected action's outcome, the
unexpected actions, the time each vital spent out of range, and the score (issue 18).

Read, never written: from the session's events (the anchors, the recognised actions), its
logged actions (an undo row takes back the row it `undoes`) and, for the time out of range, the
debrief's timeline. assess() asks a constant number of queries per session; assess_many() the
same for a whole cohort.

The rules (docs in assessment/expected.py for the shape of an expected action):
- an action counts from its anchor: the scenario's first step applied (the session's start
  without one), its step's first application, or the nth shock; an anchor never reached
  leaves the action "not_reached", unscored;
- it is done by its first logged action not undone, or, when it is recognised, by the first
  event that shows it, whichever came first;
- done before its anchor: "early" (scored as late); by the anchor plus its target (or with no
  target): "on_time"; after: "late"; not done: "missed" once the session ended or the action
  fell due, else "pending" (unscored).
"""

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from assessment import expected
from assessment.expected import DEFAULT_SCORING
from assessment.models import LoggedAction
from sessions_app import debrief
from sessions_app.models import Session, SessionEvent

ON_TIME, LATE, EARLY, MISSED, PENDING, NOT_REACHED = (
    "on_time", "late", "early", "missed", "pending", "not_reached",
)  # fmt: skip
UNSCORED = (PENDING, NOT_REACHED)
LOGGED, RECOGNISED = "logged", "recognised"

# The events an anchor or a recognised action is read from (all a cohort needs of a run).
SCORED_KINDS = (SessionEvent.SHOCK, SessionEvent.NIBP_STARTED, SessionEvent.PACER, SessionEvent.CPR)


@dataclass
class Outcome:
    expected: dict  # the expected action (assessment/expected.py's shape)
    step: int | None  # its step's index; None: scenario-wide
    status: str  # ON_TIME, LATE, EARLY, MISSED, PENDING or NOT_REACHED
    anchor_at: datetime.datetime | None
    due_at: datetime.datetime | None  # anchor + target (None without a target)
    done_at: datetime.datetime | None
    late_seconds: int | None  # late or early: by how much (whole seconds, positive)
    how: str | None  # LOGGED or RECOGNISED
    logged: LoggedAction | None
    points: int

    @property
    def scored(self) -> bool:
        return self.status not in UNSCORED


@dataclass
class Assessment:
    outcomes: list[Outcome]
    # The logged actions that count (neither an undo nor undone), oldest first.
    logged: list[LoggedAction]
    unexpected: list[LoggedAction]
    out_of_range: dict[str, float]  # vital field -> seconds outside the session's alarm limits
    score: int
    max_score: int
    percent: int | None
    passed: bool | None
    critical_missed: int
    started_at: datetime.datetime  # the scenario's start, which "scenario" anchors count from
    steps_applied: dict[int, datetime.datetime]  # when each step was first applied, by index


class _Fact(NamedTuple):
    """What scoring reads of an event (debrief.Event has the same): a cohort reads only these."""

    created_at: datetime.datetime
    kind: str
    detail: dict


def assess(
    session: Session, now: datetime.datetime | None = None, *, line: debrief.Timeline | None = None
) -> Assessment:
    """The session's assessment. `line`: the debrief's timeline when it has one
    (debrief.timeline, with the logged actions), read again otherwise."""
    if line is None:
        line = debrief.timeline_of(session, debrief.events(session), now=now)
        line.actions = debrief.logged_actions(session)
    return _assess(session, line.events, _logged(line.actions), now, line)


def assess_many(
    sessions: Iterable[Session], now: datetime.datetime | None = None, *, out_of_range: bool = False
) -> dict:
    """Each session's assessment by its pk, in a constant number of queries whatever their
    number (the cohort page). Without `out_of_range` only the events scoring needs are read,
    and Assessment.out_of_range stays empty."""
    sessions = list(sessions)
    ids = [session.pk for session in sessions]
    if out_of_range:
        lines = _timelines(sessions, now)
        debrief.look_up_kept(lines.values(), "out_of_range")
        facts = {pk: line.events for pk, line in lines.items()}
    else:
        lines = {}
        facts = _scored_facts(ids)
    logged = defaultdict(list)
    rows = LoggedAction.objects.filter(session__in=ids).select_related("author").order_by("at", "id")
    for row in rows:
        logged[row.session_id].append(row)
    return {
        session.pk: _assess(
            session, facts.get(session.pk, []), _logged(logged[session.pk]), now, lines.get(session.pk)
        )
        for session in sessions
    }


def started_at(session: Session) -> datetime.datetime:
    """The scenario's start: its first step applied, else the session's opening."""
    return _Anchors(session, _scored_facts([session.pk])[session.pk]).scenario


def _scored_facts(ids: list) -> dict:
    """The events scoring reads (anchors, recognised actions) of each session, by its pk."""
    facts = defaultdict(list)
    rows = (
        SessionEvent.objects.filter(session__in=ids)
        .filter(Q(kind__in=SCORED_KINDS) | Q(detail__has_key="step"))
        .order_by("created_at", "id")
        .values_list("session_id", "created_at", "kind", "detail")
    )
    for session_id, at, kind, detail in rows:
        facts[session_id].append(_Fact(at, kind, detail))
    return facts


def _timelines(sessions: list[Session], now) -> dict:
    """The debrief's timeline of each session, their events read in one query (without notes
    and results: the time out of range needs neither)."""
    stored = debrief.events_of(SessionEvent.objects.filter(session__in=sessions))
    return {s.pk: debrief.timeline_of(s, stored.get(s.pk, []), now=now) for s in sessions}


def _logged(rows: list[LoggedAction]) -> list[LoggedAction]:
    """The effective logged actions of `rows` (oldest first): neither an undo nor undone."""
    undone = {row.undoes_id for row in rows if row.undoes_id is not None}
    return [row for row in rows if row.undoes_id is None and row.pk not in undone]


def _assess(session, facts, logged, now, line) -> Assessment:
    now = now or timezone.now()
    scoring = scoring_of(session)
    anchors = _Anchors(session, facts)
    recognised = _recognised(facts)
    first_logged = {}
    for row in logged:
        first_logged.setdefault(row.expected_key, row)
    ended = not session.is_open(now)
    outcomes = []
    for step, action in expected.of_session(session):
        anchor = anchors.of(action, step)
        target = action.get("target_seconds")
        due = None if anchor is None or target is None else anchor + datetime.timedelta(seconds=target)
        row = first_logged.get(action["key"])
        done, how = (row.at, LOGGED) if row is not None else (None, None)
        seen = recognised.get(action.get("recognise"))
        if seen is not None and (done is None or seen < done):
            done, how, row = seen, RECOGNISED, None
        late = None
        if anchor is None:
            status = NOT_REACHED
        elif done is not None and done < anchor:
            status, late = EARLY, _whole_seconds(anchor - done)
        elif done is not None and (due is None or done <= due):
            status = ON_TIME
        elif done is not None:
            status, late = LATE, _whole_seconds(done - due)
        elif ended or (due is not None and now > due):
            status = MISSED
        else:
            status = PENDING
        points = {ON_TIME: scoring["on_time"], LATE: scoring["late"], EARLY: scoring["late"]}.get(
            status, 0
        )
        if status == MISSED:
            points = scoring["missed"] + (scoring["critical_missed"] if action.get("critical") else 0)
        outcomes.append(Outcome(action, step, status, anchor, due, done, late, how, row, points))
    keys = {action["key"] for _step, action in expected.of_session(session)}
    scored = [outcome for outcome in outcomes if outcome.scored]
    score = sum(outcome.points for outcome in scored)
    max_score = scoring["on_time"] * len(scored)
    percent = round(100 * max(score, 0) / max_score) if max_score else None
    return Assessment(
        outcomes=outcomes,
        logged=logged,
        unexpected=[row for row in logged if row.expected_key not in keys],
        out_of_range=debrief.out_of_range(line) if line is not None else {},
        score=score,
        max_score=max_score,
        percent=percent,
        passed=None if percent is None else percent >= scoring["pass_percent"],
        critical_missed=sum(
            1 for outcome in outcomes if outcome.status == MISSED and outcome.expected.get("critical")
        ),
        started_at=anchors.scenario,
        steps_applied=anchors.steps,
    )


def scoring_of(session: Session) -> dict:
    """What each outcome scores in this session: its template's scoring, as copied."""
    return {**DEFAULT_SCORING, **(session.scoring or {})}


def _whole_seconds(delta: datetime.timedelta) -> int:
    # Up: a second late is late by 1 s, never by 0.
    return math.ceil(delta.total_seconds())


class _Anchors:
    """When each anchor was reached, from the events, oldest first."""

    def __init__(self, session, facts):
        self.steps, self.shocks = {}, []
        for fact in facts:
            if (index := fact.detail.get("step")) is not None:
                self.steps.setdefault(index, fact.created_at)
            if fact.kind == SessionEvent.SHOCK:
                self.shocks.append(fact.created_at)
        self.scenario = min(self.steps.values(), default=session.created_at)

    def of(self, action: dict, step: int | None) -> datetime.datetime | None:
        match action.get("from"):
            case "shock":
                number = action.get("shock_number") or 1
                return self.shocks[number - 1] if number <= len(self.shocks) else None
            case "step":
                return self.steps.get(step)
            case _:
                return self.scenario


def _recognised(facts) -> dict[str, datetime.datetime]:
    """When each recognised action was first seen in the events."""
    seen = {}
    for fact in facts:
        match fact.kind:
            case SessionEvent.SHOCK:
                name = "first_shock"
            case SessionEvent.NIBP_STARTED:
                name = "first_nibp"
            case SessionEvent.PACER if fact.detail.get("on"):
                name = "pacing_started"
            case SessionEvent.CPR if fact.detail.get("on"):
                name = "cpr_started"
            case _:
                continue
        seen.setdefault(name, fact.created_at)
    return seen

