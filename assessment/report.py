"""An assessment as the pages show it: the debrief's section, in the page's language.

Times read as the debrief's (mm:ss since the start), durations as expected.duration_text says.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment import expected, scoring
from sessions_app import debrief
from simulator import vitals

STATUS_LABELS = {
    scoring.ON_TIME: gettext_lazy("on time"),
    scoring.LATE: gettext_lazy("late"),
    scoring.EARLY: gettext_lazy("early"),
    scoring.MISSED: gettext_lazy("missed"),
    scoring.PENDING: gettext_lazy("pending"),
    scoring.NOT_REACHED: gettext_lazy("not reached"),
}


def outcome_text(outcome: scoring.Outcome) -> str:
    """The status as a sentence: "late by 50 s", "early by 20 s", "on time"..."""
    label = str(STATUS_LABELS[outcome.status])
    if outcome.status == scoring.LATE:
        return _("late by %(time)s") % {"time": expected.duration_text(outcome.late_seconds)}
    if outcome.status == scoring.EARLY:
        return _("early by %(time)s") % {"time": expected.duration_text(outcome.late_seconds)}
    return label


def signed_offset(seconds: float) -> str:
    """mm:ss from an anchor, "−" before it."""
    sign = "−" if seconds < 0 else "+"
    return sign + debrief.format_offset(abs(seconds))


def outcome_rows(line: debrief.Timeline, assessment: scoring.Assessment) -> list[dict]:
    """One row per expected action: what it was, what it counts from, and how it went."""
    rows = []
    for outcome in assessment.outcomes:
        done, anchor = outcome.done_at, outcome.anchor_at
        if outcome.how == scoring.RECOGNISED:
            by = _("recognised")
        elif outcome.logged is not None and outcome.logged.author_id:
            by = outcome.logged.author.display_name
        else:
            by = ""
        rows.append(
            {
                "outcome": outcome,
                "name": expected.display_name(outcome.expected, expected.translator(line.session.template)),
                "step": None if outcome.step is None else outcome.step + 1,
                "target": expected.target_text(outcome.expected),
                "status": outcome.status,
                "status_text": outcome_text(outcome),
                "done_offset": None if done is None else debrief.format_offset(line.seconds(done)),
                "from_anchor": (
                    None if done is None or anchor is None
                    else signed_offset((done - anchor).total_seconds())
                ),  # fmt: skip
                "by": by,
                "critical": outcome.expected.get("critical"),
                "points": outcome.points if outcome.scored else None,
            }
        )
    return rows


def section(line: debrief.Timeline, assessment: scoring.Assessment) -> dict:
    """The debrief's assessment section."""
    return {
        "assessment": assessment,
        "outcomes": outcome_rows(line, assessment),
        "unexpected": [
            {
                "offset": debrief.format_offset(line.seconds(action.at)),
                "name": action.name,
                "step": None if action.step is None else action.step + 1,
                "by": action.author.display_name if action.author_id else "",
            }
            for action in assessment.unexpected
        ],
        "out_of_range": [
            {"field": name, "label": vitals.LABELS[name], "text": expected.duration_text(seconds),
             "seconds": seconds}
            for name, seconds in assessment.out_of_range.items()
        ],  # fmt: skip
        "has_expected": bool(assessment.outcomes),
    }
