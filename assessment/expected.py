"""What a scenario expects the trainee to do, and how a template scores it (issue 18).

A template lists expected actions for the whole scenario and for each step; a session copies
them when it starts (Session.expected_actions, and each of Session.steps), so editing the
template later changes neither a run nor its score. One expected action:

    {"key": "a1b2c3d4",        # stable within the template: logged actions name it
     "name": "IM adrenaline 0.5 mg",
     "from": "scenario" | "step" | "shock",   # what its target time counts from
     "shock_number": 3,        # with "shock": the nth shock delivered
     "target_seconds": 120,    # None: any time counts as on time
     "critical": False,        # missing it costs scoring["critical_missed"] on top
     "recognise": None | "first_shock" | "first_nibp" | "pacing_started" | "cpr_started"}

"scenario" counts from the first step applied (the session's start without one); "step" from
the moment its step was first applied (a step never reached is not scored).
"""

import uuid

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from simulator import vitals

# Done without a tap: what the session's own events say (assessment/scoring.py reads them).
RECOGNISED = {
    "first_shock": gettext_lazy("First shock delivered"),
    "first_nibp": gettext_lazy("First cuff measurement"),
    "pacing_started": gettext_lazy("Pacing started"),
    "cpr_started": gettext_lazy("CPR started"),
}
ANCHORS = ("scenario", "step", "shock")
MAX_ACTIONS = 30
MAX_NAME = 120
MAX_TARGET_SECONDS = 24 * 3600
MAX_SHOCK_NUMBER = 20

DEFAULT_SCORING = {
    "on_time": 2,
    "late": 1,
    "missed": 0,
    "critical_missed": -5,
    "pass_percent": 70,
}
SCORING_LIMITS = {
    "on_time": (0, 100),
    "late": (-100, 100),
    "missed": (-100, 100),
    "critical_missed": (-100, 0),
    "pass_percent": (0, 100),
}


def default_scoring() -> dict:
    return dict(DEFAULT_SCORING)


def new_key() -> str:
    return uuid.uuid4().hex[:8]


def _int(value, low, high) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def clean_expected_actions(actions, *, in_step: bool) -> list[dict]:
    """Each expected action in its one shape; VitalsError({field: message}) when one is not.

    `in_step`: the list belongs to a step (its actions may count from the step)."""
    if not isinstance(actions, list):
        raise vitals.VitalsError({"expected_actions": _("Expected actions come as a list.")})
    if len(actions) > MAX_ACTIONS:
        raise vitals.VitalsError(
            {"expected_actions": _("At most %(max)s expected actions.") % {"max": MAX_ACTIONS}}
        )
    clean, errors = [], {}
    for number, action in enumerate(actions, start=1):
        prefix = f"expected_actions.{number}"
        if not isinstance(action, dict):
            errors[prefix] = _("An expected action is missing its parts.")
            continue
        name = action.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name or len(name) > MAX_NAME:
            errors[f"{prefix}.name"] = _("Name the action (at most %(max)s characters).") % {
                "max": MAX_NAME
            }
        anchor = action.get("from") or ("step" if in_step else "scenario")
        if anchor not in ANCHORS or (anchor == "step" and not in_step):
            errors[f"{prefix}.from"] = _("Count from the scenario, the step or a shock.")
        shock_number = None
        if anchor == "shock":
            shock_number = _int(action.get("shock_number"), 1, MAX_SHOCK_NUMBER)
            if shock_number is None:
                errors[f"{prefix}.shock_number"] = _("After shock 1 to %(max)s.") % {
                    "max": MAX_SHOCK_NUMBER
                }
        target = action.get("target_seconds")
        if target is not None:
            target = _int(target, 1, MAX_TARGET_SECONDS)
            if target is None:
                errors[f"{prefix}.target_seconds"] = _(
                    "The target time is from 1 second to 24 hours, or none."
                )
        recognise = action.get("recognise")
        if recognise is not None and recognise not in RECOGNISED:
            errors[f"{prefix}.recognise"] = _("Shiller does not recognise this action.")
        critical = action.get("critical", False)
        if critical not in (True, False):
            errors[f"{prefix}.critical"] = _("Critical or not.")
        key = action.get("key")
        if not isinstance(key, str) or not key.isalnum() or len(key) > 16:
            key = new_key()
        clean.append(
            {
                "key": key,
                "name": name,
                "from": anchor,
                "shock_number": shock_number,
                "target_seconds": target,
                "critical": critical is True,
                "recognise": recognise,
            }
        )
    if errors:
        raise vitals.VitalsError(errors)
    return clean


def clean_scoring(scoring) -> dict:
    """A template's points per outcome and its pass mark; VitalsError when one is off."""
    if scoring is None:
        return default_scoring()
    if not isinstance(scoring, dict):
        raise vitals.VitalsError({"scoring": _("The scoring is missing its parts.")})
    clean, errors = {}, {}
    for name, (low, high) in SCORING_LIMITS.items():
        value = _int(scoring.get(name, DEFAULT_SCORING[name]), low, high)
        if value is None:
            errors[f"scoring.{name}"] = _("From %(low)s to %(high)s.") % {"low": low, "high": high}
        clean[name] = value
    if errors:
        raise vitals.VitalsError(errors)
    return clean


def unique_keys(scenario: list[dict], steps: list[list[dict]]) -> None:
    """Give a new key to any action whose key an earlier one in the template already took
    (a copied row in the editor), so that a logged action names exactly one."""
    seen = set()
    for action in [*scenario, *(action for step in steps for action in step)]:
        while action["key"] in seen:
            action["key"] = new_key()
        seen.add(action["key"])


def of_session(session) -> list[tuple[int | None, dict]]:
    """The expected actions a session copied when it started, each with its step's index
    (None: the whole scenario's)."""
    found = [(None, action) for action in session.expected_actions or []]
    for index, step in enumerate(session.steps or []):
        found += [(index, action) for action in step.get("expected_actions", [])]
    return found


def by_key(session) -> dict[str, dict]:
    """The session's expected actions by key (unique_keys made them unique in the template)."""
    return {action["key"]: action for _step, action in of_session(session)}


def display_name(action: dict, translate=str) -> str:
    """An expected action's name as a page shows it. `translate`: the template's shipped_text
    (SessionTemplate.shipped_text) for a template or a session started from one, so that a
    shipped template's names (stored in English, library migration 0008) read in the page's
    language and a trainer's own never change; `str` without a template."""
    return translate(action["name"])


def translator(template):
    """The `translate` display_name takes for actions copied from `template` (None: none)."""
    return template.shipped_text if template is not None else str


def duration_text(seconds: float) -> str:
    """A length of time for people: "45 s", "2 min", "2 min 05 s", "1 h 02 min"."""
    seconds = max(round(seconds), 0)
    if seconds < 60:
        return _("%(seconds)d s") % {"seconds": seconds}
    if seconds < 3600 and seconds % 60 == 0:
        return _("%(minutes)d min") % {"minutes": seconds // 60}
    if seconds < 3600:
        return _("%(minutes)d min %(seconds)02d s") % {"minutes": seconds // 60, "seconds": seconds % 60}
    return _("%(hours)d h %(minutes)02d min") % {"hours": seconds // 3600, "minutes": seconds % 3600 // 60}


def target_text(action: dict) -> str:
    """When an action is due, in the active language: "within 2 min of the step's start",
    "after shock 3", "any time"."""
    anchor = {
        "scenario": _("the scenario's start"),
        "step": _("the step's start"),
        "shock": _("shock %(number)s") % {"number": action.get("shock_number")},
    }[action["from"]]
    if action["target_seconds"] is None:
        if action["from"] == "shock":
            return _("after %(anchor)s") % {"anchor": anchor}
        return _("any time")
    return _("within %(time)s of %(anchor)s") % {
        "time": duration_text(action["target_seconds"]),
        "anchor": anchor,
    }


def described(actions: list[dict], translate=str) -> list[dict]:
    """Each action as the pages list it: {"action", "name", "target", "recognised"} (the label
    of what Shiller recognises it by, or "") in the active language."""
    return [
        {
            "action": action,
            "name": display_name(action, translate),
            "target": target_text(action),
            "recognised": RECOGNISED.get(action["recognise"], ""),
        }
        for action in actions
    ]
