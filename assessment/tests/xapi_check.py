"""A small validator of xAPI 1.0.3 statements: the data part's required fields and formats
(github.com/adlnet/xAPI-Spec, xAPI-Data.md §2.4), for the tests of what Shiller exports."""

import datetime
import re
import uuid
from urllib.parse import urlsplit

STATEMENT_KEYS = {"id", "actor", "verb", "object", "result", "context", "timestamp", "version"}
# §2.4.2.3: an Agent has exactly one inverse functional identifier.
IFIS = {"mbox", "mbox_sha1sum", "openid", "account"}
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")  # RFC 5646, loosely
DURATION = re.compile(r"^P(?:\d+D)?T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?$")


def is_iri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme and parts.netloc)


def check_language_map(value, where):
    assert isinstance(value, dict) and value, f"{where}: a language map"
    for tag, text in value.items():
        assert LANGUAGE_TAG.match(tag), f"{where}: {tag!r} is not a language tag"
        assert isinstance(text, str) and text, f"{where}: {tag} has no text"


def check_extensions(extensions, where):
    assert isinstance(extensions, dict)
    for key in extensions:
        assert is_iri(key), f"{where}: extension {key!r} is not an IRI"


def check_timestamp(value, where):
    moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.utcoffset() == datetime.timedelta(0), f"{where}: {value} is not UTC"


def check_activity(activity, where):
    assert activity.get("objectType", "Activity") == "Activity"
    assert is_iri(activity["id"]), f"{where}: id {activity['id']!r}"
    definition = activity.get("definition", {})
    if "name" in definition:
        check_language_map(definition["name"], f"{where}.definition.name")
    if "type" in definition:
        assert is_iri(definition["type"])
    if "extensions" in definition:
        check_extensions(definition["extensions"], f"{where}.definition")


def check_statement(statement: dict):
    assert set(statement) <= STATEMENT_KEYS, set(statement) - STATEMENT_KEYS
    assert str(uuid.UUID(statement["id"])) == statement["id"]

    actor = statement["actor"]
    assert actor.get("objectType", "Agent") == "Agent"
    assert len(IFIS & set(actor)) == 1, f"actor IFIs: {IFIS & set(actor)}"
    if "account" in actor:
        assert is_iri(actor["account"]["homePage"])
        assert isinstance(actor["account"]["name"], str) and actor["account"]["name"]

    verb = statement["verb"]
    assert is_iri(verb["id"])
    check_language_map(verb["display"], "verb.display")

    check_activity(statement["object"], "object")

    result = statement.get("result", {})
    if "score" in result:
        score = result["score"]
        if "scaled" in score:
            assert -1 <= score["scaled"] <= 1
        if "min" in score and "max" in score:
            assert score["min"] <= score["max"]
        if "raw" in score:
            assert score.get("min", score["raw"]) <= score["raw"] <= score.get("max", score["raw"])
    for flag in ("success", "completion"):
        if flag in result:
            assert isinstance(result[flag], bool)
    if "duration" in result:
        assert DURATION.match(result["duration"]), result["duration"]
    if "extensions" in result:
        check_extensions(result["extensions"], "result")

    context = statement.get("context", {})
    if "registration" in context:
        assert str(uuid.UUID(context["registration"])) == context["registration"]
    for kind, activities in context.get("contextActivities", {}).items():
        assert kind in {"parent", "grouping", "category", "other"}
        for activity in activities:
            check_activity(activity, f"context.{kind}")
    if "extensions" in context:
        check_extensions(context["extensions"], "context")

    check_timestamp(statement["timestamp"], "timestamp")
    # §2.4.10: when a provider sets it, it is 1.0.0.
    assert statement.get("version", "1.0.0") == "1.0.0"
