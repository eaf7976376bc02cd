"""A session as xAPI statements, for the school's learning platform (docs/xapi.md).

xAPI 1.0.3, Part Two "Experience API Data" (github.com/adlnet/xAPI-Spec, xAPI-Data.md): a
statement is actor / verb / object, with result, context and timestamp (§2.4). Verbs come from
the ADL vocabulary (profiles.adlnet.gov, the ADL Vocabulary profile; the ids are the
http://adlnet.gov/expapi/verbs/... ones that registry keeps). Activity types likewise
(http://adlnet.gov/expapi/activities/...).

What never leaves: the trainee's name. The actor is an opaque account (§2.4.2.4: "it SHOULD
use an opaque account name ... to identify all Statements about a person while maintaining
anonymity"), one per session, derived from the session and SECRET_KEY so that no one can work
it out from the session's id. Statement ids are uuid5 of the session and what the statement is
about, so fetching a session twice gives the same ids and an LRS stores each statement once.
"""

import datetime
import hashlib
import uuid

from django.conf import settings
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from assessment import scoring
from assessment.models import LoggedAction
from sessions_app.models import Session

# The specification the statements follow; sent as the X-Experience-API-Version header.
XAPI_VERSION = "1.0.3"
# §2.4.10: a statement's own "version", when set, MUST be 1.0.0 whatever the 1.0.x followed.
STATEMENT_VERSION = "1.0.0"
# Fixed for good: every statement id is uuid5(NAMESPACE, "<session>/<what>").
NAMESPACE = uuid.UUID("6c1f0c8e-3a53-4b8e-9d0e-5f2f1b7a9c41")

# ADL verbs (the ADL Vocabulary's ids; display: §2.4.3, a language map).
VERBS = {
    "attempted": (
        "http://adlnet.gov/expapi/verbs/attempted",
        pgettext_lazy("xAPI verb", "attempted"),
    ),
    "completed": (
        "http://adlnet.gov/expapi/verbs/completed",
        pgettext_lazy("xAPI verb", "completed"),
    ),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", pgettext_lazy("xAPI verb", "passed")),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", pgettext_lazy("xAPI verb", "failed")),
}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/interaction"

# What an action statement's result says of its timing (the "timing" extension).
DONE = (scoring.ON_TIME, scoring.LATE, scoring.EARLY)
# An effective logged action no expected action counted: not expected at all, a second log of
# one already done, or one of a step the session never reached.
UNEXPECTED = "unexpected"
REPEATED = "repeated"
NOT_SCORED = "not_scored"


def site_url(request) -> str:
    """The origin statements name: SITE_URL, else the one the request came to. Set SITE_URL
    for IRIs that stay the same whichever address a trainer or the LMS uses."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def actor_name(session: Session) -> str:
    """The session's pseudonymous learner: stable, and not computable without SECRET_KEY."""
    return salted_hmac(
        "shiller.assessment.xapi.actor", str(session.pk), algorithm="sha256"
    ).hexdigest()[:32]


def timestamp(moment: datetime.datetime) -> str:
    """ISO 8601 in UTC, to the millisecond (§2.4.7)."""
    utc = moment.astimezone(datetime.UTC).isoformat(timespec="milliseconds")
    return utc.replace("+00:00", "Z")


def duration(seconds: float) -> str:
    """An ISO 8601 duration (§4.6 of the data part): PT1H2M3.5S, to the hundredth."""
    centiseconds = round(max(seconds, 0) * 100)
    hours, rest = divmod(centiseconds, 360000)
    minutes, rest = divmod(rest, 6000)
    whole, hundredths = divmod(rest, 100)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if rest or text == "PT":
        text += f"{whole}.{hundredths:02d}".rstrip("0").rstrip(".") + "S"
    return text


def language_map(text) -> dict[str, str]:
    """A lazily translated text in every language Shiller speaks (§5.2 language maps)."""
    values = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            values[code] = str(text)
    return values


def statements(session: Session, base_url: str, now: datetime.datetime | None = None) -> list[dict]:
    """The session's statements, oldest first: attempted; one per expected action done (or
    missed, once it ended) and per other effective logged action; completed and, when its
    template scores, passed or failed. `base_url` is the site's origin (site_url): the actor's
    homePage and the root of every activity IRI."""
    return statements_of_many([session], base_url, now)[0]


def statements_of_many(
    sessions: list[Session], base_url: str, now: datetime.datetime | None = None
) -> list[list[dict]]:
    """statements() of each session, in a constant number of queries (the LMS's pages)."""
    now = now or timezone.now()
    assessments = scoring.assess_many(sessions, now, out_of_range=True)
    base_url = base_url.rstrip("/")
    return [_Statements(session, base_url, now).all(assessments[session.pk]) for session in sessions]


class _Statements:
    def __init__(self, session: Session, base_url: str, now: datetime.datetime):
        self.session, self.base, self.now = session, base_url, now
        self.ended = not session.is_open(now)
        self.ended_at = session.ended_at(now)
        template = session.template
        self.shipped = template is not None and template.is_shipped
        if template is not None:
            self.scenario_id = f"{self.base}/xapi/activities/templates/{template.pk}"
        else:
            self.scenario_id = f"{self.base}/xapi/activities/free-session"

    def all(self, assessment: scoring.Assessment) -> list[dict]:
        result = [self.attempted()]
        counted, done_keys = set(), set()
        for outcome in assessment.outcomes:
            if outcome.logged is not None:
                counted.add(outcome.logged.pk)
            if outcome.status in DONE:
                done_keys.add(outcome.expected["key"])
            if statement := self.outcome(outcome):
                result.append(statement)
        expected = {outcome.expected["key"]: outcome for outcome in assessment.outcomes}
        for row in assessment.logged:
            if row.pk in counted:
                continue
            if row.expected_key in done_keys:
                timing = REPEATED
            elif row.expected_key in expected:
                timing = NOT_SCORED
            else:
                timing = UNEXPECTED
            result.append(self.logged(row, timing, expected.get(row.expected_key)))
        if self.ended:
            result.append(self.completed(assessment))
            if assessment.percent is not None:
                result.append(self.scored(assessment))
        # Stable: "attempted" stays first when an action shares its moment.
        return sorted(result, key=lambda statement: statement["timestamp"])

    # The parts.

    def ext(self, name: str) -> str:
        return f"{self.base}/xapi/extensions/{name}"

    def statement(self, what: str, verb: str, obj: dict, at, **parts) -> dict:
        verb_id, display = VERBS[verb]
        return {
            "id": str(uuid.uuid5(NAMESPACE, f"{self.session.pk}/{what}")),
            "actor": {
                "objectType": "Agent",
                "account": {"homePage": self.base, "name": actor_name(self.session)},
            },
            "verb": {"id": verb_id, "display": language_map(display)},
            "object": obj,
            **parts,
            "context": self.context(parent=obj["id"] != self.scenario_id),
            "timestamp": timestamp(at),
            "version": STATEMENT_VERSION,
        }

    def name_map(self, text: str) -> dict[str, str]:
        """A template's text: a shipped one's in every language; a trainer's as typed, in a
        language Shiller does not know ("und", RFC 5646's undetermined)."""
        if not self.shipped:
            return {"und": text}
        values = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                values[code] = gettext(text)
        return values

    def scenario(self) -> dict:
        template = self.session.template
        name = (
            self.name_map(template.name)
            if template is not None
            else language_map(gettext_lazy("Session without a template"))
        )
        return {
            "objectType": "Activity",
            "id": self.scenario_id,
            "definition": {"type": SIMULATION, "name": name},
        }

    def action(self, expected: dict, step: int | None) -> dict:
        extensions = {
            self.ext("counts-from"): expected["from"],
            self.ext("target-seconds"): expected["target_seconds"],
            self.ext("critical"): expected["critical"],
        }
        if expected["from"] == "shock":
            extensions[self.ext("shock-number")] = expected["shock_number"]
        if step is not None:
            extensions[self.ext("step")] = step + 1
        if expected.get("recognise"):
            extensions[self.ext("recognised-from")] = expected["recognise"]
        return {
            "objectType": "Activity",
            "id": f"{self.scenario_id}/actions/{expected['key']}",
            "definition": {
                "type": INTERACTION,
                "name": self.name_map(expected["name"]),
                "extensions": extensions,
            },
        }

    def free_action(self, name: str) -> dict:
        # The same typed name in every run of the scenario is the same activity.
        digest = hashlib.sha256(" ".join(name.lower().split()).encode()).hexdigest()[:16]
        return {
            "objectType": "Activity",
            "id": f"{self.scenario_id}/actions/unexpected/{digest}",
            "definition": {"type": INTERACTION, "name": {"und": name}},
        }

    def context(self, parent: bool) -> dict:
        context = {"registration": str(self.session.pk), "platform": "Shiller"}
        activities = {}
        if parent:
            activities["parent"] = [{"objectType": "Activity", "id": self.scenario_id}]
        if self.session.school_id is not None:
            activities["grouping"] = [
                {
                    "objectType": "Activity",
                    "id": f"{self.base}/xapi/activities/schools/{self.session.school_id}",
                    "definition": {"name": {"und": self.session.school.name}},
                }
            ]
        if activities:
            context["contextActivities"] = activities
        if self.session.template_version is not None:
            context["extensions"] = {self.ext("template-version"): self.session.template_version}
        return context

    # The statements.

    def attempted(self) -> dict:
        return self.statement("attempted", "attempted", self.scenario(), self.session.created_at)

    def completed(self, assessment) -> dict:
        result = {
            "completion": True,
            "duration": duration((self.ended_at - self.session.created_at).total_seconds()),
            "extensions": {
                self.ext("seconds-out-of-range"): assessment.out_of_range,
                self.ext("unexpected-actions"): len(assessment.unexpected),
            },
        }
        return self.statement(
            "completed", "completed", self.scenario(), self.ended_at, result=result
        )

    def scored(self, assessment) -> dict:
        result = {
            "score": {
                # scaled is the percent the pass mark is read against (a negative score is 0).
                "scaled": assessment.percent / 100,
                "raw": assessment.score,
                "min": min(self.lowest_score(assessment), assessment.score),
                "max": assessment.max_score,
            },
            "success": bool(assessment.passed),
            "completion": True,
            "duration": duration((self.ended_at - self.session.created_at).total_seconds()),
            "extensions": {self.ext("critical-missed"): assessment.critical_missed},
        }
        verb = "passed" if assessment.passed else "failed"
        # One id for either verb: a session has one result.
        return self.statement("result", verb, self.scenario(), self.ended_at, result=result)

    def lowest_score(self, assessment) -> int:
        """The least the scored actions could have made: result.score.raw lies within min..max."""
        points = scoring.scoring_of(self.session)
        lowest = min(points["on_time"], points["late"], points["missed"])
        return sum(
            lowest + (points["critical_missed"] if outcome.expected["critical"] else 0)
            for outcome in assessment.outcomes
            if outcome.status in (*DONE, scoring.MISSED)
        )

    def outcome(self, outcome) -> dict | None:
        """A done expected action (logged or recognised); a missed one once the session ended."""
        key = outcome.expected["key"]
        extensions = {
            self.ext("timing"): outcome.status,
            self.ext("points"): outcome.points,
        }
        if outcome.status in DONE:
            if outcome.late_seconds is not None:
                extensions[
                    self.ext("late-seconds" if outcome.status == scoring.LATE else "early-seconds")
                ] = outcome.late_seconds
            extensions[self.ext("how")] = outcome.how
            result = {"success": outcome.status == scoring.ON_TIME, "completion": True}
            if outcome.anchor_at is not None and outcome.done_at >= outcome.anchor_at:
                result["duration"] = duration((outcome.done_at - outcome.anchor_at).total_seconds())
            verb, at = "completed", outcome.done_at
        elif outcome.status == scoring.MISSED and self.ended:
            result = {"success": False, "completion": False}
            verb, at = "failed", min(outcome.due_at or self.ended_at, self.ended_at)
        else:
            return None  # pending or never reached: nothing to tell yet
        result["extensions"] = extensions
        return self.statement(
            f"action/{key}", verb, self.action(outcome.expected, outcome.step), at, result=result
        )

    def logged(self, logged: LoggedAction, timing: str, outcome) -> dict:
        """An effective logged action no expected action counted; `outcome`: the expected
        action it names, if the session has it."""
        if outcome is None:
            obj = self.free_action(logged.name)
        else:
            obj = self.action(outcome.expected, outcome.step)
        result = {"completion": True, "extensions": {self.ext("timing"): timing}}
        return self.statement(f"logged/{logged.pk}", "completed", obj, logged.at, result=result)
