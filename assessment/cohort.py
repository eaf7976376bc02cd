"""A cohort: the runs of one scenario side by side, and the figures of each expected action
across them (issue 18). Trainee names stay out of the export: a run is its code and date.

"Time to" an action is from its anchor (the scenario's start, its step, its shock) to when it
was done, negative when done before; the spread of those times is given as the interquartile
range (the quartiles as statistics.quantiles' "inclusive" method gives them: the rule of
spreadsheets' QUARTILE.INC) and the range; "on time" is a share of the runs that scored the
action (those that reached it and are not waiting for it).
"""

import csv
import io
import statistics
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import expected, report, scoring
from library.models import SessionTemplate
from sessions_app import debrief
from sessions_app.models import Session


@dataclass
class Column:
    """An expected action as a column: the template's, or one a run had that it no longer has."""

    key: str
    name: str
    step: int | None  # the step's number, from 1; None: the scenario's


@dataclass
class Figures:
    count: int  # runs that did it, with a time
    median: float | None
    q1: float | None
    q3: float | None
    low: float | None
    high: float | None
    scored: int  # runs that scored it
    on_time: int

    @property
    def on_time_percent(self) -> int | None:
        return round(100 * self.on_time / self.scored) if self.scored else None


@dataclass
class Run:
    session: Session
    assessment: scoring.Assessment
    outcomes: dict  # key -> scoring.Outcome

    @property
    def duration_seconds(self) -> float:
        return (self.session.ended_at() - self.session.created_at).total_seconds()

    def seconds_to(self, key: str) -> float | None:
        """From the action's anchor to when it was done (None: not done, or no anchor)."""
        outcome = self.outcomes.get(key)
        if outcome is None or outcome.done_at is None or outcome.anchor_at is None:
            return None
        return (outcome.done_at - outcome.anchor_at).total_seconds()


@dataclass
class Cohort:
    template: SessionTemplate
    columns: list[Column]
    runs: list[Run]
    figures: dict  # key -> Figures


def build(template: SessionTemplate, sessions, now=None) -> Cohort:
    """The cohort of `sessions` (runs of `template`), oldest first."""
    sessions = list(sessions)
    found = scoring.assess_many(sessions, now)
    runs = []
    for session in sessions:
        assessment = found[session.pk]
        outcomes = {outcome.expected["key"]: outcome for outcome in assessment.outcomes}
        runs.append(Run(session, assessment, outcomes))
    columns = _columns(template, runs)
    return Cohort(template, columns, runs, {c.key: figures(runs, c.key) for c in columns})


def _columns(template: SessionTemplate, runs: list[Run]) -> list[Column]:
    """The template's expected actions as it stands, then those only older runs had."""
    columns = {}
    translate = expected.translator(template)
    steps = [step.expected_actions for step in template.steps.all()]
    for number, actions in [(None, template.expected_actions), *enumerate(steps, start=1)]:
        for action in actions or []:
            name = expected.display_name(action, translate)
            columns.setdefault(action["key"], Column(action["key"], name, number))
    for run in runs:
        for key, outcome in run.outcomes.items():
            step = None if outcome.step is None else outcome.step + 1
            name = expected.display_name(outcome.expected, translate)
            columns.setdefault(key, Column(key, name, step))
    return list(columns.values())


def figures(runs: list[Run], key: str) -> Figures:
    times = sorted(t for run in runs if (t := run.seconds_to(key)) is not None)
    outcomes = [run.outcomes[key] for run in runs if key in run.outcomes]
    scored = [outcome for outcome in outcomes if outcome.scored]
    on_time = sum(1 for outcome in scored if outcome.status == scoring.ON_TIME)
    if not times:
        return Figures(0, None, None, None, None, None, len(scored), on_time)
    if len(times) == 1:
        q1 = q3 = times[0]
    else:
        q1, _median, q3 = statistics.quantiles(times, n=4, method="inclusive")
    return Figures(
        len(times), statistics.median(times), q1, q3, times[0], times[-1], len(scored), on_time
    )


# The export --------------------------------------------------------------------------------


def csv_filename(template: SessionTemplate) -> str:
    day = timezone.localdate().isoformat()
    return f"shiller-cohort-{template.pk}-{day}.csv"


def csv_text(cohort: Cohort, style: debrief.CsvStyle) -> str:
    """One row per run: its code and start (never the trainee's name: it stays in the school),
    its length, each action's seconds from its anchor and outcome, the score. Numbers and
    outcomes for machines in English (identifiers); a translated export names its columns and
    outcomes in the page's language, its numbers still as machines read them."""
    out = io.StringIO()
    out.write(style.bom)
    writer = csv.writer(out, delimiter=style.delimiter)
    head = [
        ("code", _("Code")),
        ("started_at", _("Started")),
        ("duration_seconds", _("Length (seconds)")),
    ]
    for column in cohort.columns:
        head += [
            (f"{column.key}_seconds", _("%(action)s: seconds from its anchor") % {"action": column.name}),
            (f"{column.key}_outcome", _("%(action)s: outcome") % {"action": column.name}),
        ]
    head += [
        ("score", _("Score")),
        ("max_score", _("Out of")),
        ("percent", _("Percent")),
        ("passed", _("Passed")),
        ("critical_missed", _("Critical actions missed")),
    ]
    writer.writerow(debrief.safe_csv_text(label) if style.translated else name for name, label in head)
    for run in cohort.runs:
        session, found = run.session, run.assessment
        row = [
            session.code,
            timezone.localtime(session.created_at).isoformat(),
            f"{run.duration_seconds:.0f}",
        ]
        for column in cohort.columns:
            seconds = run.seconds_to(column.key)
            outcome = run.outcomes.get(column.key)
            status = "" if outcome is None else outcome.status
            if style.translated and status:
                status = str(report.STATUS_LABELS[status])
            row += ["" if seconds is None else f"{seconds:.0f}", status]
        row += [
            found.score,
            found.max_score,
            "" if found.percent is None else found.percent,
            "" if found.passed is None else ("true" if found.passed else "false"),
            found.critical_missed,
        ]
        writer.writerow(row)
    return out.getvalue()
